package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pane logs with partitions sorted into buckets (enough expected keys that a partition holds several buckets):
 * every hopping window equals a plain merge of its panes, and a snapshot taken anywhere (in the middle of a
 * partition's buckets included) goes on with the same windows in the same order.
 */
class PaneLogsTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long SIZE = 300_000;
    private static final long ADVANCE = 60_000;
    private static final int MINUTES = 12;
    private static final int EXPECTED_KEYS = 20_000;

    private static Aggregate[] aggregates()
    {
        return new Aggregate[] {Aggregates.sum(), Aggregates.max()};
    }

    private static PaneLogs logs()
    {
        return new PaneLogs(SIZE, ADVANCE, aggregates(), EXPECTED_KEYS);
    }

    /** Per minute, the panes of the keys with events in it: {key, events, v1, v2, ...}, in the order they close. */
    private static List<List<long[]>> panes(final long seed)
    {
        return panes(seed, 8_000);
    }

    /**
     * @param eventsPerMinute few, and most partitions hold no record or one in a minute's log.
     */
    private static List<List<long[]>> panes(final long seed, final int eventsPerMinute)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<List<long[]>> minutes = new ArrayList<>();
        for (int m = 0; m < MINUTES; m++)
        {
            final TreeMap<Long, long[]> byKey = new TreeMap<>();
            for (int i = 0; i < eventsPerMinute; i++)
            {
                final long key = random.nextInt(4) == 0 ? random.nextLong(200) : random.nextLong(3L * EXPECTED_KEYS);
                final long value = 1 + random.nextLong(1_000);
                final long[] pane = byKey.computeIfAbsent(key, k -> new long[] {k, 0, 0, 0});
                pane[1]++;
                pane[2] += value;
                pane[3] = Math.max(pane[3], value);
            }
            final List<long[]> shuffled = new ArrayList<>(byKey.values());
            for (int i = shuffled.size() - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final long[] swap = shuffled.get(i);
                shuffled.set(i, shuffled.get(j));
                shuffled.set(j, swap);
            }
            minutes.add(shuffled);
        }
        return minutes;
    }

    @Test
    void shouldPutAPartitionOfSeveralBucketsInBucketOrder()
    {
        try (PaneLogs logs = logs())
        {
            assertTrue(logs.buckets() > logs.partitions(), logs.buckets() + " buckets in " + logs.partitions() + " partitions");
        }
    }

    @Test
    void shouldEmitEachWindowAsThePlainMergeOfItsPanes(@TempDir final Path dir)
    {
        final List<List<long[]>> minutes = panes(3);
        final List<String> expected = model(minutes);
        final List<String> actual = run(minutes, 0, dir);
        final List<String> sorted = new ArrayList<>(actual);
        sorted.sort(null);
        assertEquals(expected, sorted);
        assertTrue(expected.size() > 100_000, "windows: " + expected.size());
    }

    @Test
    void shouldEmitEveryPaneWhenMostPartitionsHoldNoneOrOne(@TempDir final Path dir)
    {
        // logs are reused minute after minute: a partition's bucket counts must not be a former minute's
        final List<List<long[]>> minutes = panes(5, 300);
        final List<String> expected = model(minutes);
        final List<String> sorted = new ArrayList<>(run(minutes, 0, dir));
        sorted.sort(null);
        assertEquals(expected, sorted);
        final List<String> restored = run(minutes, 37, dir);
        restored.sort(null);
        assertEquals(expected, restored, "with a snapshot every 37 calls");
    }

    @Test
    void shouldGoOnWithTheSameWindowsInTheSameOrderAfterASnapshotTakenAnywhere(@TempDir final Path dir)
    {
        final List<List<long[]>> minutes = panes(8);
        final List<String> uninterrupted = run(minutes, 0, dir);
        for (final int every : new int[] {997, 4_099})
        {
            assertEquals(uninterrupted, run(minutes, every, dir), "a snapshot every " + every + " calls");
        }
    }

    @Test
    void shouldRefuseAPaneOfALogWhoseFirstWindowIsBeingEmitted()
    {
        try (PaneLogs logs = logs())
        {
            final UnsafeBuffer pane = pane(T0, new long[] {7, 1, 5, 5});
            logs.append(7, pane, 0);
            logs.emit(T0 + ADVANCE, (key, window) -> { }, 1);   // the window ending at T0 + ADVANCE: partition 0 sorted
            final long keyInPartitionZero = keyOfPartition(logs, 0);
            final UnsafeBuffer late = pane(T0, new long[] {keyInPartitionZero, 1, 5, 5});
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> logs.append(keyInPartitionZero, late, 0));
            assertTrue(refused.getMessage().contains("closed after its first window was emitted"), refused.getMessage());
        }
    }

    private static long keyOfPartition(final PaneLogs logs, final int partition)
    {
        for (long key = 0; ; key++)
        {
            if (logs.partitionOf(key) == partition)
            {
                return key;
            }
        }
    }

    /**
     * Appends each minute's panes as a minute boundary's visits would, with the last window end's emission going on
     * between them (a budget of 3 a call, as sliced closing spends it), then emits that minute's window end; every
     * {@code snapshotEvery} calls (0: never) the logs go through a snapshot into a fresh instance.
     */
    private static List<String> run(final List<List<long[]>> minutes, final int snapshotEvery, final Path dir)
    {
        final List<String> out = new ArrayList<>();
        final WindowListener listener = (key, window) -> out.add(key + " [" + window.start() + "," + window.end() + ") n=" + window.events() +
            " sum=" + window.result(0) + " max=" + window.result(1));
        PaneLogs logs = logs();
        int calls = 0;
        int snapshots = 0;
        try
        {
            long emitted = Long.MIN_VALUE;
            for (int m = 0; m < MINUTES; m++)
            {
                final long paneStart = T0 + m * ADVANCE;
                for (final long[] pane : minutes.get(m))
                {
                    logs.append(pane[0], pane(paneStart, pane), 0);
                    if (emitted != Long.MIN_VALUE)
                    {
                        logs.emit(emitted, listener, 3);
                    }
                    if (snapshotEvery > 0 && ++calls % snapshotEvery == 0)
                    {
                        logs = restored(logs, dir);
                        snapshots++;
                    }
                }
                emitted = paneStart + ADVANCE;
                while (logs.due(emitted))
                {
                    logs.emit(emitted, listener, 3);
                    if (snapshotEvery > 0 && ++calls % snapshotEvery == 0)
                    {
                        logs = restored(logs, dir);
                        snapshots++;
                    }
                }
            }
            logs.emit(Long.MAX_VALUE, listener, Integer.MAX_VALUE);
            assertEquals(0, logs.records(), "every log freed once its last window is out");
            if (snapshotEvery > 0)
            {
                assertTrue(snapshots > 5, "snapshots taken: " + snapshots);
            }
        }
        finally
        {
            logs.close();
        }
        return out;
    }

    private static PaneLogs restored(final PaneLogs logs, final Path dir)
    {
        final PaneLogs copy = logs();
        final Path file = dir.resolve("panes.snap");
        try
        {
            java.nio.file.Files.deleteIfExists(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        OperatorSnapshots.copy(file, logs::writeSnapshot, copy::readSnapshot);
        assertEquals(logs.records(), copy.records());
        logs.close();
        return copy;
    }

    private static UnsafeBuffer pane(final long start, final long[] pane)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Window.length(aggregates())]);
        buffer.putLong(Window.START_OFFSET, start);
        Window.putEventsAndFlags(buffer, 0, pane[1], 0x5);   // flags (a tumbling window's alerts) do not reach the windows
        int at = Window.AGGREGATES_OFFSET;
        for (int i = 2; i < pane.length; i++, at += 8)
        {
            buffer.putLong(at, pane[i]);
        }
        return buffer;
    }

    private static List<String> model(final List<List<long[]>> minutes)
    {
        final TreeMap<String, long[]> windows = new TreeMap<>();
        for (int m = 0; m < MINUTES; m++)
        {
            final long paneStart = T0 + m * ADVANCE;
            for (final long[] pane : minutes.get(m))
            {
                for (long start = paneStart - SIZE + ADVANCE; start <= paneStart; start += ADVANCE)
                {
                    final long s = start;
                    final long[] w = windows.computeIfAbsent(pane[0] + " " + start, k -> new long[] {pane[0], s, 0, 0, 0});
                    w[2] += pane[1];
                    w[3] += pane[2];
                    w[4] = Math.max(w[4], pane[3]);
                }
            }
        }
        final List<String> out = new ArrayList<>();
        for (final long[] w : windows.values())
        {
            out.add(w[0] + " [" + w[1] + "," + (w[1] + SIZE) + ") n=" + w[2] + " sum=" + w[3] + " max=" + w[4]);
        }
        out.sort(null);
        return out;
    }
}
