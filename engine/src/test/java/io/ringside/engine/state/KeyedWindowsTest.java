package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedWindowsTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TUMBLING = 60_000;
    private static final long HOPPING = 300_000;
    private static final long ADVANCE = 60_000;
    private static final long GAP = 30_000;
    private static final long LATENESS = 5_000;

    private final List<String> closed = new ArrayList<>();
    private final WindowListener tumblingClosed = (key, w) -> closed.add("T " + key + " " + w.start() + " n=" + w.events() + " sum=" + w.result(1) +
        " max=" + w.result(2) + " flags=" + w.flags());
    private final WindowListener hoppingClosed = (key, w) -> closed.add("H " + key + " " + w.start() + " n=" + w.events() + " sum=" + w.result(1) +
        " max=" + w.result(2));
    private final WindowListener sessionClosed = (key, w) -> closed.add("S " + key + " " + w.start() + " " + KeyedWindows.Sessions.last(w) +
        " n=" + w.events() + " sum=" + w.result(1) + " max=" + w.result(2));
    private KeyedWindows.Tumbling tumbling;
    private KeyedWindows.Hopping hopping;
    private KeyedWindows.Sessions sessions;
    private int bytes;

    private KeyedWindows windows()
    {
        return windows(Integer.MAX_VALUE);
    }

    private KeyedWindows windows(final int closeSlice)
    {
        final KeyedWindows.Builder builder = KeyedWindows.builder("test", LATENESS, 1_000);
        if (closeSlice != Integer.MAX_VALUE)
        {
            builder.closeSlice(closeSlice);
        }
        tumbling = builder.tumbling(TUMBLING, 3, tumblingClosed, Aggregates.count(), Aggregates.sum(), Aggregates.max());
        hopping = builder.hopping(HOPPING, ADVANCE, 7, hoppingClosed, Aggregates.count(), Aggregates.sum(), Aggregates.max());
        sessions = builder.sessions(GAP, 4, sessionClosed, Aggregates.count(), Aggregates.sum(), Aggregates.max());
        bytes = builder.bytes(8);
        return builder.build();
    }

    private void add(final KeyedWindows windows, final long key, final long time, final long amount)
    {
        final long[] values = {0, amount, amount};
        final MutableDirectBuffer entry = windows.acquire(key);
        try
        {
            final Window window = tumbling.add(time, values);
            if (window.result(0) > 2 && !window.flag(0))
            {
                window.setFlag(0);
            }
            hopping.add(time, values);
            sessions.add(time, values);
            entry.putLong(bytes, entry.getLong(bytes) + 1);
        }
        finally
        {
            windows.release();
        }
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreams()
    {
        matchAPlainModelOnRandomStreams(Integer.MAX_VALUE);
    }

    @Test
    void shouldMatchAPlainModelOnRandomStreamsWhenClosingOneKeyASlot()
    {
        matchAPlainModelOnRandomStreams(1);
    }

    private void matchAPlainModelOnRandomStreams(final int closeSlice)
    {
        final SplittableRandom random = new SplittableRandom(11);
        for (int stream = 0; stream < 30; stream++)
        {
            closed.clear();
            final Model model = new Model();
            long watermark = Long.MIN_VALUE;
            try (KeyedWindows windows = windows(closeSlice))
            {
                for (int i = 0; i < 3_000; i++)
                {
                    if (windows.hasDue())
                    {
                        windows.closeDue();   // as the engine does after every slot while windows are due
                    }
                    final long key = random.nextLong(12);
                    final long time = T0 + i * (50L + stream * 20L) - random.nextLong(2_000);
                    final long amount = 1 + random.nextLong(1_000);
                    if (watermark != Long.MIN_VALUE && time <= watermark - LATENESS)
                    {
                        continue;
                    }
                    add(windows, key, time, amount);
                    model.add(key, time, amount);
                    final long next = Math.max(watermark, time - 2_000);
                    if (next != watermark)
                    {
                        watermark = next;
                        windows.close(watermark);
                        model.close(watermark - LATENESS);
                    }
                }
                windows.close(Long.MAX_VALUE);
                model.close(Long.MAX_VALUE);
                assertEquals(0, windows.keys());
            }
            final List<String> actual = new ArrayList<>(closed);
            actual.sort(null);
            model.out.sort(null);
            assertEquals(model.out, actual, "stream " + stream);
        }
    }

    @Test
    void shouldCloseTheKeysDueAtOneDeadlineInTheOrderTheyWereArmed()
    {
        for (final long[] order : new long[][] {{5, 1, 9, 3, 7}, {9, 7, 5, 3, 1}, {3, 9, 1, 7, 5}})
        {
            closed.clear();
            try (KeyedWindows windows = windows())
            {
                for (final long key : order)
                {
                    add(windows, key, T0 + 1_000, 10);
                }
                windows.close(T0 - Math.floorMod(T0, TUMBLING) + TUMBLING + LATENESS);
            }
            final List<Long> tumblingKeys = new ArrayList<>();
            for (final String line : closed)
            {
                if (line.startsWith("T "))
                {
                    tumblingKeys.add(Long.parseLong(line.split(" ")[1]));
                }
            }
            assertEquals(java.util.Arrays.stream(order).boxed().toList(), tumblingKeys);
        }
    }

    @Test
    void shouldCloseAtMostASliceOfKeysACallAndTheRestLater()
    {
        try (KeyedWindows windows = windows(3))
        {
            for (long key = 0; key < 10; key++)
            {
                add(windows, key, T0 + 1_000, 10);
            }
            final long firstEnd = T0 - Math.floorMod(T0, ADVANCE) + ADVANCE;
            windows.close(firstEnd + LATENESS);
            assertEquals(3, windows.visits(), "one slice");
            assertTrue(windows.hasDue());
            int calls = 1;
            while (windows.hasDue())
            {
                final long before = windows.visits();
                windows.closeDue();
                assertTrue(windows.visits() - before <= 3, "3 keys a call at most");
                calls++;
            }
            assertTrue(calls >= 4, "10 keys, 3 a call: " + calls + " calls");
            assertEquals(10, windows.visits());
            assertEquals(30, closed.size(), "each key's tumbling window, first hopping window and session: " + closed);
            windows.close(Long.MAX_VALUE);
            assertEquals(0, windows.keys(), "the end of input closes everything at once");
            assertFalse(windows.hasDue());
        }
    }

    @Test
    void shouldGoOnClosingInTheSameOrderAfterASnapshotTakenMidSlice(@TempDir final Path dir) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(5);
        final long[][] events = new long[4_000][];
        for (int i = 0; i < events.length; i++)
        {
            events[i] = new long[] {random.nextLong(300), T0 + i * 40L - random.nextLong(2_000), 1 + random.nextLong(1_000)};
        }
        final Path file = dir.resolve("windows.snap");
        final long[] watermark = {Long.MIN_VALUE};
        final int from;
        final List<String> original;
        final List<String> restored;
        try (KeyedWindows windows = windows(2))
        {
            int i = 0;
            while (i < events.length && !(i > 2_000 && windows.hasDue()))
            {
                feed(windows, events[i++], watermark);
            }
            assertTrue(windows.hasDue(), "the snapshot is taken with keys still due");
            try (SnapshotWriter out = SnapshotWriter.create(file))
            {
                windows.writeSnapshot(out);
                out.finish();
            }
            from = i;
            closed.clear();
            final long[] live = {watermark[0]};
            for (; i < events.length; i++)
            {
                feed(windows, events[i], live);
            }
            windows.close(Long.MAX_VALUE);
            original = new ArrayList<>(closed);
        }
        closed.clear();
        try (KeyedWindows copy = windows(2))
        {
            try (SnapshotReader in = SnapshotReader.open(file))
            {
                copy.readSnapshot(in);
                assertEquals(0, in.remaining());
            }
            for (int j = from; j < events.length; j++)
            {
                feed(copy, events[j], watermark);
            }
            copy.close(Long.MAX_VALUE);
            restored = new ArrayList<>(closed);
        }
        assertTrue(original.size() > 1_000, "outputs after the snapshot: " + original.size());
        assertEquals(original, restored, "the same outputs in the same order");
    }

    /** One slot as the engine runs it: the due slice, the event unless late, then the watermark. */
    private void feed(final KeyedWindows windows, final long[] event, final long[] watermark)
    {
        if (windows.hasDue())
        {
            windows.closeDue();
        }
        if (watermark[0] != Long.MIN_VALUE && event[1] <= watermark[0] - LATENESS)
        {
            return;
        }
        add(windows, event[0], event[1], event[2]);
        final long next = Math.max(watermark[0], event[1] - 2_000);
        if (next != watermark[0])
        {
            watermark[0] = next;
            windows.close(next);
        }
    }

    @Test
    void shouldCloseAllOfAKeysDueWindowsInOneVisit()
    {
        try (KeyedWindows windows = windows())
        {
            final long pane = T0 - Math.floorMod(T0, ADVANCE);
            add(windows, 3, pane + 10, 70);
            assertEquals(0, windows.close(pane + GAP + LATENESS - 1), "nothing due yet");
            assertEquals(0, windows.visits());
            assertEquals(1, windows.close(pane + 10 + GAP + LATENESS), "the session's end is the key's first deadline");
            assertEquals(1, windows.visits());
            assertEquals(List.of("S 3 " + (pane + 10) + " " + (pane + 10) + " n=1 sum=70 max=70"), closed);
            closed.clear();
            assertEquals(6, windows.close(Long.MAX_VALUE), "the tumbling window and the five hopping ones");
            assertEquals(2, windows.visits(), "in one visit");
            assertEquals(6, closed.size(), closed.toString());
            assertEquals(0, windows.keys());
        }
    }

    @Test
    void shouldKeepTheCallersBytesWhileTheKeyHasAnOpenWindow()
    {
        try (KeyedWindows windows = windows())
        {
            add(windows, 1, T0, 1);
            add(windows, 1, T0 + 10, 1);
            final MutableDirectBuffer entry = windows.acquire(1);
            assertEquals(2, entry.getLong(bytes));
            windows.release();
            windows.close(Long.MAX_VALUE);
            assertEquals(0, windows.keys(), "removed with its last window");
            assertEquals(0, windows.acquire(1).getLong(bytes), "zeroed when created again");
            windows.release();
            assertEquals(0, windows.keys(), "an entry acquired without a window is not kept");
        }
    }

    @Test
    void shouldRefuseAnEventInAClosedWindow()
    {
        try (KeyedWindows windows = windows())
        {
            add(windows, 1, T0, 1);
            windows.close(T0 + HOPPING + LATENESS + ADVANCE);
            windows.acquire(1);
            try
            {
                assertNull(tumbling.add(T0, new long[3]), "a late event: refused");
                assertFalse(hopping.add(T0, new long[3]), "a late event: refused");
                assertFalse(sessions.add(T0, new long[3]), "a late event: refused");
                assertEquals(1, tumbling.lateEvents());
                assertEquals(1, hopping.lateEvents());
                assertEquals(1, sessions.lateEvents());
            }
            finally
            {
                windows.release();
            }
            assertThrows(IllegalStateException.class, windows::release);
            assertEquals(0, windows.keys(), "a late event leaves no entry behind");
        }
    }

    /**
     * The windows of workload.md's kinds, written plainly with java.util collections.
     */
    private static final class Model
    {
        final List<String> out = new ArrayList<>();
        final TreeMap<String, long[]> tumbling = new TreeMap<>();
        final TreeMap<String, long[]> hopping = new TreeMap<>();
        final Map<Long, List<long[]>> sessions = new HashMap<>();

        void add(final long key, final long time, final long amount)
        {
            final long start = time - Math.floorMod(time, TUMBLING);
            final long[] t = tumbling.computeIfAbsent(key + " " + start, k -> new long[] {key, start, 0, 0, 0, 0});
            t[2]++;
            t[3] += amount;
            t[4] = Math.max(t[4], amount);
            if (t[2] > 2)
            {
                t[5] = 1;
            }
            final long pane = time - Math.floorMod(time, ADVANCE);
            for (long s = pane - HOPPING + ADVANCE; s <= pane; s += ADVANCE)
            {
                final long hs = s;
                final long[] h = hopping.computeIfAbsent(key + " " + s, k -> new long[] {key, hs, 0, 0, 0});
                h[2]++;
                h[3] += amount;
                h[4] = Math.max(h[4], amount);
            }
            final List<long[]> open = sessions.computeIfAbsent(key, k -> new ArrayList<>());
            final long[] joined = {time, time, 1, amount, amount};
            for (final var it = open.iterator(); it.hasNext(); )
            {
                final long[] s = it.next();
                if (s[0] - GAP < time && time < s[1] + GAP)
                {
                    joined[0] = Math.min(joined[0], s[0]);
                    joined[1] = Math.max(joined[1], s[1]);
                    joined[2] += s[2];
                    joined[3] += s[3];
                    joined[4] = Math.max(joined[4], s[4]);
                    it.remove();
                }
            }
            open.add(joined);
        }

        void close(final long limit)
        {
            for (final var it = tumbling.values().iterator(); it.hasNext(); )
            {
                final long[] t = it.next();
                if (t[1] + TUMBLING <= limit)
                {
                    out.add("T " + t[0] + " " + t[1] + " n=" + t[2] + " sum=" + t[3] + " max=" + t[4] + " flags=" + t[5]);
                    it.remove();
                }
            }
            for (final var it = hopping.values().iterator(); it.hasNext(); )
            {
                final long[] h = it.next();
                if (h[1] + HOPPING <= limit)
                {
                    out.add("H " + h[0] + " " + h[1] + " n=" + h[2] + " sum=" + h[3] + " max=" + h[4]);
                    it.remove();
                }
            }
            for (final Map.Entry<Long, List<long[]>> e : sessions.entrySet())
            {
                for (final var it = e.getValue().iterator(); it.hasNext(); )
                {
                    final long[] s = it.next();
                    if (s[1] + GAP <= limit)
                    {
                        out.add("S " + e.getKey() + " " + s[0] + " " + s[1] + " n=" + s[2] + " sum=" + s[3] + " max=" + s[4]);
                        it.remove();
                    }
                }
            }
        }
    }
}
