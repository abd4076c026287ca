package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffHeapLongSetTest
{
    @Test
    void shouldMatchAHashSetThroughGrowthAndClears()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final OffHeapLongSet set = new OffHeapLongSet(100);
        try
        {
            for (int round = 0; round < 5; round++)
            {
                final Set<Long> model = new HashSet<>();
                for (int i = 0; i < 20_000; i++)
                {
                    final long value = switch (random.nextInt(4))
                    {
                        case 0 -> random.nextLong(50) - 25;
                        case 1 -> random.nextLong();
                        default -> random.nextLong(5_000);
                    };
                    assertEquals(model.add(value), set.add(value), "add " + value);
                    assertEquals(model.size(), set.size());
                }
                for (long v = -30; v < 6_000; v++)
                {
                    assertEquals(model.contains(v), set.contains(v), "contains " + v);
                }
                set.clear();
                assertEquals(0, set.size());
                assertEquals(false, set.contains(0));
                assertEquals(false, set.contains(7));
            }
        }
        finally
        {
            set.close();
        }
    }

    @Test
    void shouldRefuseASnapshotOfMoreSlotsThanASetCanAddress(@TempDir final Path dir) throws Exception
    {
        // 2^28 slots would be 2 GiB: past what the set's int offsets address (a truncated buffer, not an error, until 2026-12-07)
        final long slots = 2L * OffHeapLongSet.MAX_SLOTS;
        final Path file = dir.resolve("huge.snap");
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            out.writeLong(slots);
            out.writeLong(0);
            out.writeLong(0);
            for (long i = 0; i < slots / 64; i++)
            {
                out.writeLong(0);   // the bitmaps of an empty set: enough bytes that only the slot count is wrong
            }
            out.finish();
        }
        final OffHeapLongSet set = new OffHeapLongSet(100);
        try (SnapshotReader in = SnapshotReader.open(file))
        {
            final Exception refused = assertThrows(io.ringside.engine.SnapshotCorruptedException.class, () -> set.readSnapshot(in));
            assertTrue(refused.getMessage().contains(slots + " slots"), refused.getMessage());
            assertEquals(0, set.size(), "the set is as it was");
        }
        finally
        {
            set.close();
        }
    }

    @Test
    void shouldComeBackFromASnapshotSlotForSlotEvenGrown(@TempDir final Path dir) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(5);
        final OffHeapLongSet set = new OffHeapLongSet(100);
        final OffHeapLongSet restored = new OffHeapLongSet(100);
        try
        {
            final Set<Long> model = new HashSet<>();
            set.add(0);
            model.add(0L);
            for (int i = 0; i < 200_000; i++)   // grows past its 256 slots to 512 Ki: a snapshot larger than a reader's window
            {
                final long value = random.nextLong();
                set.add(value);
                model.add(value);
            }
            final Path file = dir.resolve("set.snap");
            try (SnapshotWriter out = SnapshotWriter.create(file))
            {
                set.writeSnapshot(out);
                out.writeLong(42);
                out.finish();
            }
            try (SnapshotReader in = SnapshotReader.open(file))
            {
                restored.readSnapshot(in);
                assertEquals(42, in.readLong());
                assertEquals(0, in.remaining());
            }
            assertEquals(model.size(), restored.size());
            final UnsafeBuffer a = set.buffer();
            final UnsafeBuffer b = restored.buffer();
            assertEquals(a.capacity(), b.capacity());
            assertEquals(0, a.compareTo(b), "the same bytes: every value in the slot it had");
            for (final long value : model)
            {
                assertEquals(true, restored.contains(value));
            }
            assertEquals(false, restored.add(0));
            assertEquals(true, restored.add(7));
        }
        finally
        {
            set.close();
            restored.close();
        }
    }
}
