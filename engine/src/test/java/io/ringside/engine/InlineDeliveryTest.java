package io.ringside.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Delivery on the compact thread ({@link InlineOutputSink}): sinks that refuse outputs now and then (as a back-pressured
 * publication does) hand delivery to the egress thread and get it back, and each shard's outputs still reach every sink
 * once, in order; outputs replayed at a restart come first, once; a sink that is not inline, a pipelined engine or
 * {@link EngineContext#inlineDelivery(boolean) inlineDelivery(false)} keep everything on the egress thread.
 */
class InlineDeliveryTest
{
    private static final int EVENTS = 20_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "egress wait: {0}")
    @EnumSource(names = {"BLOCKING", "SLEEPING"})
    void refusalsHandDeliveryToTheEgressThreadAndBackWithEveryOutputOnceInOrder(final WaitStrategy egressWait)
    {
        final InlineSink sink = new InlineSink(997, 3);
        final Engine engine = new Engine(context(egressWait).addSink(sink)).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            for (int from = 0; from < EVENTS; from += 100)
            {
                // in bursts, as a gateway at a steady rate sends: between them the egress thread catches up and hands back
                final int to = from + 100;
                publish(publisher, from, to);
                EngineTestSupport.await(() -> engine.counters().delivered() == to, () -> "every output delivered: " + engine.counters().delivered());
            }
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        sink.assertEachShardInOrderOnce(EVENTS, 2);
        assertTrue(sink.refused > 0, "the sink refused outputs on the compact thread");
        assertTrue(sink.egressAfterRefusal > 0, "the egress thread delivered what was refused");
        assertTrue(sink.inlineAfterEgress > 0, "the compact thread delivered again after the egress thread had caught up");
        assertTrue(sink.inline > EVENTS / 2, "most outputs went out on the compact thread: " + sink.inline);
        assertEquals(EVENTS, engine.counters().delivered(), "outputs delivered (counter)");
    }

    @Test
    void aSinkRefusingPartWayResumesThereWithEverySinkGettingEveryOutputOnceInOrder()
    {
        final InlineSink first = new InlineSink(0, 0);
        final InlineSink second = new InlineSink(331, 5);
        runAll(context(WaitStrategy.BLOCKING).addSink(first).addSink(second), 0, EVENTS);
        first.assertEachShardInOrderOnce(EVENTS, 2);
        second.assertEachShardInOrderOnce(EVENTS, 2);
        assertTrue(second.refused > 0 && first.egress > 0, "the second sink's refusals sent both sinks' next outputs through the egress");
    }

    @Test
    void outputsReplayedAtARestartGoFirstAndOnceThenNewOnesInline()
    {
        runAll(context(WaitStrategy.BLOCKING).addSink(new InlineSink(0, 0)), 0, 1_000);
        final InlineSink after = new InlineSink(0, 0);
        final Engine engine = new Engine(context(WaitStrategy.BLOCKING).addSink(after)).start();
        try
        {
            // the replayed outputs go first, on the egress thread; in bursts, each delivered before the next, so that the
            // egress thread has caught up and handed delivery back while new outputs still come (not a race with one burst)
            final EventPublisher publisher = engine.newPublisher(1);
            for (int from = 1_000; from < 2_000; from += 100)
            {
                final int to = from + 100;
                publish(publisher, from, to);
                EngineTestSupport.await(() -> engine.counters().delivered() >= to, () -> "outputs delivered: " + engine.counters().delivered());
            }
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        after.assertEachShardInOrderOnce(2_000, 2);
        assertEquals(1_000, after.replays, "the first engine's outputs replayed, once each");
        assertTrue(after.inline > 0, "new outputs went out on the compact thread");
    }

    @Test
    void aSinkThatIsNotInlineOrTheOptionOffKeepsEveryOutputOnTheEgressThread()
    {
        final InlineSink inline = new InlineSink(0, 0);
        final InlineSink off = new InlineSink(0, 0);
        final List<String> plain = new ArrayList<>();
        final OutputSink plainSink = output -> plain.add(EngineTestSupport.describe(output));
        runAll(context(WaitStrategy.BLOCKING).addSink(inline).addSink(plainSink), 0, 2_000);
        runAll(EngineTestSupport.context(dir.resolve("off")).shardCount(2).inlineDelivery(false).handlers(shard -> InlineDeliveryTest::echo)
            .addSink(off), 0, 2_000);
        inline.assertEachShardInOrderOnce(2_000, 2);
        off.assertEachShardInOrderOnce(2_000, 2);
        assertEquals(2_000, plain.size());
        assertEquals(0, inline.inline, "beside a sink that is not inline, nothing goes out on the compact thread");
        assertEquals(0, off.inline, "inlineDelivery(false): nothing goes out on the compact thread");
    }

    @ParameterizedTest(name = "topology: {0}")
    @EnumSource(Topology.class)
    void anEngineWithoutSinksDoesNotWakeTheEgressThreadForEachBatch(final Topology topology)
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "counts the egress thread's wake-ups in /proc (Linux)");
        final Engine engine = new Engine(EngineTestSupport.context(dir.resolve("no-sinks")).topology(topology)
            .egressWait(WaitStrategy.BLOCKING).handlers(shard -> InlineDeliveryTest::echo)).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            EngineTestSupport.await(() -> egressWakeUps() >= 0, () -> "the egress thread started");
            final long before = egressWakeUps();
            final long start = System.nanoTime();
            for (int i = 0; i < 1_000; i++)
            {
                // one at a time, each handled before the next: a batch each, as at a low rate
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
                final long processed = i + 1;
                EngineTestSupport.await(() -> engine.counters().processed() == processed, () -> "event handled: " + engine.counters().processed());
            }
            final long wakeUps = egressWakeUps() - before;
            // its own park timeout (10 ms) wakes it about 100 times a second; a wake-up per batch would be about 1,000 more
            final long allowed = 50 + 2 * (System.nanoTime() - start) / 10_000_000;
            assertTrue(wakeUps < allowed, "the egress thread woke " + wakeUps + " times for 1,000 batches (allowed " + allowed + ")");
            assertEquals(1_000, engine.counters().outputs(), "every output made");
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    /** @return the voluntary context switches of this JVM's egress thread so far, or -1 if it has none yet. */
    private static long egressWakeUps()
    {
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                try
                {
                    if ("ringside-egress".equals(Files.readString(task.resolve("comm")).trim()))
                    {
                        for (final String line : Files.readAllLines(task.resolve("status")))
                        {
                            if (line.startsWith("voluntary_ctxt_switches:"))
                            {
                                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                    }
                }
                catch (final java.io.IOException ex)
                {
                    // a thread that ended meanwhile
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return -1;
    }

    private static void runAll(final EngineContext ctx, final int from, final int to)
    {
        final Engine engine = new Engine(ctx).start();
        try
        {
            publish(engine, from, to);
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    private EngineContext context(final WaitStrategy egressWait)
    {
        return EngineTestSupport.context(dir.resolve("engine")).shardCount(2).egressWait(egressWait).handlers(shard -> InlineDeliveryTest::echo);
    }

    private static void echo(final Event event, final ShardContext context)
    {
        context.emit(0, event.key(), event.buffer(), event.offset(), event.length());
    }

    private static void publish(final Engine engine, final int from, final int to)
    {
        publish(engine.newPublisher(1), from, to);
    }

    private static void publish(final EventPublisher publisher, final int from, final int to)
    {
        EngineTestSupport.publishCounting(publisher, from, to);
    }

    /**
     * Records each output with the thread that delivered it; on the compact thread it refuses {@code refuseRun} outputs in a
     * row every {@code refuseEvery} offers (0: never). One thread at a time, as the engine promises; read after close.
     */
    private static final class InlineSink implements InlineOutputSink
    {
        private final int refuseEvery;
        private final int refuseRun;
        private final List<long[]> outputs = new ArrayList<>();
        private long offers;
        private boolean lastWasEgress;
        private boolean refusedSinceInline;
        int inline;
        int egress;
        int refused;
        int replays;
        int egressAfterRefusal;
        int inlineAfterEgress;

        InlineSink(final int refuseEvery, final int refuseRun)
        {
            this.refuseEvery = refuseEvery;
            this.refuseRun = refuseRun;
        }

        @Override
        public boolean tryDeliverInline(final Output output)
        {
            offers++;
            if (refuseEvery > 0 && offers % refuseEvery < refuseRun)
            {
                refused++;
                refusedSinceInline = true;
                return false;
            }
            if (!Thread.currentThread().getName().contains("compact"))
            {
                fail("offered inline on " + Thread.currentThread().getName());
            }
            if (lastWasEgress)
            {
                inlineAfterEgress++;
            }
            lastWasEgress = false;
            inline++;
            record(output);
            return true;
        }

        @Override
        public void onOutput(final Output output)
        {
            if (refusedSinceInline)
            {
                egressAfterRefusal++;
                refusedSinceInline = false;
            }
            lastWasEgress = true;
            egress++;
            record(output);
        }

        private void record(final Output output)
        {
            outputs.add(new long[] {output.shard(), output.position(), output.ordinal(), output.buffer().getLong(output.offset())});
            if (output.isReplay())
            {
                replays++;
            }
        }

        /**
         * Every event's output once, and each shard's in the order the shard emitted them (journal position, ordinal).
         */
        void assertEachShardInOrderOnce(final int events, final int shards)
        {
            assertEquals(events, outputs.size(), "outputs delivered");
            final boolean[] seen = new boolean[events];
            final long[] lastPosition = new long[shards];
            java.util.Arrays.fill(lastPosition, -1);
            for (int i = 0; i < outputs.size(); i++)
            {
                final long[] o = outputs.get(i);
                final int shard = (int)o[0];
                if (o[1] <= lastPosition[shard])
                {
                    fail("output " + i + " of shard " + shard + " at position " + o[1] + " after " + lastPosition[shard]);
                }
                lastPosition[shard] = o[1];
                final int value = (int)o[3];
                if (seen[value])
                {
                    fail("event " + value + "'s output twice");
                }
                seen[value] = true;
            }
        }
    }
}
