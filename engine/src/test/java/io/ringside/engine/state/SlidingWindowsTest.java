package io.ringside.engine.state;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SlidingWindows} alone: the bound on a key's events (a clear refusal past it, never reached by a steady key
 * whose events expire), keys forgotten once idle, late events refused, and closing in slices giving the same windows.
 */
class SlidingWindowsTest
{
    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) ->
        closed.add(key + " [" + window.start() + "," + window.end() + "] n=" + window.events() + " sum=" + window.result(1));

    private SlidingWindows windows(final int eventsPerKey, final int closeSlice)
    {
        return new SlidingWindows("test", 10_000, 1_000, eventsPerKey, 64, closeSlice, record, Aggregates.count(), Aggregates.sum());
    }

    @Test
    void shouldRefuseAnEventPastTheEventsAKeyKeeps()
    {
        try (SlidingWindows windows = windows(4, Integer.MAX_VALUE))
        {
            for (int i = 0; i < 4; i++)
            {
                assertTrue(windows.add(7, i * 1_000, new long[]{0, 1}));
            }
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> windows.add(7, 4_000, new long[]{0, 1}));
            assertTrue(refused.getMessage().contains("key 7 keeps 4 events") && refused.getMessage().contains("give more events per key"),
                refused.getMessage());
            assertTrue(windows.add(8, 4_000, new long[]{0, 1}), "another key has its own room");
        }
    }

    @Test
    void shouldKeepOnlyTheEventsOpenWindowsNeed()
    {
        // one event a second for a day: a window reaches back 10 s, plus 1 s of lateness and 1 s of watermark lag: 12 s,
        // 13 events with both ends
        try (SlidingWindows windows = windows(13, Integer.MAX_VALUE))
        {
            for (long t = 0; t < 86_400_000; t += 1_000)
            {
                assertTrue(windows.add(7, t, new long[]{0, 1}));
                windows.close(t - 1_000);
            }
            assertEquals("7 [86387000,86397000] n=11 sum=11", closed.get(closed.size() - 1));
            assertEquals(1, windows.keys());
        }
    }

    /**
     * Ten-minute windows: a key's expiry lies past the timing wheel, in the timers' overflow heap; still nothing
     * allocated per event once warm.
     */
    @Test
    void shouldNotAllocatePerEventWithTenMinuteWindows()
    {
        try (SlidingWindows windows = new SlidingWindows("ten-minutes", 600_000, 1_000, 64, 4_096, Integer.MAX_VALUE, (key, window) ->
        {
        }, Aggregates.count(), Aggregates.sum()))
        {
            final long[] values = {0, 1};
            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            long before = 0;
            for (long i = 0; i < 400_000; i++)
            {
                if (i == 200_000)
                {
                    before = threads.getCurrentThreadAllocatedBytes();
                }
                final long time = i * 50;   // 4,000 keys, each an event every 200 s
                windows.add(i % 4_000, time, values);
                if (i % 16 == 0)
                {
                    windows.close(time - 500);
                }
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated over 200,000 events");
        }
    }

    @Test
    void shouldForgetAKeyOnceItsEventsAreOlderThanAnyWindowThatMayClose()
    {
        try (SlidingWindows windows = windows(8, Integer.MAX_VALUE))
        {
            windows.add(7, 1_000, new long[]{0, 5});
            windows.add(8, 30_000, new long[]{0, 6});
            windows.close(20_000);
            assertEquals(List.of("7 [-9000,1000] n=1 sum=5"), closed);
            assertEquals(1, windows.keys(), "key 7 is forgotten: nothing later than 19,000 can be added to it and reach back to 1,000");
            assertFalse(windows.add(7, 19_000, new long[]{0, 1}), "late: its window would have closed already");
            assertEquals(1, windows.lateEvents());
            assertTrue(windows.add(7, 19_001, new long[]{0, 1}));
            windows.close(Long.MAX_VALUE);
            assertEquals(List.of("7 [-9000,1000] n=1 sum=5", "7 [9001,19001] n=1 sum=1", "8 [20000,30000] n=1 sum=6"), closed);
            assertEquals(0, windows.keys());
        }
    }

    @Test
    void shouldCloseTheSameWindowsInSlices()
    {
        final List<String> whole = run(Integer.MAX_VALUE);
        final List<String> sliced = run(3);
        assertTrue(whole.size() > 1_000, "windows: " + whole.size());
        assertEquals(whole, sliced);
    }

    private List<String> run(final int closeSlice)
    {
        closed.clear();
        final SplittableRandom random = new SplittableRandom(11);
        try (SlidingWindows windows = windows(64, closeSlice))
        {
            long time = 0;
            for (int i = 0; i < 5_000; i++)
            {
                time += random.nextInt(50);
                final long eventTime = time - random.nextInt(900);
                windows.add(random.nextInt(20), eventTime, new long[]{0, random.nextInt(100)});
                windows.close(time);
                if (random.nextInt(4) == 0)
                {
                    while (windows.hasDue())
                    {
                        windows.closeDue();
                    }
                }
            }
            windows.close(Long.MAX_VALUE);
            assertEquals(0, windows.keys());
        }
        return new ArrayList<>(closed);
    }
}
