package io.ringside.engine.rule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.TestDriver;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Window;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sliding} windows on the {@link TestDriver}: the figure of each event's last ten seconds (count, sum, max), read
 * at once and given final at close; events out of order but not late counted in every window they fall in; late ones
 * left out; windows in the order of their ends, then keys, equal to a brute-force recount of every event; the same
 * outputs after a snapshot and restore mid-stream; processing time.
 */
class SlidingTest
{
    static final int CLOSED = 1;
    static final int LATE = 2;
    static final int NOW = 4;
    static final long SIZE_MS = 10_000;
    static final long LATENESS_MS = 1_000;

    @TempDir
    Path dir;

    /** The last ten seconds of each key, as of each event: NOW at the event, CLOSED when its window closes. */
    static final class LastTenSeconds extends Rule
    {
        private final Sliding last10s;
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[40]);
        private final boolean now;
        private final boolean processingTime;

        LastTenSeconds(final int shard, final boolean now, final boolean processingTime, final int closeSlice)
        {
            super("last10s-" + shard, LATENESS_MS);
            this.now = now;
            this.processingTime = processingTime;
            operators().lateOutput(LATE);
            last10s = processingTime ?
                operators().slidingOnProcessingTime("w", SIZE_MS, 64, 16, this::closed, Aggregates.count(), Aggregates.sum(), Aggregates.max()) :
                operators().sliding("w", SIZE_MS, 64, 16, this::closed, Aggregates.count(), Aggregates.sum(), Aggregates.max());
            last10s.closeSlice(closeSlice);
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            final long value = event.buffer().getLong(event.offset());
            final long time = processingTime ? processingTime() : event.buffer().getLong(event.offset() + 8);
            if (last10s.add(event.key(), time, 0, value, value) && now)
            {
                emit(NOW, event.key(), last10s.window(), context);
            }
        }

        private void closed(final long key, final Window window, final ShardContext context)
        {
            emit(CLOSED, key, window, context);
        }

        private void emit(final int type, final long key, final Window window, final ShardContext context)
        {
            out.putLong(0, window.start());
            out.putLong(8, window.end());
            out.putLong(16, window.result(0));
            out.putLong(24, window.result(1));
            out.putLong(32, window.result(2));
            context.emit(type, key, out, 0, 40);
        }
    }

    private static EngineContext context(final boolean now, final boolean processingTime, final int closeSlice)
    {
        return new EngineContext()
            .handlers(shard -> new LastTenSeconds(shard, now, processingTime, closeSlice))
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + 8));
    }

    private static void pipe(final TestDriver driver, final long key, final long time, final long value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putLong(0, value);
        buffer.putLong(8, time);
        driver.pipe(key, buffer.byteArray());
    }

    private static List<String> lines(final List<TestDriver.Record> outputs, final long base, final boolean ids)
    {
        final List<String> lines = new ArrayList<>();
        for (final TestDriver.Record output : outputs)
        {
            final String prefix = ids ? output.position() + ":" + output.ordinal() + " " : "";
            if (output.type() == LATE)
            {
                lines.add(prefix + "LATE key=" + output.key() + " t=" + output.longAt(1) + " v=" + output.longAt(0));
                continue;
            }
            lines.add(prefix + (output.type() == NOW ? "NOW" : "CLOSED") + " key=" + output.key() + " [" + (output.longAt(0) - base) + "," +
                (output.longAt(1) - base) + "] count=" + output.longAt(2) + " sum=" + output.longAt(3) + " max=" + output.longAt(4));
        }
        return lines;
    }

    @Test
    void shouldGiveEachEventTheFigureOfItsLastTenSeconds()
    {
        try (TestDriver driver = TestDriver.create(context(true, false, Integer.MAX_VALUE)))
        {
            pipe(driver, 1, 0, 1);
            pipe(driver, 1, 4_000, 2);
            pipe(driver, 1, 9_000, 4);
            pipe(driver, 1, 10_000, 8);
            pipe(driver, 1, 10_000, 16);    // the same time: the same window
            pipe(driver, 1, 21_000, 32);
            pipe(driver, 1, 20_500, 64);    // out of order, not late: in its own window and in 21,000's
            pipe(driver, 1, 19_000, 128);   // late: at or below 21,000 - 1,000
            driver.endOfInput();
            assertEquals(List.of(
                "NOW key=1 [-10000,0] count=1 sum=1 max=1",
                "NOW key=1 [-6000,4000] count=2 sum=3 max=2",
                "CLOSED key=1 [-10000,0] count=1 sum=1 max=1",          // the watermark at 4,000 passed 0 + 1,000
                "NOW key=1 [-1000,9000] count=3 sum=7 max=4",
                "CLOSED key=1 [-6000,4000] count=2 sum=3 max=2",
                "NOW key=1 [0,10000] count=4 sum=15 max=8",
                "CLOSED key=1 [-1000,9000] count=3 sum=7 max=4",
                "NOW key=1 [0,10000] count=5 sum=31 max=16",            // both ends inclusive: the event at 0 counts
                "NOW key=1 [11000,21000] count=1 sum=32 max=32",
                "CLOSED key=1 [0,10000] count=5 sum=31 max=16",          // once for the two events at 10,000
                "NOW key=1 [10500,20500] count=1 sum=64 max=64",
                "LATE key=1 t=19000 v=128",
                "CLOSED key=1 [10500,20500] count=1 sum=64 max=64",      // end of input, in order of their ends
                "CLOSED key=1 [11000,21000] count=2 sum=96 max=64"),
                lines(driver.outputs(), 0, false));
            assertEquals(1, driver.lateEvents(0));
            assertEquals(0, driver.handler(0, LastTenSeconds.class).last10s.keys(), "the end of input forgets every key");
        }
    }

    /**
     * Random keys and times, some out of order and some late, with a close slice of one window: the windows come out in
     * the order of their ends, then keys, one per key and event time of every event not reported late, each equal to a
     * recount of those events in {@code [end - size, end]}.
     */
    @Test
    void shouldEqualARecountOfTheEventsInOrderOfEndsThenKeys()
    {
        final List<long[]> piped = new ArrayList<>();
        try (TestDriver driver = TestDriver.create(context(false, false, 1)))
        {
            randomEvents(driver, new Draws(42), 3_000, piped);
            driver.endOfInput();
            final List<long[]> accepted = new ArrayList<>(piped);
            final List<long[]> closed = new ArrayList<>();
            for (final TestDriver.Record output : driver.outputs())
            {
                if (output.type() == LATE)
                {
                    for (int i = 0; i < accepted.size(); i++)
                    {
                        final long[] e = accepted.get(i);
                        if (e[0] == output.key() && e[1] == output.longAt(1) && e[2] == output.longAt(0))
                        {
                            accepted.remove(i);
                            break;
                        }
                    }
                }
                else
                {
                    closed.add(new long[]{output.longAt(1), output.key(), output.longAt(2), output.longAt(3), output.longAt(4)});
                }
            }
            assertTrue(driver.lateEvents(0) > 10, "some events were late: " + driver.lateEvents(0));
            assertEquals(piped.size() - driver.lateEvents(0), accepted.size());
            assertEquals(recount(accepted), closed.stream().map(SlidingTest::window).toList());
        }
    }

    @Test
    void shouldGiveTheSameOutputsAfterASnapshotMidStream() throws Exception
    {
        final List<String> uninterrupted;
        final int before;
        try (TestDriver driver = TestDriver.create(context(true, false, 2)))
        {
            final Draws draws = new Draws(7);
            randomEvents(driver, draws, 700, new ArrayList<>());
            before = driver.outputs().size();
            driver.snapshot(dir.resolve("snapshot"));
            randomEvents(driver, draws, 700, new ArrayList<>());
            driver.endOfInput();
            uninterrupted = lines(driver.outputs(), 0, true);
        }
        try (TestDriver driver = TestDriver.restore(context(true, false, 2), dir.resolve("snapshot")))
        {
            final Draws draws = new Draws(7);
            randomEvents(null, draws, 700, new ArrayList<>());   // the same draws, not piped: the snapshot holds them
            randomEvents(driver, draws, 700, new ArrayList<>());
            driver.endOfInput();
            assertEquals(uninterrupted.subList(before, uninterrupted.size()), lines(driver.outputs(), 0, true));
        }
    }

    @Test
    void shouldRunOnProcessingTime()
    {
        try (TestDriver driver = TestDriver.create(context(false, true, Integer.MAX_VALUE)))
        {
            driver.advanceTime(1_000);
            final long base = driver.time();
            pipe(driver, 1, 0, 1);              // event time plays no part
            driver.advanceTime(4_000);          // the tick at 4,000 closes the window ending at 0
            pipe(driver, 1, 500_000, 2);
            pipe(driver, 2, 0, 8);
            driver.advanceTime(7_000);
            pipe(driver, 1, 0, 4);              // at 11,000: [1,000, 11,000] holds 4,000's event
            driver.endOfInput();
            assertEquals(List.of(
                "CLOSED key=1 [-10000,0] count=1 sum=1 max=1",
                "CLOSED key=1 [-6000,4000] count=2 sum=3 max=2", "CLOSED key=2 [-6000,4000] count=1 sum=8 max=8",
                "CLOSED key=1 [1000,11000] count=2 sum=6 max=4"),
                lines(driver.outputs(), base, false));
            assertEquals(0, driver.lateEvents(0), "no event is late to windows on processing time");
        }
    }

    /** Random draws and the clock they move. */
    static final class Draws
    {
        final Random random;
        long clockMs;

        Draws(final long seed)
        {
            this.random = new Random(seed);
        }
    }

    /**
     * Four keys, time moving on 0 to 300 ms an event, one event in 10 up to 1.5 s back (late past the lateness of 1 s).
     */
    private static void randomEvents(final TestDriver driver, final Draws draws, final int count, final List<long[]> piped)
    {
        final Random random = draws.random;
        for (int i = 0; i < count; i++)
        {
            draws.clockMs += random.nextInt(3) == 0 ? 0 : random.nextInt(300);
            final long key = 1 + random.nextInt(4);
            final long value = random.nextInt(1_000);
            final long eventTime = random.nextInt(10) == 0 ? draws.clockMs - random.nextInt(1_500) : draws.clockMs;
            if (driver != null)
            {
                pipe(driver, key, eventTime, value);
            }
            piped.add(new long[]{key, eventTime, value});
        }
    }

    private static List<String> recount(final List<long[]> events)
    {
        final TreeMap<Long, TreeMap<Long, long[]>> byEndThenKey = new TreeMap<>();
        for (final long[] event : events)
        {
            byEndThenKey.computeIfAbsent(event[1], end -> new TreeMap<>()).put(event[0], null);
        }
        final List<String> windows = new ArrayList<>();
        for (final Map.Entry<Long, TreeMap<Long, long[]>> end : byEndThenKey.entrySet())
        {
            for (final long key : end.getValue().keySet())
            {
                long n = 0;
                long sum = 0;
                long max = Long.MIN_VALUE;
                for (final long[] event : events)
                {
                    if (event[0] == key && event[1] >= end.getKey() - SIZE_MS && event[1] <= end.getKey())
                    {
                        n++;
                        sum += event[2];
                        max = Math.max(max, event[2]);
                    }
                }
                windows.add(window(new long[]{end.getKey(), key, n, sum, max}));
            }
        }
        return windows;
    }

    private static String window(final long[] window)
    {
        return "end=" + window[0] + " key=" + window[1] + " count=" + window[2] + " sum=" + window[3] + " max=" + window[4];
    }
}
