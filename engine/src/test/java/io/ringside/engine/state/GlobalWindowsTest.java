package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalWindowsTest
{
    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) -> closed.add(describe(key, window.start(), window.end(), window.events(),
        window.result(0), window.result(1), window.result(2), window.result(3)));

    private static GlobalWindows windows(final long triggerCount)
    {
        return new GlobalWindows("test", triggerCount, 1_000, Aggregates.count(), Aggregates.sum(), Aggregates.min(), Aggregates.max());
    }

    private static String describe(
        final long key, final long start, final long end, final long events, final long count, final long sum, final long min, final long max)
    {
        return key + " [" + start + "," + end + ") n=" + events + " count=" + count + " sum=" + sum + " min=" + min + " max=" + max;
    }

    private int add(final GlobalWindows windows, final long key, final long amount)
    {
        return windows.add(key, new long[] {0, amount, amount, amount}, record);
    }

    @Test
    void shouldCloseOnlyAtTheEndOfInputWithoutATrigger()
    {
        try (GlobalWindows windows = windows(0))
        {
            for (int i = 1; i <= 100; i++)
            {
                assertEquals(0, add(windows, i % 2, i));
            }
            assertEquals(0, windows.close(Long.MAX_VALUE - 1, record), "only the end of input closes");
            final long[] results = new long[4];
            assertEquals(50, windows.query(1, results));
            assertEquals(2500, results[1]);
            assertEquals(0, windows.query(5, results), "no such key");
            assertEquals(2, windows.close(Long.MAX_VALUE, record));
            assertEquals(List.of(describe(1, 0, Long.MAX_VALUE, 50, 50, 2500, 1, 99), describe(0, 0, Long.MAX_VALUE, 50, 50, 2550, 2, 100)), closed);
            assertEquals(0, windows.keys());
        }
    }

    @Test
    void shouldCloseAtTheTriggerCountAndWhenFired()
    {
        try (GlobalWindows windows = windows(3))
        {
            assertEquals(0, add(windows, 4, 10));
            assertEquals(0, add(windows, 4, 20));
            assertEquals(1, add(windows, 4, 30), "the third event reaches the trigger count");
            assertEquals(0, add(windows, 4, 40), "the next event opens the key's next window");
            assertTrue(windows.fire(4, record), "the embedder's trigger");
            assertFalse(windows.fire(4, record), "nothing open to fire");
            assertFalse(windows.fire(5, record), "no such key");
            assertEquals(1, windows.keys(), "firing an unknown key leaves no entry");
            assertEquals(0, windows.close(Long.MAX_VALUE, record), "nothing open at the end");
            assertEquals(List.of(describe(4, 0, Long.MAX_VALUE, 3, 3, 60, 10, 30), describe(4, 3, Long.MAX_VALUE, 1, 1, 40, 40, 40)), closed);
        }
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        final SplittableRandom random = new SplittableRandom(31);
        int windowsSeen = 0;
        for (int stream = 0; stream < 200; stream++)
        {
            final long trigger = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(10);
            final int keyCount = 1 + random.nextInt(10);
            final Map<Long, long[]> seen = new HashMap<>();
            final Map<Long, List<Long>> open = new HashMap<>();
            final List<Long> keyOrder = new ArrayList<>();
            try (GlobalWindows windows = windows(trigger))
            {
                final int n = random.nextInt(600);
                for (int i = 0; i < n; i++)
                {
                    final long key = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(keyCount);
                    closed.clear();
                    final List<String> expected = new ArrayList<>();
                    if (random.nextInt(20) == 0)
                    {
                        final boolean fired = windows.fire(key, record);
                        final List<Long> amounts = open.get(key);
                        if (amounts != null && !amounts.isEmpty())
                        {
                            expected.add(window(key, seen.get(key)[0] - amounts.size(), amounts));
                            amounts.clear();
                        }
                        assertEquals(!expected.isEmpty(), fired);
                        assertEquals(expected, closed, "stream " + stream + " fire " + i);
                        continue;
                    }
                    final long amount = random.nextLong(2_000_000) - 1_000_000;
                    final int emitted = add(windows, key, amount);
                    if (!seen.containsKey(key))
                    {
                        keyOrder.add(key);
                        seen.put(key, new long[1]);
                    }
                    seen.get(key)[0]++;
                    final List<Long> amounts = open.computeIfAbsent(key, k -> new ArrayList<>());
                    amounts.add(amount);
                    if (trigger > 0 && amounts.size() == trigger)
                    {
                        expected.add(window(key, seen.get(key)[0] - amounts.size(), amounts));
                        amounts.clear();
                    }
                    assertEquals(expected, closed, "stream " + stream + " event " + i);
                    assertEquals(expected.size(), emitted);
                    windowsSeen += emitted;
                }
                closed.clear();
                final List<String> expected = new ArrayList<>();
                for (final long key : keyOrder)
                {
                    final List<Long> amounts = open.get(key);
                    if (!amounts.isEmpty())
                    {
                        expected.add(window(key, seen.get(key)[0] - amounts.size(), amounts));
                    }
                }
                assertEquals(expected.size(), windows.close(Long.MAX_VALUE, record));
                assertEquals(expected, closed, "stream " + stream + " at the end of input");
                assertEquals(0, windows.keys());
            }
        }
        assertTrue(windowsSeen > 1_000, "the streams close many windows: " + windowsSeen);
    }

    private static String window(final long key, final long start, final List<Long> amounts)
    {
        long sum = 0;
        for (final long amount : amounts)
        {
            sum += amount;
        }
        final long min = amounts.stream().mapToLong(Long::longValue).min().orElseThrow();
        final long max = amounts.stream().mapToLong(Long::longValue).max().orElseThrow();
        return describe(key, start, Long.MAX_VALUE, amounts.size(), amounts.size(), sum, min, max);
    }
}
