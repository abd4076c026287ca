package io.ringside.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TestDriver}: the engine's outputs, ids included, for the same inputs; hand-computed windows, lateness, the
 * event-time bound on the driver's clock, idle sources on its ticks, snapshots, errors and misuse.
 */
class TestDriverTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final int ALERT = 1;
    private static final int WINDOW = 2;
    private static final int LATE = 3;

    @TempDir
    Path dir;

    /**
     * Per key: a 10 s tumbling window of count and sum (WINDOW at its close: start, count, sum), ALERT once per window
     * at its third event, LATE for an event behind its source's watermark. Event: time (int64), amount (int64).
     */
    static final class ThirdEventRule implements ShardHandler, Snapshottable
    {
        private final KeyedWindows windows;
        private final KeyedWindows.Tumbling tumbling;
        private final long[] values = new long[2];
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[24]);
        private final WindowListener closed = this::onClosed;
        private ShardContext context;

        ThirdEventRule(final int shard)
        {
            final KeyedWindows.Builder builder = KeyedWindows.builder("third-" + shard, 0, 1_024);
            tumbling = builder.tumbling(10_000, 3, closed, Aggregates.count(), Aggregates.sum());
            windows = builder.build();
        }

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            this.context = context;
            final long time = event.eventTime();
            if (event.sourceWatermark() != Long.MIN_VALUE && time <= event.sourceWatermark())
            {
                context.late();
                out.putLong(0, time);
                context.emit(LATE, event.key(), out, 0, 8);
                return;
            }
            values[1] = event.buffer().getLong(event.offset() + 8);
            windows.acquire(event.key());
            try
            {
                final Window window = tumbling.add(time, values);
                if (window.result(0) == 3)
                {
                    out.putLong(0, window.start());
                    context.emit(ALERT, event.key(), out, 0, 8);
                }
            }
            finally
            {
                windows.release();
            }
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context)
        {
            this.context = context;
            windows.close(watermark);
        }

        @Override
        public boolean hasDueWork()
        {
            return windows.hasDue();
        }

        private void onClosed(final long key, final Window window)
        {
            out.putLong(0, window.start());
            out.putLong(8, window.result(0));
            out.putLong(16, window.result(1));
            context.emit(WINDOW, key, out, 0, 24);
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
        {
            windows.writeSnapshot(out);
        }

        @Override
        public void readSnapshot(final SnapshotReader in)
        {
            windows.readSnapshot(in);
        }

        @Override
        public void onClose()
        {
            windows.close();
        }
    }

    private static EngineContext context(final int shards)
    {
        return new EngineContext()
            .shardCount(shards)
            .handlers(ThirdEventRule::new)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset))
            .maxOutOfOrdernessMs(2_000);
    }

    private static byte[] event(final long time, final long amount)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[16]);
        event.putLong(0, time);
        event.putLong(8, amount);
        return event.byteArray();
    }

    /** Keys 0-19, times moving forward with up to 3 s of disorder (some late), amounts 1-100. */
    private static List<long[]> inputs(final int count)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final List<long[]> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            inputs.add(new long[] {random.nextLong(20), T0 + i * 200L - random.nextLong(3_000), 1 + random.nextLong(100)});
        }
        return inputs;
    }

    private static String describe(final List<TestDriver.Record> records)
    {
        final StringBuilder text = new StringBuilder();
        for (final TestDriver.Record record : records)
        {
            text.append(record.position()).append(',').append(record.shard()).append(',').append(record.ordinal()).append(',')
                .append(record.type()).append(',').append(record.key());
            for (int i = 0; i + 8 <= record.bytes().length; i += 8)
            {
                text.append(',').append(record.longAt(i / 8));
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static List<TestDriver.Record> drive(final TestDriver driver, final List<long[]> inputs)
    {
        for (final long[] input : inputs)
        {
            driver.pipe(input[0], event(input[1], input[2]));
        }
        driver.endOfInput();
        return driver.outputs();
    }

    @Test
    void shouldGiveTheOutputsAndIdsTheEngineGivesForTheSameInputs() throws Exception
    {
        final List<long[]> inputs = inputs(2_000);
        for (final int shards : new int[] {1, 3})
        {
            final String driven;
            try (TestDriver driver = TestDriver.create(context(shards)))
            {
                driven = describe(drive(driver, inputs));
            }

            final List<TestDriver.Record> seen = new CopyOnWriteArrayList<>();
            final EngineContext ctx = context(shards)
                .directory(dir.resolve("engine-" + shards))
                .outputListener(output ->
                {
                    final byte[] bytes = new byte[output.length()];
                    output.buffer().getBytes(output.offset(), bytes);
                    seen.add(new TestDriver.Record(output.position(), output.shard(), output.ordinal(), output.type(), output.key(), bytes));
                });
            try (Engine engine = new Engine(ctx).start())
            {
                final EventPublisher publisher = engine.newPublisher(0);
                for (final long[] input : inputs)
                {
                    final byte[] event = event(input[1], input[2]);
                    publisher.publish(input[0], new UnsafeBuffer(event), 0, event.length);
                }
                publisher.endOfInput();
            }
            // shards run on their own threads in the engine: compare each shard's sequence
            for (int shard = 0; shard < shards; shard++)
            {
                assertEquals(ofShard(driven, shard), ofShard(describe(seen), shard), "shard " + shard + " of " + shards);
            }
            assertTrue(driven.lines().anyMatch(line -> line.split(",")[3].equals(String.valueOf(LATE))), "some events are late");
            assertTrue(driven.lines().anyMatch(line -> line.split(",")[3].equals(String.valueOf(ALERT))), "some windows alert");
        }
    }

    private static String ofShard(final String described, final int shard)
    {
        final StringBuilder text = new StringBuilder();
        described.lines().filter(line -> line.split(",")[1].equals(String.valueOf(shard))).forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    @Test
    void shouldCloseWindowsAsTheWatermarkPassesThem()
    {
        try (TestDriver driver = TestDriver.create(context(1)))
        {
            driver.pipe(7, event(T0 + 1_000, 10));
            driver.pipe(7, event(T0 + 2_000, 20));
            driver.pipe(7, event(T0 + 3_000, 30));
            final TestDriver.Record alert = driver.readOutput();
            assertEquals(ALERT, alert.type());
            assertEquals(T0, alert.longAt(0), "the window of [T0, T0 + 10 s)");
            assertNull(driver.readOutput());
            assertEquals(T0 + 1_000, driver.watermark(), "3,000 less the 2,000 ms of out-of-orderness");

            driver.pipe(8, event(T0 + 11_999, 1));   // watermark T0 + 9,999: the window stays open
            assertNull(driver.readOutput());
            final long moved = driver.position();
            driver.pipe(8, event(T0 + 12_000, 1));   // watermark T0 + 10,000: it closes
            final TestDriver.Record window = driver.readOutput();
            assertEquals(WINDOW, window.type());
            assertEquals(7, window.key());
            assertEquals(T0, window.longAt(0));
            assertEquals(3, window.longAt(1));
            assertEquals(60, window.longAt(2));
            assertEquals(moved, window.position(), "the output takes the position of the event that moved the watermark");
            assertEquals(driver.outputs().get(driver.outputs().size() - 1), window);

            driver.pipe(7, event(T0 + 9_000, 5));    // behind its source's watermark: late
            final TestDriver.Record late = driver.readOutput();
            assertEquals(LATE, late.type());
            assertEquals(1, driver.lateEvents(0));

            driver.endOfInput();
            final TestDriver.Record last = driver.readOutput();
            assertEquals(WINDOW, last.type());
            assertEquals(8, last.key());
            assertEquals(2, last.longAt(1), "end of input closes the key's open window");
            assertThrows(IllegalStateException.class, () -> driver.pipe(7, event(T0, 1)), "nothing after the end of input");
        }
    }

    @Test
    void shouldRestoreASnapshotAndGoOnAsOneUninterruptedRun() throws Exception
    {
        final List<long[]> inputs = inputs(1_000);
        final String uninterrupted;
        try (TestDriver driver = TestDriver.create(context(2)))
        {
            uninterrupted = describe(drive(driver, inputs));
        }

        final List<TestDriver.Record> outputs = new ArrayList<>();
        try (TestDriver first = TestDriver.create(context(2)))
        {
            for (final long[] input : inputs.subList(0, 437))
            {
                first.pipe(input[0], event(input[1], input[2]));
            }
            first.advanceTime(1_000);
            first.snapshot(dir.resolve("snapshot"));
            outputs.addAll(first.outputs());
        }
        try (TestDriver second = TestDriver.restore(context(2), dir.resolve("snapshot")))
        {
            assertEquals(TestDriver.DEFAULT_START_TIME_MS + 1_000, second.time());
            outputs.addAll(drive(second, inputs.subList(437, inputs.size())));
        }
        // the TICK at the snapshot is an input the uninterrupted run had not: compare without positions
        assertEquals(withoutPositions(uninterrupted), withoutPositions(describe(outputs)));

        assertThrows(SnapshotCorruptedException.class, () -> TestDriver.restore(context(3), dir.resolve("snapshot")),
            "a snapshot of 2 shards into 3");
    }

    private static String withoutPositions(final String described)
    {
        final StringBuilder text = new StringBuilder();
        described.lines().forEach(line -> text.append(line.substring(line.indexOf(',') + 1)).append('\n'));
        return text.toString();
    }

    @Test
    void shouldJudgeEventTimeAgainstTheDriversClock()
    {
        final EngineContext ctx = context(1).maxEventTimeAheadMs(60_000);
        try (TestDriver driver = TestDriver.create(ctx))
        {
            final long ahead = TestDriver.DEFAULT_START_TIME_MS + 120_000;
            driver.pipe(1, event(ahead, 1));
            final TestDriver.Record dead = driver.readOutput();
            assertEquals(Output.DEAD_LETTER, dead.type(), "two minutes ahead of processing time, one allowed");
            assertTrue(DeadLetter.reason(dead).contains("ahead"), DeadLetter.reason(dead));

            driver.advanceTime(120_000);
            driver.pipe(1, event(ahead, 1));
            assertNull(driver.readOutput(), "the same event once processing time has caught up");
        }
    }

    @Test
    void shouldMarkASilentSourceIdleOnTicks()
    {
        final EngineContext ctx = context(1).idleSourceTimeoutMs(5_000).expectSource(1, 1).expectSource(2, 1);
        try (TestDriver driver = TestDriver.create(ctx))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[16]);
            event.putLong(0, T0);
            driver.pipe(1, 0, 0, 9, 0, event, 0, 16);
            driver.pipe(2, 0, 0, 9, 0, event, 0, 16);
            event.putLong(0, T0 + 60_000);
            driver.pipe(1, 0, 1, 9, 0, event, 0, 16);
            assertEquals(T0 - 2_000, driver.watermark(), "held back by source 2");
            driver.advanceTime(1_000);
            driver.pipe(1, 0, 2, 9, 0, event, 0, 16);
            driver.advanceTime(5_000);
            assertEquals(T0 + 58_000, driver.watermark(), "source 2 silent for 5 s of ticks: idle");
            final TestDriver.Record window = driver.readOutput();
            assertEquals(WINDOW, window.type());
            assertEquals(2, window.longAt(1));
        }
    }

    @Test
    void shouldDeadLetterAHandlerErrorAndFailUnderStrict()
    {
        final ShardHandler throwing = (event, context) ->
        {
            throw new IllegalStateException("rule broke on key " + event.key());
        };
        try (TestDriver driver = TestDriver.create(new EngineContext().handlers(shard -> throwing)))
        {
            driver.pipe(5, new byte[8]);
            final TestDriver.Record dead = driver.readOutput();
            assertEquals(Output.DEAD_LETTER, dead.type());
            assertEquals(5, dead.key());
            assertTrue(DeadLetter.reason(dead).contains("rule broke on key 5"));
            driver.pipe(6, new byte[8]);
            assertEquals(2, driver.outputs().size(), "the engine goes on after a dead letter");
        }
        try (TestDriver driver = TestDriver.create(new EngineContext().handlers(shard -> throwing).errorPolicy(ErrorPolicy.STRICT)))
        {
            final EngineException failed = assertThrows(EngineException.class, () -> driver.pipe(5, new byte[8]));
            assertTrue(String.valueOf(failed.getCause()).contains("STRICT"), String.valueOf(failed.getCause()));
            assertThrows(EngineException.class, () -> driver.pipe(6, new byte[8]), "a failed engine takes nothing more");
        }
    }

    @Test
    void shouldRefuseMisuse()
    {
        assertThrows(IllegalArgumentException.class, () -> TestDriver.create(new EngineContext()), "no handlers");
        final TestDriver driver = TestDriver.create(context(1));
        try
        {
            assertThrows(IllegalArgumentException.class, () -> driver.pipe(1, new byte[EngineContext.DEFAULT_MAX_EVENT_LENGTH + 1]));
            assertThrows(IllegalArgumentException.class, () -> driver.advanceTime(-1));
            assertEquals(ThirdEventRule.class, driver.handler(0, ThirdEventRule.class).getClass());
        }
        finally
        {
            driver.close();
        }
        assertThrows(IllegalStateException.class, () -> driver.pipe(1, event(T0, 1)), "closed");
    }
}
