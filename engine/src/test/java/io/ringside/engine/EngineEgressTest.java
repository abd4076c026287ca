package io.ringside.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.ringside.journal.DurabilityPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sinks see an output only once its input is durable, and a sink that throws is offered the same output
 * again: every output is delivered to every sink exactly once.
 */
class EngineEgressTest
{
    private static final int EVENTS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldReleaseOutputsToSinksOnlyOnceTheirInputIsDurable()
    {
        final int events = 100;
        final Queue<String> heard = new ConcurrentLinkedQueue<>();
        final RecordingSink sink = new RecordingSink(0);
        final EngineContext ctx = EngineTestSupport.context(dir)
            .durability(DurabilityPolicy.interval(60_000))
            .closeTimeoutMs(5_000)
            .handlers(shard -> EngineEgressTest::echo)
            .outputListener(output -> heard.add(EngineTestSupport.describe(output)))
            .addSink(sink);
        final Engine engine = new Engine(ctx).start();
        try
        {
            publish(engine, events);
            EngineTestSupport.await(() -> heard.size() == events, () -> "the listener to hear " + events + " outputs, heard " + heard.size());
            awaitEgressPasses(engine);
            assertEquals(0, sink.ids.size(), "outputs delivered before a force made their inputs durable: " + sink.ids);
            assertEquals(0, engine.counters().delivered(), "outputs delivered (counter)");

            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(sorted(heard), sorted(sink.ids), "close() makes the journal durable and delivers every output");
        assertTrue(engine.counters().journalForces() > 0, "the journal was forced");
    }

    @Test
    void shouldDeliverEveryOutputExactlyOnceWhenASinkFailsAtFirst()
    {
        final Queue<String> heard = new ConcurrentLinkedQueue<>();
        final RecordingSink healthy = new RecordingSink(0);
        final RecordingSink failing = new RecordingSink(3);
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(Topology.PIPELINED)
            .shardCount(2)
            .durability(DurabilityPolicy.GROUP_COMMIT)
            .handlers(shard -> EngineEgressTest::echo)
            .outputListener(output -> heard.add(EngineTestSupport.describe(output)))
            .addSink(healthy)
            .addSink(failing);
        final Engine engine = new Engine(ctx).start();
        try
        {
            publish(engine, EVENTS);
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }

        assertEquals(3, failing.failures, "the failing sink threw 3 times");
        assertEquals(3, engine.counters().sinkErrors(), "sink errors (counter)");
        assertEquals(EVENTS, heard.size(), "outputs heard by the listener");
        assertEquals(EVENTS, engine.counters().delivered(), "outputs delivered (counter)");
        assertEquals(EVENTS, new HashSet<>(healthy.ids).size(), "distinct outputs in the healthy sink");
        assertEquals(sorted(heard), sorted(healthy.ids), "the healthy sink has every output exactly once");
        assertEquals(sorted(heard), sorted(failing.ids), "the failing sink has every output exactly once");
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void shouldDeliverAnEventsOutputsWhenTheyOverflowTheEgressBuffer(final Topology topology)
    {
        final int events = 50;
        final int outputsEach = 100;
        final RecordingSink sink = new RecordingSink(0);
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(topology)
            .durability(DurabilityPolicy.GROUP_COMMIT)
            .egressBufferLength(4096)
            .closeTimeoutMs(5_000)
            .handlers(shard -> (event, context) ->
            {
                for (int i = 0; i < outputsEach; i++)
                {
                    context.emit(i, event.key(), event.buffer(), event.offset(), event.length());
                }
            })
            .addSink(sink);
        final Engine engine = new Engine(ctx).start();
        try
        {
            publish(engine, events);
            EngineTestSupport.await(() -> engine.counters().delivered() == events * outputsEach,
                () -> "every output to reach the sink, delivered " + engine.counters().delivered());
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertTrue(engine.counters().egressWaits(0) > 0, "one event's outputs overflow the egress buffer");
        assertEquals(events * outputsEach, sink.ids.size(), "outputs in the sink");
        long previousPosition = -1;
        for (int i = 0; i < sink.ids.size(); i++)
        {
            // <position>:<shard>:<ordinal> <type> <key> <payload>
            final String[] fields = sink.ids.get(i).split("[: ]");
            final long position = Long.parseLong(fields[0]);
            final int rank = i % outputsEach;
            assertTrue(rank == 0 ? position > previousPosition : position == previousPosition,
                "output " + i + " follows its event's outputs: " + sink.ids.get(i));
            assertEquals(0, Integer.parseInt(fields[1]), "output " + i + "'s shard");
            assertEquals(rank, Integer.parseInt(fields[2]), "output " + i + "'s ordinal");
            assertEquals(rank, Integer.parseInt(fields[3]), "output " + i + "'s type (the handler's emit order)");
            previousPosition = position;
        }
    }

    @Test
    void shouldTellASinkThatNeverAcceptsFromAHandlerErrorWhenClosing()
    {
        final RecordingSink broken = new RecordingSink(Integer.MAX_VALUE);
        final EngineContext ctx = EngineTestSupport.context(dir)
            .egressBufferLength(4096)
            .closeTimeoutMs(500)
            .handlers(shard -> EngineEgressTest::echo)
            .addSink(broken);
        final Engine engine = new Engine(ctx).start();
        try
        {
            publish(engine, 500);
            EngineTestSupport.await(() -> engine.counters().egressWaits(0) > 0, () -> "the shard to wait for egress space");
            final EngineException ex = assertThrows(EngineException.class, engine::close);
            assertFalse(ex instanceof EngineFailedException, "a stuck sink is not a failure of the engine: " + ex);
            assertTrue(ex.getMessage().contains("did not drain"), ex.getMessage());
            assertTrue(ex.getMessage().contains("sink"), "the message points at the sinks: " + ex.getMessage());
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(0, engine.counters().errors(), "the handler never threw");
        assertEquals(0, engine.counters().deadLetters(), "nothing was dead-lettered");
        assertTrue(broken.failures > 0, "the sink was offered outputs");
    }

    @Test
    void aSinkThatKeepsFailingFailsTheEngineInsteadOfHoldingEverythingBehindIt()
    {
        final RecordingSink broken = new RecordingSink(Integer.MAX_VALUE);
        final EngineContext ctx = EngineTestSupport.context(dir)
            .egressBufferLength(4096)
            .ringSize(64)
            .sinkFailureTimeoutMs(300)
            .handlers(shard -> EngineEgressTest::echo)
            .addSink(broken);
        final Engine engine = new Engine(ctx).start();
        try
        {
            final IllegalStateException refused = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> assertThrows(
                IllegalStateException.class, () -> publish(engine, 1_000_000)), "the publisher is released, not left waiting for ever");
            assertTrue(refused.getMessage().contains("the engine failed") && refused.getMessage().contains("has failed for"), refused.getMessage());
            final EngineFailedException failed = assertThrows(EngineFailedException.class, engine::close);
            assertTrue(failed.getMessage().contains("sinkFailureTimeoutMs") && failed.getMessage().contains("sink failure"), failed.getMessage());
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    private static void echo(final Event event, final ShardContext context)
    {
        context.emit(0, event.key(), event.buffer(), event.offset(), event.length());
    }

    private static void publish(final Engine engine, final int events)
    {
        final EventPublisher publisher = engine.newPublisher(1);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < events; i++)
        {
            event.putLong(0, i);
            publisher.publish(i, event, 0, 8);
        }
    }

    /**
     * Returns once the egress agent has done a full pass (read every shard's buffer) that started after
     * this call: its once-a-second duty writes the heartbeat after the pass's reads, so two heartbeats.
     */
    private static void awaitEgressPasses(final Engine engine)
    {
        final long first = engine.counters().heartbeat.get();
        EngineTestSupport.await(() -> engine.counters().heartbeat.get() != first, () -> "an egress heartbeat");
        final long second = engine.counters().heartbeat.get();
        EngineTestSupport.await(() -> engine.counters().heartbeat.get() != second, () -> "a second egress heartbeat");
    }

    private static List<String> sorted(final Iterable<String> ids)
    {
        final List<String> list = new ArrayList<>();
        ids.forEach(list::add);
        list.sort(null);
        return list;
    }

    /**
     * Records what it is given; throws on its first {@code failFirst} calls. Egress thread only (read after close).
     */
    private static final class RecordingSink implements OutputSink
    {
        final List<String> ids = new ArrayList<>();
        private final int failFirst;
        int failures;

        RecordingSink(final int failFirst)
        {
            this.failFirst = failFirst;
        }

        @Override
        public void onOutput(final Output output)
        {
            if (failures < failFirst)
            {
                failures++;
                throw new IllegalStateException("sink failure " + failures);
            }
            ids.add(EngineTestSupport.describe(output));
        }
    }
}
