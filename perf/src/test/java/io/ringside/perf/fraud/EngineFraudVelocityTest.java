package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fraud-velocity workload through the engine (journal, ring, shards, the engine's own watermarks and
 * onWatermark closings) gives exactly the reference's counts and checksums, for both topologies and 1, 2 and 4
 * shards: the engine's event-time design meets workload.md.
 */
class EngineFraudVelocityTest
{
    @TempDir
    Path dir;

    private int run;
    private long tumblingBeforeEnd;

    @Test
    void shouldMatchTheReferenceOnTheSmokeSizeForEveryTopologyAndShardCount()
    {
        for (final long seed : new long[] {42, 7})
        {
            final ChecksumReport expected = reference(new WorkloadGenerator(WorkloadSize.SMOKE, seed), 1);
            for (final Topology topology : Topology.values())
            {
                for (final int shards : new int[] {1, 2, 4})
                {
                    final ChecksumReport actual = throughEngine(new WorkloadGenerator(WorkloadSize.SMOKE, seed), 1, topology, shards);
                    assertEquals(expected, actual, "seed " + seed + ", " + topology + " x" + shards + "\nexpected\n" + expected + "\nactual\n" + actual);
                }
            }
        }
    }

    @Test
    void shouldMatchTheReferenceOverMinutesOfEventTime()
    {
        final ChecksumReport expected = reference(new WorkloadGenerator(42, 8_000_000, 1_000), 40);
        assertTrue(expected.count(OutputKind.TUMBLING) > 10_000, "windows close all along, not only at the end");
        for (final Topology topology : Topology.values())
        {
            final ChecksumReport actual = throughEngine(new WorkloadGenerator(42, 8_000_000, 1_000), 40, topology, 2);
            assertEquals(expected, actual, topology + "\nexpected\n" + expected + "\nactual\n" + actual);
            assertTrue(tumblingBeforeEnd > expected.count(OutputKind.TUMBLING) * 9 / 10,
                topology + ": windows close as the watermark passes them, not at the end: " + tumblingBeforeEnd + " of " +
                expected.count(OutputKind.TUMBLING) + " before the end of input");
        }
    }

    @Test
    void shouldMatchTheReferenceWithTheChronicleMapOperators()
    {
        for (final long seed : new long[] {42, 7})
        {
            final ChecksumReport expected = reference(new WorkloadGenerator(WorkloadSize.SMOKE, seed), 1);
            for (final Topology topology : Topology.values())
            {
                final ChecksumReport actual = throughOperators(new WorkloadGenerator(WorkloadSize.SMOKE, seed), 1, topology, 2);
                assertEquals(expected, actual, "seed " + seed + ", " + topology + "\nexpected\n" + expected + "\nactual\n" + actual);
            }
        }
        final ChecksumReport minutes = reference(new WorkloadGenerator(42, 8_000_000, 1_000), 40);
        assertEquals(minutes, throughOperators(new WorkloadGenerator(42, 8_000_000, 1_000), 40, Topology.COMPACT, 1), "over 800 s of event time");
    }

    private ChecksumReport throughOperators(final WorkloadGenerator generator, final int every, final Topology topology, final int shards)
    {
        final List<FraudVelocityPipeline> pipelines = new ArrayList<>();
        final EngineContext ctx = context(topology, shards)
            .handlers(shard ->
            {
                final FraudVelocityPipeline pipeline = new FraudVelocityPipeline(shard, 20_000, 100_000);
                synchronized (pipelines)
                {
                    pipelines.add(pipeline);
                }
                return pipeline;
            });
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        try
        {
            try (Engine engine = new Engine(ctx).start())
            {
                final EventPublisher publisher = engine.newPublisher(1);
                while (generator.next(event, 0))
                {
                    if (generator.index() % every == 0)
                    {
                        publisher.publish(FraudEvent.cardId(event, 0), 0, generator.index() - 1, 0, event, 0, FraudEvent.LENGTH);
                    }
                }
                publisher.endOfInput();
            }
            final ChecksumReport all = new ChecksumReport();
            for (final FraudVelocityPipeline pipeline : pipelines)
            {
                all.add(pipeline.report());
            }
            return all;
        }
        finally
        {
            for (final FraudVelocityPipeline pipeline : pipelines)
            {
                pipeline.close();
            }
        }
    }

    /**
     * @return a fresh engine directory's context for the workload: its event time, out-of-orderness and one source.
     */
    private EngineContext context(final Topology topology, final int shards)
    {
        return new EngineContext()
            .directory(dir.resolve("run-" + run++))
            .segmentSize(16 * 1024 * 1024)
            .topology(topology)
            .shardCount(shards)
            .waitStrategy(WaitStrategy.BLOCKING)
            .egressWait(WaitStrategy.SLEEPING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(1, 1);
    }

    /**
     * Feeds every {@code every}-th event of the generator to the reference.
     */
    private static ChecksumReport reference(final WorkloadGenerator generator, final int every)
    {
        final ChecksumReport report = new ChecksumReport();
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, report);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            if (generator.index() % every == 0)
            {
                reference.onEvent(0, FraudEvent.eventId(event, 0), FraudEvent.cardId(event, 0), FraudEvent.amountCents(event, 0),
                    FraudEvent.eventTimeMs(event, 0), FraudEvent.country(event, 0));
            }
        }
        reference.endOfInput();
        return report;
    }

    private ChecksumReport throughEngine(final WorkloadGenerator generator, final int every, final Topology topology, final int shards)
    {
        final List<FraudVelocityShard> handlers = new ArrayList<>();
        final EngineContext ctx = context(topology, shards)
            .handlers(shard ->
            {
                final FraudVelocityShard handler = new FraudVelocityShard(1 << 12, 1 << 14);
                synchronized (handlers)
                {
                    handlers.add(handler);
                }
                return handler;
            });
        final java.util.concurrent.atomic.AtomicLong tumbling = new java.util.concurrent.atomic.AtomicLong();
        ctx.outputListener(output ->
        {
            if (output.type() == OutputKind.TUMBLING.number())
            {
                tumbling.incrementAndGet();
            }
        });
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        try (Engine engine = new Engine(ctx).start())
        {
            final EventPublisher publisher = engine.newPublisher(1);
            long published = 0;
            while (generator.next(event, 0))
            {
                if (generator.index() % every == 0)
                {
                    publisher.publish(FraudEvent.cardId(event, 0), 0, generator.index() - 1, 0, event, 0, FraudEvent.LENGTH);
                    published++;
                }
            }
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (engine.counters().processed() < published && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(published, engine.counters().processed(), "every event handled before the end of input");
            tumblingBeforeEnd = tumbling.get();
            publisher.endOfInput();
        }
        final ChecksumReport all = new ChecksumReport();
        for (final FraudVelocityShard handler : handlers)
        {
            all.add(handler.report());
        }
        return all;
    }
}
