package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HoppingWindowsTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long SIZE = 300_000;
    private static final long ADVANCE = 60_000;
    private static final long LATENESS = 5_000;

    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) ->
        closed.add(key + " [" + window.start() + "," + window.end() + ") n=" + window.events() + " sum=" + window.result(1) + " max=" + window.result(2));

    private static HoppingWindows windows()
    {
        return new HoppingWindows("test", SIZE, ADVANCE, LATENESS, 7, 1_000, Aggregates.count(), Aggregates.sum(), Aggregates.max());
    }

    @Test
    void shouldPutAnEventInTheFiveWindowsThatHoldItAndEmitEachOnce()
    {
        try (HoppingWindows windows = windows())
        {
            final long pane = T0 - Math.floorMod(T0, ADVANCE);
            windows.add(3, pane + 10, new long[] {0, 70, 70});
            assertEquals(0, windows.close(pane + ADVANCE + LATENESS - 1, record));
            assertEquals(1, windows.close(pane + ADVANCE + LATENESS, record), "the window [pane - 240 s, pane + 60 s) closes first");
            assertEquals(4, windows.close(Long.MAX_VALUE, record));
            assertEquals(5, closed.size());
            for (int i = 0; i < 5; i++)
            {
                final long start = pane - (4 - i) * ADVANCE;
                assertEquals("3 [" + start + "," + (start + SIZE) + ") n=1 sum=70 max=70", closed.get(i));
            }
            assertEquals(0, windows.keys());
        }
    }

    @Test
    void shouldMergePanesIntoEachWindow()
    {
        try (HoppingWindows windows = windows())
        {
            final long pane = T0 - Math.floorMod(T0, ADVANCE);
            windows.add(1, pane, new long[] {0, 10, 10});
            windows.add(1, pane + ADVANCE, new long[] {0, 20, 20});
            windows.add(1, pane + 2 * ADVANCE + 5, new long[] {0, 5, 5});
            windows.close(Long.MAX_VALUE, record);
            assertTrue(closed.contains("1 [" + pane + "," + (pane + SIZE) + ") n=3 sum=35 max=20"), closed.toString());
            assertTrue(closed.contains("1 [" + (pane + ADVANCE) + "," + (pane + ADVANCE + SIZE) + ") n=2 sum=25 max=20"), closed.toString());
            assertEquals(7, closed.size(), "windows starting from pane - 240 s to pane + 120 s");
        }
    }

    @Test
    void shouldTakeAnEventFarAheadWhileOlderPanesAreStillOpen()
    {
        try (HoppingWindows windows = new HoppingWindows("test", SIZE, ADVANCE, LATENESS, 6, 100, Aggregates.count(), Aggregates.sum(),
            Aggregates.max()))
        {
            final long pane = T0 - Math.floorMod(T0, ADVANCE);
            windows.add(1, pane, new long[] {0, 1, 1});
            assertTrue(windows.add(1, pane + 12 * ADVANCE, new long[] {0, 2, 2}), "the same slot by position, while the first pane is open");
            assertTrue(windows.add(1, pane + 5, new long[] {0, 4, 4}), "the first pane is still found");
            windows.close(Long.MAX_VALUE, record);
            assertTrue(closed.contains("1 [" + pane + "," + (pane + SIZE) + ") n=2 sum=5 max=4"), closed.toString());
            assertTrue(closed.contains("1 [" + (pane + 12 * ADVANCE) + "," + (pane + 12 * ADVANCE + SIZE) + ") n=1 sum=2 max=2"), closed.toString());
            assertEquals(10, closed.size(), "5 windows hold each pane");
        }
    }

    @Test
    void shouldRefuseAnEventInAClosedWindow()
    {
        try (HoppingWindows windows = windows())
        {
            windows.add(1, T0, new long[3]);
            windows.close(T0 + SIZE + LATENESS + ADVANCE, record);
            assertFalse(windows.add(1, T0, new long[3]), "late: reported by false");
            assertEquals(1, windows.lateEvents());
            assertEquals(0, windows.keys(), "a late event changes nothing");
        }
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        final SplittableRandom random = new SplittableRandom(5);
        long lateEvents = 0;
        for (int stream = 0; stream < 30; stream++)
        {
            final long lateBefore = lateEvents;
            closed.clear();
            final List<String> expected = new ArrayList<>();
            final TreeMap<String, long[]> model = new TreeMap<>();
            long watermark = Long.MIN_VALUE;
            try (HoppingWindows windows = windows())
            {
                for (int i = 0; i < 3_000; i++)
                {
                    final long key = random.nextLong(10);
                    final long time = T0 + i * 200L - random.nextLong(2_000) - (random.nextInt(30) == 0 ? random.nextLong(90_000) : 0);
                    final long amount = 1 + random.nextLong(1_000);
                    final long pane = time - Math.floorMod(time, ADVANCE);
                    final boolean late = watermark != Long.MIN_VALUE && pane + ADVANCE <= watermark - LATENESS;
                    assertEquals(!late, windows.add(key, time, new long[] {0, amount, amount}),
                        "stream " + stream + " event " + i + ": late exactly when a window holding it has closed");
                    if (late)
                    {
                        lateEvents++;
                        continue;
                    }
                    for (long start = pane - SIZE + ADVANCE; start <= pane; start += ADVANCE)
                    {
                        final long s = start;
                        final long[] w = model.computeIfAbsent(String.format("%020d %03d", start + SIZE, key), k -> new long[] {key, s, 0, 0, 0});
                        w[2]++;
                        w[3] += amount;
                        w[4] = Math.max(w[4], amount);
                    }
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
                assertEquals(lateEvents - lateBefore, windows.lateEvents());
            }
            expected.sort(null);
            final List<String> actual = new ArrayList<>(closed);
            actual.sort(null);
            assertEquals(expected, actual, "stream " + stream);
        }
        assertTrue(lateEvents > 50, "the streams hold late events: " + lateEvents);
    }

    private static void closeModel(final TreeMap<String, long[]> model, final long limit, final List<String> out)
    {
        for (final var it = model.entrySet().iterator(); it.hasNext(); )
        {
            final long[] w = it.next().getValue();
            if (w[1] + SIZE <= limit)
            {
                out.add(w[0] + " [" + w[1] + "," + (w[1] + SIZE) + ") n=" + w[2] + " sum=" + w[3] + " max=" + w[4]);
                it.remove();
            }
        }
    }
}
