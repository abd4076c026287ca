package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountWindowsTest
{
    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) -> closed.add(describe(key, window.start(), window.end(), window.events(),
        window.result(0), window.result(1), window.result(2), window.result(3), window.result(4)));

    private static CountWindows windows(final long size, final long slide)
    {
        return new CountWindows("test", size, slide, 1_000,
            Aggregates.count(), Aggregates.sum(), Aggregates.min(), Aggregates.max(), Aggregates.distinct(199));
    }

    private static String describe(
        final long key, final long start, final long end, final long events, final long count, final long sum, final long min, final long max,
        final long distinct)
    {
        return key + " [" + start + "," + end + ") n=" + events + " count=" + count + " sum=" + sum + " min=" + min + " max=" + max +
            " distinct=" + distinct;
    }

    private int add(final CountWindows windows, final long key, final long amount, final long country)
    {
        return windows.add(key, new long[] {0, amount, amount, amount, country}, record);
    }

    @Test
    void shouldCloseATumblingCountWindowOnItsLastEvent()
    {
        try (CountWindows windows = windows(3, 3))
        {
            assertEquals(0, add(windows, 7, 10, 1));
            assertEquals(0, add(windows, 8, 99, 1), "another key counts apart");
            assertEquals(0, add(windows, 7, 30, 2));
            assertEquals(List.of(), closed);
            assertEquals(1, add(windows, 7, 20, 1), "the third event of key 7 closes its window");
            assertEquals(List.of(describe(7, 0, 3, 3, 3, 60, 10, 30, 2)), closed);
            assertEquals(0, add(windows, 7, 5, 4), "the fourth opens the next window");
            assertEquals(0, windows.close(1_700_000_000_000L, record), "the watermark does not close count windows");
            assertEquals(2, windows.close(Long.MAX_VALUE, record), "the end of input closes the partial windows");
            assertEquals(describe(7, 3, 6, 1, 1, 5, 5, 5, 1), closed.get(1));
            assertEquals(describe(8, 0, 3, 1, 1, 99, 99, 99, 1), closed.get(2));
            assertEquals(0, windows.keys(), "the end of input frees every entry");
        }
    }

    @Test
    void shouldSlideOverPanesAndEmitEachFullWindowOnce()
    {
        try (CountWindows windows = windows(4, 2))
        {
            for (int i = 1; i <= 7; i++)
            {
                add(windows, 1, i, 0);
            }
            // windows [0,4) at the 4th event, [2,6) at the 6th; [4,8) holds 3 events and [6,10) holds 1
            assertEquals(List.of(describe(1, 0, 4, 4, 4, 10, 1, 4, 1), describe(1, 2, 6, 4, 4, 18, 3, 6, 1)), closed);
            final long[] results = new long[5];
            assertEquals(3, windows.query(1, 4, results), "the open window [4,8) so far");
            assertEquals(5 + 6 + 7, results[1]);
            assertEquals(0, windows.query(1, 2, results), "closed");
            assertEquals(0, windows.query(1, 3, results), "not a window start");
            assertEquals(0, windows.query(2, 0, results), "no such key");
            assertEquals(2, windows.close(Long.MAX_VALUE, record));
            assertEquals(describe(1, 4, 8, 3, 3, 18, 5, 7, 1), closed.get(2));
            assertEquals(describe(1, 6, 10, 1, 1, 7, 7, 7, 1), closed.get(3));
        }
    }

    @Test
    void shouldRefuseASizeThatIsNotAMultipleOfTheSlide()
    {
        assertThrows(IllegalArgumentException.class, () -> windows(5, 2));
        assertThrows(IllegalArgumentException.class, () -> windows(2, 4));
        assertThrows(IllegalArgumentException.class, () -> windows(3, 0));
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        final long[][] shapes = {{1, 1}, {3, 3}, {4, 2}, {6, 2}, {6, 3}, {5, 1}, {8, 4}, {12, 3}, {20, 20}};
        final SplittableRandom random = new SplittableRandom(23);
        int windowsSeen = 0;
        for (int stream = 0; stream < 200; stream++)
        {
            final long[] shape = shapes[random.nextInt(shapes.length)];
            final long size = shape[0];
            final long slide = shape[1];
            final int keyCount = 1 + random.nextInt(10);
            final Map<Long, List<long[]>> model = new HashMap<>();
            final List<Long> keyOrder = new ArrayList<>();
            try (CountWindows windows = windows(size, slide))
            {
                final int n = random.nextInt(600);
                for (int i = 0; i < n; i++)
                {
                    final long key = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(keyCount);
                    final long amount = random.nextLong(1_000_000) - 1_000;
                    final long country = random.nextInt(200);
                    closed.clear();
                    final int emitted = add(windows, key, amount, country);
                    final List<long[]> events = model.computeIfAbsent(key, k ->
                    {
                        keyOrder.add(k);
                        return new ArrayList<>();
                    });
                    events.add(new long[] {amount, country});
                    final List<String> expected = new ArrayList<>();
                    if (events.size() % slide == 0 && events.size() >= size)
                    {
                        expected.add(window(key, events, events.size() - size, size));
                    }
                    assertEquals(expected, closed, "stream " + stream + " event " + i);
                    assertEquals(expected.size(), emitted);
                    windowsSeen += emitted;
                }
                closed.clear();
                final List<String> expected = new ArrayList<>();
                for (final long key : keyOrder)
                {
                    final List<long[]> events = model.get(key);
                    for (long start = 0; start < events.size(); start += slide)
                    {
                        if (start + size > events.size())
                        {
                            expected.add(window(key, events, start, size));
                        }
                    }
                }
                assertEquals(expected.size(), windows.close(Long.MAX_VALUE, record));
                assertEquals(expected, closed, "stream " + stream + " at the end of input (keys in first-seen order, earliest window first)");
                assertEquals(0, windows.keys());
            }
        }
        assertTrue(windowsSeen > 1_000, "the streams close many windows: " + windowsSeen);
    }

    private static String window(final long key, final List<long[]> events, final long start, final long size)
    {
        final int to = (int)Math.min(events.size(), start + size);
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        final java.util.Set<Long> countries = new java.util.HashSet<>();
        for (int i = (int)start; i < to; i++)
        {
            sum += events.get(i)[0];
            min = Math.min(min, events.get(i)[0]);
            max = Math.max(max, events.get(i)[0]);
            countries.add(events.get(i)[1]);
        }
        return describe(key, start, start + size, to - start, to - start, sum, min, max, countries.size());
    }
}
