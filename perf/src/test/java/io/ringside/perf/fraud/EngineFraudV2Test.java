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
 * Workload v2 through the engine (journal, ring, shards, its watermarks, {@link FraudV2Pipeline} on the off-heap
 * operators) gives exactly the plain-Java implementation's counts and checksums: at the smoke size for 1 and 4 shards,
 * compact and pipelined, with several sources (partitions), and over minutes of event time, where captures, uncaptured transactions and the pattern's
 * decisions come out all along instead of at the end of input.
 */
class EngineFraudV2Test
{
    @TempDir
    Path dir;

    private int run;

    @Test
    void shouldMatchThePlainJavaImplementationOnTheSmokeSizeForBothTopologiesAndOneAndFourShards()
    {
        final ChecksumReport expected = plain(new WorkloadGeneratorV2(WorkloadSize.SMOKE, 42), 1);
        assertEquals(PlainJavaFraudV2Test.SMOKE_SEED_42, expected.lines());
        for (final Topology topology : Topology.values())
        {
            for (final int shards : new int[] {1, 4})
            {
                final ChecksumReport actual = throughEngine(new WorkloadGeneratorV2(WorkloadSize.SMOKE, 42), 1, topology, shards);
                assertEquals(expected, actual, topology + " x" + shards + "\nexpected\n" + expected + "\nactual\n" + actual);
            }
        }
    }

    @Test
    void shouldMatchThePlainJavaImplementationOverMinutesOfEventTime()
    {
        // every 8th event of 2,400,000 over 2,000 cards: 240 s of event time, captures due all along
        final ChecksumReport expected = plain(new WorkloadGeneratorV2(7, 2_400_000, 2_000), 8);
        assertTrue(expected.count(OutputKind.CAPTURED) > 1_000 && expected.count(OutputKind.TESTCHARGE) > 1_000, expected::toString);
        final ChecksumReport actual = throughEngine(new WorkloadGeneratorV2(7, 2_400_000, 2_000), 8, Topology.COMPACT, 2);
        assertEquals(expected, actual, "\nexpected\n" + expected + "\nactual\n" + actual);
    }

    @Test
    void shouldMatchThePlainJavaImplementationWithSeveralSources()
    {
        // each card's events through one of 3 partitions (card % 3): lateness against the partition's watermark, closing
        // by the minimum over the partitions, once each has spoken (workload.md, "Several sources", which v2 keeps)
        final int partitions = 3;
        final ChecksumReport expected = ChecksumReport.v2();
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2(expected);
        final long[] sourceWatermark = new long[partitions];
        java.util.Arrays.fill(sourceWatermark, Long.MIN_VALUE);
        final boolean[] spoken = new boolean[partitions];
        int silent = partitions;
        final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(WorkloadSize.SMOKE, 7);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            final int p = (int)(FraudEvent.cardId(event, 0) % partitions);
            plain.onEvent(event, 0, sourceWatermark[p]);
            if (!spoken[p])
            {
                spoken[p] = true;
                silent--;
            }
            sourceWatermark[p] = Math.max(sourceWatermark[p], FraudEvent.eventTimeMs(event, 0) - FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS);
            if (silent == 0)
            {
                plain.onWatermark(java.util.Arrays.stream(sourceWatermark).min().getAsLong());
            }
        }
        plain.endOfInput();
        final ChecksumReport actual = throughEngine(new WorkloadGeneratorV2(WorkloadSize.SMOKE, 7), 1, Topology.PIPELINED, 2, partitions);
        assertEquals(expected, actual, "\nexpected\n" + expected + "\nactual\n" + actual);
    }

    private static ChecksumReport plain(final WorkloadGeneratorV2 generator, final int every)
    {
        final ChecksumReport report = ChecksumReport.v2();
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2(report);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            if (generator.index() % every == 0)
            {
                plain.onEvent(event, 0);
            }
        }
        plain.endOfInput();
        return report;
    }

    private ChecksumReport throughEngine(final WorkloadGeneratorV2 generator, final int every, final Topology topology, final int shards)
    {
        return throughEngine(generator, every, topology, shards, 1);
    }

    /**
     * @param partitions a card's events go through partition {@code card % partitions} of the one source.
     */
    private ChecksumReport throughEngine(final WorkloadGeneratorV2 generator, final int every, final Topology topology, final int shards,
        final int partitions)
    {
        final List<FraudV2Pipeline> pipelines = new ArrayList<>();
        final EngineContext ctx = new EngineContext()
            .directory(dir.resolve("run-" + run++))
            .segmentSize(16 * 1024 * 1024)
            .topology(topology)
            .shardCount(shards)
            .waitStrategy(WaitStrategy.BLOCKING)
            .egressWait(WaitStrategy.SLEEPING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(1, partitions)
            .handlersId(FraudV2Pipeline.HANDLERS_ID)
            .handlers(shard ->
            {
                final FraudV2Pipeline pipeline = FraudV2Pipeline.forWorkload(shard, shards, 200_000, 10_000);
                synchronized (pipelines)
                {
                    pipelines.add(pipeline);
                }
                return pipeline;
            });
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        try
        {
            final Engine engine = new Engine(ctx).start();
            try (engine)
            {
                final EventPublisher publisher = engine.newPublisher(1);
                final long[] offsets = new long[partitions];
                while (generator.next(event, 0))
                {
                    if (generator.index() % every == 0)
                    {
                        final int partition = (int)(FraudEvent.cardId(event, 0) % partitions);
                        publisher.publish(FraudEvent.cardId(event, 0), partition, offsets[partition]++, 0, event, 0, FraudEvent.LENGTH);
                    }
                }
                publisher.endOfInput();
            }
            assertEquals(0, engine.counters().errors(), "handler errors");
            final ChecksumReport all = ChecksumReport.v2();
            synchronized (pipelines)
            {
                pipelines.forEach(pipeline -> all.add(pipeline.report()));
            }
            return all;
        }
        finally
        {
            synchronized (pipelines)
            {
                pipelines.forEach(FraudV2Pipeline::close);
            }
        }
    }
}
