package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hopping windows over a tumbling section's windows ({@link KeyedWindows.Builder#hopping(long, KeyedWindows.Tumbling,
 * WindowListener)}) against a hopping section of its own panes fed the same events: the same outputs in the same order,
 * however closing is sliced and across a snapshot; the tumbling windows' flags stay out of the hopping windows.
 */
class KeyedWindowsSharedPanesTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TUMBLING = 60_000;
    private static final long HOPPING = 300_000;
    private static final long LATENESS = 5_000;
    private static final long OUT_OF_ORDER = 2_000;

    /** One run's windows: shared panes or a separate hopping section, and what they closed, in order. */
    private static final class Run implements AutoCloseable
    {
        final boolean shared;
        final List<String> closed = new ArrayList<>();
        final KeyedWindows windows;
        final KeyedWindows.Tumbling tumbling;
        final KeyedWindows.Hopping hopping;
        final KeyedWindows.Sessions sessions;
        final long[] watermark = {Long.MIN_VALUE};

        Run(final boolean shared, final int closeSlice)
        {
            this.shared = shared;
            final KeyedWindows.Builder builder = KeyedWindows.builder(shared ? "shared" : "separate", LATENESS, 1_000);
            if (closeSlice != Integer.MAX_VALUE)
            {
                builder.closeSlice(closeSlice);
            }
            tumbling = builder.tumbling(TUMBLING, 3, (key, w) -> closed.add("T " + key + " " + w.start() + " " + w.end() + " n=" + w.events() +
                " count=" + w.result(0) + " sum=" + w.result(1) + " max=" + w.result(2) + " flags=" + w.flags()),
                Aggregates.count(), Aggregates.sum(), Aggregates.max());
            final WindowListener hoppingClosed = (key, w) -> closed.add("H " + key + " " + w.start() + " " + w.end() + " n=" + w.events() +
                " count=" + w.result(0) + " sum=" + w.result(1) + " max=" + w.result(2) + " flags=" + w.flags());
            hopping = shared ? builder.hopping(HOPPING, tumbling, hoppingClosed) :
                builder.hopping(HOPPING, TUMBLING, 3, hoppingClosed, Aggregates.count(), Aggregates.sum(), Aggregates.max());
            sessions = builder.sessions(30_000, 8, (key, w) -> closed.add("S " + key + " " + w.start() + " " + KeyedWindows.Sessions.last(w) +
                " n=" + w.events()), Aggregates.count());
            windows = builder.build();
        }

        /** One slot as the engine runs it: the due slice, the event (a late one straight to the windows), the watermark. */
        void feed(final long[] event)
        {
            if (windows.hasDue())
            {
                windows.closeDue();
            }
            final long key = event[0];
            final long time = event[1];
            final long[] values = {0, event[2], event[2]};
            windows.acquire(key);
            try
            {
                final Window window = tumbling.add(time, values);
                if (window != null)
                {
                    // the alerts' once-flags in the word of the event count: never in a hopping window
                    if (window.events() > 2)
                    {
                        window.setFlag(0);
                    }
                    if (event[2] % 7 == 0)
                    {
                        window.setFlag(Window.FLAG_BITS - 1);
                    }
                }
                if (!shared)
                {
                    assertEquals(window != null, hopping.add(time, values), "a pane is late when its tumbling window is");
                }
                sessions.add(time, new long[] {0});
            }
            finally
            {
                windows.release();
            }
            final long next = Math.max(watermark[0], time - OUT_OF_ORDER);
            if (next != watermark[0])
            {
                watermark[0] = next;
                windows.close(next);
            }
        }

        void end()
        {
            windows.close(Long.MAX_VALUE);
            assertEquals(0, windows.keys(), "the end of input closes everything");
            assertEquals(0, hopping.loggedPanes(), "every pane merged and freed");
            assertFalse(windows.hasDue());
        }

        @Override
        public void close()
        {
            windows.close();
        }
    }

    /**
     * Events over a few keys, out of order by up to 2 s, one in 25 late: well below the watermark less the lateness,
     * handed to the windows anyway (the windows refuse them).
     */
    private static long[][] stream(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[][] events = new long[count][];
        final long step = 20 + random.nextLong(200);
        final int keys = 5 + random.nextInt(200);
        for (int i = 0; i < count; i++)
        {
            long time = T0 + i * step - random.nextLong(OUT_OF_ORDER);
            if (random.nextInt(25) == 0)
            {
                time -= LATENESS + OUT_OF_ORDER + random.nextLong(3 * TUMBLING);
            }
            events[i] = new long[] {random.nextLong(keys), time, 1 + random.nextLong(1_000)};
        }
        return events;
    }

    private static List<String> kind(final List<String> lines, final char kind)
    {
        final List<String> of = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.charAt(0) == kind)
            {
                of.add(line);
            }
        }
        return of;
    }

    /** Names the first output that differs (the lists are thousands long). */
    private static void assertSameLines(final List<String> expected, final List<String> actual, final String what)
    {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
        {
            assertEquals(expected.get(i), actual.get(i), what + ": output " + i + " of " + expected.size());
        }
        assertEquals(expected.size(), actual.size(), what + ": outputs");
    }

    @Test
    void shouldGiveTheOutputsOfASeparateHoppingSectionOnRandomStreams()
    {
        for (final int closeSlice : new int[] {Integer.MAX_VALUE, 1, 3})
        {
            for (long seed = 1; seed <= 6; seed++)
            {
                final long[][] events = stream(seed, 6_000);
                try (Run separate = new Run(false, closeSlice);
                    Run shared = new Run(true, closeSlice))
                {
                    for (final long[] event : events)
                    {
                        separate.feed(event);
                        shared.feed(event);
                    }
                    separate.end();
                    shared.end();
                    final String what = "seed " + seed + ", slice " + closeSlice;
                    assertTrue(kind(shared.closed, 'H').size() > 500, what + ": hopping windows " + kind(shared.closed, 'H').size());
                    assertTrue(shared.tumbling.lateEvents() > 50, what + ": late events " + shared.tumbling.lateEvents());
                    assertSameLines(separate.closed, shared.closed, what + ": every output, in the same order");
                    assertEquals(separate.hopping.lateEvents(), shared.hopping.lateEvents(), what + ": the tumbling's late events");
                    assertEquals(shared.tumbling.lateEvents(), shared.hopping.lateEvents(), what);
                    assertEquals(separate.windows.visits(), shared.windows.visits(), what + ": one visit a due key, as before");
                }
            }
        }
    }

    @Test
    void shouldKeepTheTumblingWindowsFlagsOutOfTheHoppingWindows()
    {
        try (Run shared = new Run(true, Integer.MAX_VALUE))
        {
            final long start = T0 - Math.floorMod(T0, TUMBLING);
            for (int i = 0; i < 5; i++)
            {
                shared.feed(new long[] {4, start + 1_000 + i, 7});   // 7: flag 15 from the first; flag 0 from the third
            }
            shared.feed(new long[] {4, start + TUMBLING + 1_000, 3});
            shared.end();
            final long flags = 1L | 1L << (Window.FLAG_BITS - 1);
            assertEquals("T 4 " + start + " " + (start + TUMBLING) + " n=5 count=5 sum=35 max=7 flags=" + flags,
                kind(shared.closed, 'T').get(0));
            final List<String> hopping = kind(shared.closed, 'H');
            assertEquals(6, hopping.size(), hopping.toString());
            for (final String line : hopping)
            {
                final long windowStart = Long.parseLong(line.split(" ")[2]);
                final boolean both = windowStart + HOPPING > start + TUMBLING;
                assertEquals("H 4 " + windowStart + " " + (windowStart + HOPPING) + (windowStart == start + TUMBLING ?
                    " n=1 count=1 sum=3 max=3" : both ? " n=6 count=6 sum=38 max=7" : " n=5 count=5 sum=35 max=7") + " flags=0", line);
            }
        }
    }

    /**
     * A snapshot taken mid-stream, with keys still due, restored into a fresh instance that goes on with the rest of the
     * stream: the outputs of an uninterrupted run of a separate hopping section, in the same order. Run for a separate
     * section too (its pane logs slice as the run that went on: the budget an empty bucket costs is a function of the
     * snapshot).
     */
    @Test
    void shouldGoOnAfterASnapshotTakenMidStreamAsAnUninterruptedRun(@TempDir final Path dir) throws Exception
    {
        for (long seed = 21; seed <= 24; seed++)
        {
            final long[][] events = stream(seed, 5_000);
            final List<String> uninterrupted;
            try (Run separate = new Run(false, 2))
            {
                for (final long[] event : events)
                {
                    separate.feed(event);
                }
                separate.end();
                uninterrupted = separate.closed;
            }
            for (final boolean shared : new boolean[] {true, false})
            {
                final List<String> restored = new ArrayList<>();
                final Path file = dir.resolve("windows-" + seed + "-" + shared + ".snap");
                int i = 0;
                final long[] watermark;
                try (Run before = new Run(shared, 2))
                {
                    while (i < events.length && !(i > events.length / 2 && before.windows.hasDue() && before.hopping.loggedPanes() > 0))
                    {
                        before.feed(events[i++]);
                    }
                    assertTrue(i < events.length && before.windows.hasDue(), "the snapshot is taken mid-stream, with keys due");
                    try (SnapshotWriter out = SnapshotWriter.create(file))
                    {
                        before.windows.writeSnapshot(out);
                        out.finish();
                    }
                    restored.addAll(before.closed);
                    watermark = before.watermark.clone();
                }
                try (Run after = new Run(shared, 2))
                {
                    try (SnapshotReader in = SnapshotReader.open(file))
                    {
                        after.windows.readSnapshot(in);
                        assertEquals(0, in.remaining());
                    }
                    after.watermark[0] = watermark[0];
                    for (; i < events.length; i++)
                    {
                        after.feed(events[i]);
                    }
                    after.end();
                    restored.addAll(after.closed);
                }
                assertSameLines(uninterrupted, restored, "seed " + seed + (shared ? ", shared panes" : ", a separate section") +
                    ": the outputs of an uninterrupted run of a separate hopping section");
            }
        }
    }

    @Test
    void shouldTakeNoBytesOfTheEntryAndNoEventOfItsOwn()
    {
        try (Run separate = new Run(false, Integer.MAX_VALUE);
            Run shared = new Run(true, Integer.MAX_VALUE))
        {
            assertTrue(shared.hopping.sharesPanes());
            assertFalse(separate.hopping.sharesPanes());
            final Aggregate[] aggregates = {Aggregates.count(), Aggregates.sum(), Aggregates.max()};
            final KeyedWindows.Builder builder = KeyedWindows.builder("lengths", LATENESS, 16);
            final KeyedWindows.Tumbling panes = builder.tumbling(TUMBLING, 3, (key, w) -> { }, aggregates);
            builder.hopping(HOPPING, panes, (key, w) -> { });
            try (KeyedWindows lengths = builder.build())
            {
                assertEquals(KeyedWindows.SECTIONS_OFFSET + 3 * Window.length(aggregates), lengths.entryLength(), "the tumbling's slots only");
            }
            assertTrue(separate.windows.entryLength() > shared.windows.entryLength(),
                separate.windows.entryLength() + " and " + shared.windows.entryLength());
            final MutableDirectBuffer entry = shared.windows.acquire(1);
            try
            {
                final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> shared.hopping.add(T0, new long[3]));
                assertTrue(refused.getMessage().contains("add events to the tumbling section"), refused.getMessage());
                assertEquals(0, entry.getLong(KeyedWindows.ARMED_OFFSET));
            }
            finally
            {
                shared.windows.release();
            }
            assertEquals(0, shared.windows.keys());
        }
    }

    @Test
    void shouldCountALateEventOnceForBothKinds()
    {
        try (Run shared = new Run(true, Integer.MAX_VALUE))
        {
            shared.feed(new long[] {1, T0, 5});
            shared.windows.close(T0 + HOPPING + TUMBLING);
            shared.windows.acquire(1);
            try
            {
                assertNull(shared.tumbling.add(T0, new long[3]), "late for its tumbling window: late for the hopping ones");
            }
            finally
            {
                shared.windows.release();
            }
            assertEquals(1, shared.tumbling.lateEvents());
            assertEquals(1, shared.hopping.lateEvents(), "the tumbling section's count");
        }
    }

    @Test
    void shouldHoldOffHeapMemoryOnlyFromBuildToClose()
    {
        final long before = OffHeapRegion.liveBytes();
        final WindowListener none = (key, w) -> { };
        for (final boolean shared : new boolean[] {true, false})
        {
            final KeyedWindows.Builder builder = KeyedWindows.builder("never built", LATENESS, 100_000);
            final KeyedWindows.Tumbling tumbling = builder.tumbling(TUMBLING, 3, none, Aggregates.count(), Aggregates.sum());
            if (shared)
            {
                builder.hopping(HOPPING, tumbling, none);
            }
            else
            {
                builder.hopping(HOPPING, TUMBLING, 3, none, Aggregates.count());
            }
            assertEquals(before, OffHeapRegion.liveBytes(), "declared, never built: no pane logs made (" + (shared ? "shared" : "own") + " panes)");
            final KeyedWindows built = builder.build();
            assertTrue(OffHeapRegion.liveBytes() > before, "built: the store and the pane logs");
            final IllegalStateException again = assertThrows(IllegalStateException.class, builder::build);
            assertTrue(again.getMessage().contains("make a builder for each KeyedWindows"), again.getMessage());
            assertThrows(IllegalStateException.class, () -> builder.sessions(30_000, 2, none, Aggregates.count()));
            assertThrows(IllegalStateException.class, () -> builder.bytes(8), "bytes past the built entry's end");
            assertThrows(IllegalStateException.class, () -> builder.closeSlice(4));
            built.close();
            assertEquals(before, OffHeapRegion.liveBytes(), "closed: all of it freed (a second build made nothing)");
        }
    }

    @Test
    void shouldRefuseHoppingWindowsThatAreNotWholeTumblingWindows()
    {
        final KeyedWindows.Builder builder = KeyedWindows.builder("b", LATENESS, 16);
        final KeyedWindows.Tumbling tumbling = builder.tumbling(TUMBLING, 3, (key, w) -> { }, Aggregates.count());
        final WindowListener none = (key, w) -> { };
        for (final long size : new long[] {90_000, 30_000, 0, -TUMBLING, 1025 * TUMBLING})
        {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> builder.hopping(size, tumbling, none));
            assertTrue(refused.getMessage().contains(size + " and " + TUMBLING), refused.getMessage());
        }
        final KeyedWindows.Tumbling other = KeyedWindows.builder("other", LATENESS, 16).tumbling(TUMBLING, 3, none, Aggregates.count());
        assertThrows(IllegalArgumentException.class, () -> builder.hopping(HOPPING, other, none));
        assertThrows(IllegalArgumentException.class, () -> builder.hopping(HOPPING, null, none));
        builder.hopping(TUMBLING, tumbling, none);   // one pane: allowed
        builder.hopping(1024 * TUMBLING, tumbling, none);
        builder.build().close();
    }
}
