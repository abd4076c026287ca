package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowTimersTest
{
    @Test
    void shouldVisitTheEarlierDeadlineFirstThenEachDeadlinesKeysInTheOrderArmed()
    {
        final WindowTimers timers = new WindowTimers();
        for (final long key : new long[] {5, 1, 9, 3, 7})
        {
            timers.arm(key, 100);
        }
        timers.arm(42, 50);
        timers.arm(8, 200);
        final List<Long> visited = new ArrayList<>();
        assertEquals(6, timers.closeArmed(100, (key, handle, deadline, limit) -> visited.add(key)));
        assertEquals(List.of(42L, 5L, 1L, 9L, 3L, 7L), visited);
        assertTrue(timers.due(200));
        assertFalse(timers.due(199));
    }

    @Test
    void shouldCloseInSlicesAndGoOnWhereTheLastSliceStopped()
    {
        final WindowTimers timers = new WindowTimers();
        final List<Long> armed = new ArrayList<>();
        for (long key = 0; key < 1_000; key++)
        {
            timers.arm(key * 31 % 1_000, 10 + key / 300);   // four deadlines: 10, 11, 12, 13
            armed.add(key * 31 % 1_000);
        }
        final List<Long> visited = new ArrayList<>();
        int slices = 0;
        while (timers.due(12))
        {
            final int before = visited.size();
            timers.closeArmed(12, (key, handle, deadline, limit) -> visited.add(key), 64);
            assertTrue(visited.size() - before <= 64, "a slice visits 64 keys at most");
            slices++;
        }
        assertEquals(armed.subList(0, 900), visited, "deadlines 10 to 12, each in the order armed");
        assertEquals(15, slices);
        assertTrue(timers.due(13));
    }

    @Test
    void shouldRestoreFromASnapshotMidSliceAndVisitTheRestInTheSameOrder(@TempDir final Path dir) throws Exception
    {
        final WindowTimers original = new WindowTimers();
        final WindowTimers copy = new WindowTimers();
        for (long key = 0; key < 2_000; key++)
        {
            original.arm(key * 7 % 2_000, 1_000 + key / 500 * 10);
        }
        original.closeArmed(1_010, (key, handle, deadline, limit) -> true, 700);  // the first deadline whole, 200 of the second
        final Path file = dir.resolve("timers");
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            original.writeSnapshot(out);
            out.finish();
        }
        try (SnapshotReader in = SnapshotReader.open(file))
        {
            copy.readSnapshot(in);
            assertEquals(0, in.remaining());
        }
        final List<Long> expected = new ArrayList<>();
        final List<Long> restored = new ArrayList<>();
        original.closeArmed(Long.MAX_VALUE, (key, handle, deadline, limit) -> expected.add(deadline * 10_000 + key));
        copy.closeArmed(Long.MAX_VALUE, (key, handle, deadline, limit) -> restored.add(deadline * 10_000 + key));
        assertEquals(1_300, expected.size());
        assertEquals(expected, restored);
    }

    @Test
    void shouldMergeTheWheelAndTheOverflowInDeadlineOrderThroughSlicesAndSnapshots(@TempDir final Path dir) throws Exception
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        final java.util.TreeMap<Long, List<Long>> model = new java.util.TreeMap<>();
        WindowTimers timers = new WindowTimers();
        final List<Long> visited = new ArrayList<>();
        final List<Long> expected = new ArrayList<>();
        long limit = 1_000_000;
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 300; i++)
            {
                // near deadlines (the wheel) and far ones (the overflow: a day ahead), all above the limit
                final long deadline = limit + 1 + (i % 10 == 0 ? 86_400_000L + random.nextLong(1_000) * 1_000 : random.nextLong(200_000));
                final long key = random.nextLong(1_000_000);
                timers.arm(key, deadline);
                model.computeIfAbsent(deadline, d -> new ArrayList<>()).add(key);
            }
            limit += 150_000 + (round % 7 == 0 ? 90_000_000L : 0);
            while (!model.isEmpty() && model.firstKey() <= limit)
            {
                expected.addAll(model.pollFirstEntry().getValue());
            }
            while (timers.due(limit))
            {
                timers.closeArmed(limit, (key, handle, deadline, l) -> visited.add(key), 1 + random.nextInt(50));
                if (random.nextInt(20) == 0)
                {
                    final Path file = dir.resolve("timers-" + round + "-" + visited.size());
                    try (SnapshotWriter out = SnapshotWriter.create(file))
                    {
                        timers.writeSnapshot(out);
                        out.finish();
                    }
                    timers = new WindowTimers();
                    try (SnapshotReader in = SnapshotReader.open(file))
                    {
                        timers.readSnapshot(in);
                        assertEquals(0, in.remaining());
                    }
                }
            }
            assertEquals(expected, visited, "round " + round);
        }
        assertFalse(timers.due(Long.MAX_VALUE - 1) && model.isEmpty());
    }

    @Test
    void shouldChainManyKeysAtOneDeadlineAndReuseTheChunks()
    {
        final WindowTimers timers = new WindowTimers();
        int peak = 0;
        for (int round = 0; round < 4; round++)
        {
            final long deadline = 1_000L * (round + 1);
            final java.util.Set<Long> expected = new java.util.HashSet<>();
            for (long key = 0; key < 5_000; key++)
            {
                timers.arm(key * 7 + round, deadline);
                expected.add(key * 7 + round);
                if (key % 100 == 0)
                {
                    timers.arm(-key - 1, deadline + 1);
                    expected.add(-key - 1);
                }
            }
            final List<Long> visited = new ArrayList<>();
            timers.closeArmed(deadline + 1, (key, handle, d, limit) -> visited.add(key));
            assertEquals(expected.size(), visited.size(), "each once");
            assertEquals(expected, new java.util.HashSet<>(visited));
            if (round == 0)
            {
                peak = timers.nodes();
            }
            assertEquals(peak, timers.nodes(), "later rounds reuse the nodes");
        }
    }

    @Test
    void shouldCloseALargeDeadlineInHandleOrderThroughSlicesAndASnapshot(@TempDir final Path dir) throws Exception
    {
        final int capacity = 20_000;
        final long[] keyAtHandle = new long[capacity];
        final WindowTimers.ArmedKey keys = new WindowTimers.ArmedKey()
        {
            public boolean onDue(final long key, final long handle, final long deadline, final long limit)
            {
                throw new AssertionError("keys only");
            }

            public long keyOf(final long handle)
            {
                return keyAtHandle[(int)handle];
            }
        };
        final java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        final WindowTimers original = new WindowTimers(capacity, keys);
        final java.util.TreeSet<Long> handles = new java.util.TreeSet<>();
        final List<Long> withoutHandle = new ArrayList<>();
        for (int i = 0; i < 6_000; i++)
        {
            final long handle = random.nextInt(capacity);
            keyAtHandle[(int)handle] = 1_000_000 + handle;
            original.arm(1_000_000 + handle, handle, 500);   // a handle armed twice is visited once
            handles.add(handle);
            if (i % 1_000 == 0)
            {
                original.arm(-i - 1, -1, 500);   // no handle (a cold key): after the ordered ones, in the order armed
                withoutHandle.add((long)-i - 1);
            }
        }
        original.arm(7, 3, 400);   // a small deadline before it: the order armed
        keyAtHandle[3] = 7;
        final List<Long> expected = new ArrayList<>();
        expected.add(7L);
        for (final long handle : handles)
        {
            expected.add(keyAtHandle[(int)handle]);
        }
        expected.addAll(withoutHandle);

        // a snapshot while the chain is being put in handle order (a unit of budget per 256), then one while visiting
        final List<Long> visited = new ArrayList<>();
        original.closeArmed(500, (key, handle, deadline, limit) -> visited.add(key), 3);   // the small deadline, then ordering
        assertEquals(List.of(7L), visited, "no key of the large deadline before its handles are all in order");
        WindowTimers current = snapshotAndCompare(dir.resolve("ordering"), original, capacity, keys, random, visited, 12);
        current = snapshotAndCompare(dir.resolve("visiting"), current, capacity, keys, random, visited, 40);
        snapshotAndCompare(dir.resolve("end"), current, capacity, keys, random, visited, Integer.MAX_VALUE);
        assertEquals(expected, visited);
    }

    /**
     * Writes a snapshot of {@code original}, reads it into a copy, and closes both with the same budgets for up to
     * {@code slices} slices, asserting the same visits and budget spent.
     *
     * @return the copy, to go on with.
     */
    private static WindowTimers snapshotAndCompare(final Path file, final WindowTimers original, final int capacity,
        final WindowTimers.ArmedKey keys, final java.util.SplittableRandom random, final List<Long> visited, final int slices) throws Exception
    {
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            original.writeSnapshot(out);
            out.finish();
        }
        final WindowTimers copy = new WindowTimers(capacity, keys);
        try (SnapshotReader in = SnapshotReader.open(file))
        {
            copy.readSnapshot(in);
            assertEquals(0, in.remaining());
        }
        final List<Long> restored = new ArrayList<>();
        final List<Long> rest = new ArrayList<>();
        for (int slice = 0; slice < slices && original.due(500); slice++)
        {
            final int budget = 1 + random.nextInt(100);
            original.closeArmed(500, (key, handle, deadline, limit) -> rest.add(key), budget);
            final int consumed = original.consumed();
            assertTrue(consumed <= budget);
            copy.closeArmed(500, (key, handle, deadline, limit) -> restored.add(key), budget);
            assertEquals(consumed, copy.consumed(), "the restored copy spends its budget as the original does");
        }
        assertEquals(rest, restored);
        assertEquals(original.due(500), copy.due(500));
        visited.addAll(rest);
        return copy;
    }
}
