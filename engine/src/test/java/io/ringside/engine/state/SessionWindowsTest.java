package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionWindowsTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long GAP = 30_000;
    private static final long LATENESS = 5_000;

    private final List<String> closed = new ArrayList<>();
    private final WindowListener record = (key, window) -> closed.add(key + " [" + window.start() + ".." + SessionWindows.last(window) +
        "] n=" + window.events() + " sum=" + window.result(1) + " countries=" + window.result(2));

    private static SessionWindows sessions()
    {
        return new SessionWindows("test", GAP, LATENESS, 4, 1_000, Aggregates.count(), Aggregates.sum(), Aggregates.distinct(199));
    }

    @Test
    void shouldNotJoinEventsExactlyOneGapApart()
    {
        try (SessionWindows sessions = sessions())
        {
            sessions.add(1, T0, new long[] {0, 1, 7});
            sessions.add(1, T0 + GAP, new long[] {0, 2, 8});
            sessions.close(Long.MAX_VALUE, record);
            assertEquals(2, closed.size(), closed.toString());
        }
    }

    @Test
    void shouldMergeTwoSessionsThatAnEventBridges()
    {
        try (SessionWindows sessions = sessions())
        {
            sessions.add(1, T0, new long[] {0, 10, 1});
            sessions.add(1, T0 + 50_000, new long[] {0, 20, 2});
            sessions.add(1, T0 + 25_000, new long[] {0, 5, 1});
            assertEquals(0, sessions.close(T0 + 50_000 + GAP + LATENESS - 1, record));
            assertEquals(1, sessions.close(T0 + 50_000 + GAP + LATENESS, record));
            assertEquals(List.of("1 [" + T0 + ".." + (T0 + 50_000) + "] n=3 sum=35 countries=2"), closed);
            assertEquals(0, sessions.keys());
        }
    }

    @Test
    void shouldCloseAGrownSessionAtItsRealEnd()
    {
        try (SessionWindows sessions = sessions())
        {
            sessions.add(2, T0, new long[] {0, 1, 0});
            sessions.add(2, T0 + 20_000, new long[] {0, 1, 0});
            assertEquals(0, sessions.close(T0 + GAP + LATENESS, record), "its first timer fires, but the session has grown");
            assertEquals(1, sessions.close(T0 + 20_000 + GAP + LATENESS, record));
        }
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        final SplittableRandom random = new SplittableRandom(3);
        long lateEvents = 0;
        for (int stream = 0; stream < 50; stream++)
        {
            final long lateBefore = lateEvents;
            closed.clear();
            final List<String> expected = new ArrayList<>();
            final Map<Long, List<long[]>> model = new HashMap<>();
            long watermark = Long.MIN_VALUE;
            try (SessionWindows sessions = sessions())
            {
                for (int i = 0; i < 2_000; i++)
                {
                    final long key = random.nextLong(8);
                    final long time = T0 + i * (1_000L + random.nextLong(3_000)) - random.nextLong(2_000) -
                        (random.nextInt(30) == 0 ? random.nextLong(120_000) : 0);
                    final long amount = 1 + random.nextLong(100);
                    final long country = random.nextLong(5);
                    final boolean late = watermark != Long.MIN_VALUE && time + GAP <= watermark - LATENESS &&
                        model.getOrDefault(key, List.of()).stream().noneMatch(s -> s[0] - GAP < time && time < s[1] + GAP);
                    assertEquals(!late, sessions.add(key, time, new long[] {0, amount, country}),
                        "stream " + stream + " event " + i + ": late exactly when it joins no open session and its own has closed");
                    if (late)
                    {
                        lateEvents++;
                        continue;
                    }
                    addToModel(model.computeIfAbsent(key, k -> new ArrayList<>()), time, amount, country);
                    final long next = Math.max(watermark, time - 2_000);
                    if (next != watermark)
                    {
                        watermark = next;
                        sessions.close(watermark, record);
                        closeModel(model, watermark - LATENESS, expected);
                    }
                }
                sessions.close(Long.MAX_VALUE, record);
                closeModel(model, Long.MAX_VALUE, expected);
                assertEquals(0, sessions.keys());
                assertEquals(lateEvents - lateBefore, sessions.lateEvents());
            }
            expected.sort(null);
            final List<String> actual = new ArrayList<>(closed);
            actual.sort(null);
            assertEquals(expected, actual, "stream " + stream);
            assertTrue(expected.size() > 8);
        }
        assertTrue(lateEvents > 50, "the streams hold late events: " + lateEvents);
    }

    @Test
    void shouldReportAnEventLateOnlyWhenItJoinsNoOpenSessionAndItsOwnHasClosed()
    {
        try (SessionWindows sessions = sessions())
        {
            assertTrue(sessions.add(1, T0, new long[] {0, 1, 1}));
            sessions.close(T0 + 25_000 + LATENESS, record);
            assertEquals(List.of(), closed, "[T0, T0 + 30 s) is still open: it needs end + lateness <= W");
            assertTrue(sessions.add(1, T0 - 29_999, new long[] {0, 1, 1}), "old, but it joins the open session");
            assertFalse(sessions.add(1, T0 - 60_000, new long[] {0, 1, 1}), "joins nothing, and its own session ended at T0 - 30 s");
            assertFalse(sessions.add(2, T0 - 5_000, new long[] {0, 1, 1}), "another key: [T0 - 5 s, T0 + 25 s) has closed");
            assertEquals(1, sessions.keys(), "a late event leaves no entry behind");
            assertTrue(sessions.add(2, T0 - 4_999, new long[] {0, 1, 1}), "its session ends after W - lateness");
            assertEquals(2, sessions.lateEvents());
            sessions.close(Long.MAX_VALUE, record);
            assertEquals(2, closed.size());
            assertTrue(closed.contains("1 [" + (T0 - 29_999) + ".." + T0 + "] n=2 sum=2 countries=1"), closed.toString());
        }
    }

    /** A session: first, last, count, sum, countries bitset. */
    private static void addToModel(final List<long[]> open, final long t, final long amount, final long country)
    {
        long[] merged = null;
        for (final Iterator<long[]> it = open.iterator(); it.hasNext(); )
        {
            final long[] s = it.next();
            if (s[0] - GAP < t && t < s[1] + GAP)
            {
                if (merged == null)
                {
                    merged = s;
                }
                else
                {
                    merged[0] = Math.min(merged[0], s[0]);
                    merged[1] = Math.max(merged[1], s[1]);
                    merged[2] += s[2];
                    merged[3] += s[3];
                    merged[4] |= s[4];
                    it.remove();
                }
            }
        }
        if (merged == null)
        {
            merged = new long[] {t, t, 0, 0, 0};
            open.add(merged);
        }
        merged[0] = Math.min(merged[0], t);
        merged[1] = Math.max(merged[1], t);
        merged[2]++;
        merged[3] += amount;
        merged[4] |= 1L << country;
    }

    private static void closeModel(final Map<Long, List<long[]>> model, final long limit, final List<String> out)
    {
        for (final Map.Entry<Long, List<long[]>> e : model.entrySet())
        {
            for (final Iterator<long[]> it = e.getValue().iterator(); it.hasNext(); )
            {
                final long[] s = it.next();
                if (s[1] + GAP <= limit)
                {
                    out.add(e.getKey() + " [" + s[0] + ".." + s[1] + "] n=" + s[2] + " sum=" + s[3] + " countries=" + Long.bitCount(s[4]));
                    it.remove();
                }
            }
        }
    }
}
