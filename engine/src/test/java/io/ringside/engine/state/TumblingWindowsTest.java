package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TumblingWindowsTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long SIZE = 60_000;
    private static final long LATENESS = 5_000;

    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) -> closed.add(key + " [" + window.start() + "," + window.end() + ") n=" +
        window.events() + " count=" + window.result(0) + " sum=" + window.result(1) + " min=" + window.result(2) + " max=" +
        window.result(3) + " distinct=" + window.result(4));

    private static TumblingWindows windows()
    {
        return new TumblingWindows("test", SIZE, LATENESS, 3, 1_000,
            Aggregates.count(), Aggregates.sum(), Aggregates.min(), Aggregates.max(), Aggregates.distinct(199));
    }

    private static void add(final TumblingWindows windows, final long key, final long time, final long amount, final long country)
    {
        windows.add(key, time, new long[] {0, amount, amount, amount, country});
        windows.release();
    }

    @Test
    void shouldAggregateAndCloseExactlyAtEndPlusLateness()
    {
        try (TumblingWindows windows = windows())
        {
            final long start = T0 - Math.floorMod(T0, SIZE);
            add(windows, 7, start + 1, 300, 3);
            add(windows, 7, start + 59_999, 100, 5);
            add(windows, 7, start + 30_000, 200, 3);
            assertEquals(0, windows.close(start + SIZE + LATENESS - 1, record), "end + lateness > W: still open");
            assertEquals(1, windows.close(start + SIZE + LATENESS, record));
            assertEquals(List.of("7 [" + start + "," + (start + SIZE) + ") n=3 count=3 sum=600 min=100 max=300 distinct=2"), closed);
            assertEquals(0, windows.keys(), "a key with no open window leaves the map");
            assertNull(windows.add(7, start + 10, new long[5]), "its window has closed: late, reported by null");
            assertEquals(1, windows.lateEvents());
            assertEquals(0, windows.keys(), "a late event changes nothing");
            assertEquals(0, windows.close(Long.MAX_VALUE, record));
        }
    }

    @Test
    void shouldKeepSeveralWindowsPerKeyAndCloseThemEarliestFirst()
    {
        try (TumblingWindows windows = windows())
        {
            final long start = T0 - Math.floorMod(T0, SIZE);
            add(windows, 1, start + SIZE + 5, 10, 0);
            add(windows, 1, start + 5, 20, 0);
            add(windows, 2, start + 2 * SIZE, 30, 0);
            assertEquals(2, windows.keys());
            assertEquals(3, windows.close(Long.MAX_VALUE, record), "the end of input closes everything");
            assertTrue(closed.get(0).startsWith("1 [" + start + ","), closed.toString());
            assertTrue(closed.get(1).startsWith("1 [" + (start + SIZE) + ","), closed.toString());
            assertTrue(closed.get(2).startsWith("2 [" + (start + 2 * SIZE) + ","), closed.toString());
            assertEquals(0, windows.keys());
        }
    }

    @Test
    void shouldTakeAnEventFarAheadWhileOlderWindowsAreStillOpen()
    {
        try (TumblingWindows windows = new TumblingWindows("test", SIZE, LATENESS, 2, 100,
            Aggregates.count(), Aggregates.sum(), Aggregates.min(), Aggregates.max(), Aggregates.distinct(199)))
        {
            final long start = T0 - Math.floorMod(T0, SIZE);
            windows.add(1, start, new long[5]);
            windows.release();
            // 10 windows ahead: the same slot by position, while the first window is still open
            assertEquals(1, windows.add(1, start + 10 * SIZE, new long[5]).events());
            windows.release();
            assertEquals(2, windows.add(1, start + 1, new long[5]).events(), "the first window is still found");
            windows.release();
            assertEquals(2, windows.close(Long.MAX_VALUE, record));
            assertTrue(closed.get(0).startsWith("1 [" + start + ",") && closed.get(0).contains(" n=2 "), closed.toString());
            assertTrue(closed.get(1).startsWith("1 [" + (start + 10 * SIZE) + ",") && closed.get(1).contains(" n=1 "), closed.toString());
        }
    }

    @Test
    void shouldKeepARulesFlagForTheWindowsLife()
    {
        try (TumblingWindows windows = windows())
        {
            int alerts = 0;
            for (int i = 0; i < 30; i++)
            {
                final Window window = windows.add(9, T0 + i, new long[] {0, 1, 1, 1, 1});
                if (window.result(0) > 20 && !window.flag(0))
                {
                    window.setFlag(0);
                    alerts++;
                }
                windows.release();
            }
            assertEquals(1, alerts, "at most once per window");
        }
    }

    @Test
    void shouldRefuseMoreOpenWindowsThanSlotsAndStayUsable()
    {
        try (TumblingWindows windows = new TumblingWindows("test", SIZE, LATENESS, 1, 100, Aggregates.count()))
        {
            windows.add(1, T0, new long[] {0});
            windows.release();
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> windows.add(1, T0 + SIZE, new long[] {0}));
            assertTrue(ex.getMessage().contains("more open windows than its 1 slots"), ex.getMessage());
            windows.add(2, T0, new long[] {0});
            windows.release();
            assertEquals(2, windows.keys());
        }
    }

    @Test
    void shouldAnswerQueriesFromAnotherThread() throws Exception
    {
        try (TumblingWindows windows = windows())
        {
            add(windows, 5, T0, 250, 1);
            add(windows, 5, T0 + 1, 50, 2);
            final long start = windows.windowStart(T0);
            final long[] results = new long[5];
            final long[] events = new long[1];
            final Thread reader = new Thread(() -> events[0] = windows.query(5, start, results));
            reader.start();
            reader.join(30_000);
            assertEquals(2, events[0]);
            assertEquals(300, results[1]);
            assertEquals(2, results[4]);
            assertEquals(0, windows.query(5, start + SIZE, results), "no such window");
            assertEquals(0, windows.query(6, start, results), "no such key");
        }
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        final SplittableRandom random = new SplittableRandom(11);
        long allLate = 0;
        for (int stream = 0; stream < 50; stream++)
        {
            closed.clear();
            final List<String> expected = new ArrayList<>();
            final TreeMap<String, long[]> model = new TreeMap<>();
            long watermark = Long.MIN_VALUE;
            long lateEvents = 0;
            try (TumblingWindows windows = windows())
            {
                for (int i = 0; i < 2_000; i++)
                {
                    final long key = random.nextLong(20);
                    final long time = T0 + i * 50L - random.nextLong(2_000) - (random.nextInt(50) == 0 ? random.nextLong(20_000) : 0);
                    final long amount = 1 + random.nextLong(1_000);
                    final long country = random.nextLong(200);
                    final long start = windows.windowStart(time);
                    final boolean late = watermark != Long.MIN_VALUE && start + SIZE <= watermark - LATENESS;
                    final Window window = windows.add(key, time, new long[] {0, amount, amount, amount, country});
                    windows.release();
                    assertEquals(late, window == null, "stream " + stream + " event " + i + ": late exactly when its window has closed");
                    if (late)
                    {
                        lateEvents++;
                        continue;
                    }
                    final long[] w = model.computeIfAbsent(String.format("%020d %03d", start, key), k -> new long[] {key, start, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0, 0, 0, 0});
                    w[2]++;
                    w[3] += amount;
                    w[4] = Math.min(w[4], amount);
                    w[5] = Math.max(w[5], amount);
                    w[6 + (int)(country / 64)] |= 1L << country;
                    final long next = Math.max(watermark, time - 2_000);
                    if (next != watermark)
                    {
                        watermark = next;
                        windows.close(watermark, record);
                        closeModel(model, watermark - LATENESS, expected);
                    }
                }
                windows.close(Long.MAX_VALUE, record);
                closeModel(model, Long.MAX_VALUE, expected);
                assertEquals(0, windows.keys());
                assertEquals(lateEvents, windows.lateEvents());
            }
            assertEquals(sorted(expected), sorted(closed), "stream " + stream);
            assertFalse(expected.isEmpty());
            allLate += lateEvents;
        }
        assertTrue(allLate > 50, "the streams hold late events: " + allLate);
    }

    private static void closeModel(final TreeMap<String, long[]> model, final long limit, final List<String> out)
    {
        for (final var it = model.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<String, long[]> e = it.next();
            final long[] w = e.getValue();
            if (w[1] + SIZE <= limit)
            {
                final long distinct = Long.bitCount(w[6]) + Long.bitCount(w[7]) + Long.bitCount(w[8]) + Long.bitCount(w[9]);
                out.add(w[0] + " [" + w[1] + "," + (w[1] + SIZE) + ") n=" + w[2] + " count=" + w[2] + " sum=" + w[3] + " min=" + w[4] +
                    " max=" + w[5] + " distinct=" + distinct);
                it.remove();
            }
        }
    }

    private static List<String> sorted(final List<String> list)
    {
        final List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }
}
