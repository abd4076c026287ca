package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedStoreTest
{
    @TempDir
    Path dir;

    /** 130 words: the bitmap spans three blocks, the last one partial. */
    private static final int WIDE = 130 * 8;

    @Test
    void shouldWriteOnlyTheNonZeroWordsOfEachEntryAndRestoreEveryByte() throws Exception
    {
        final Path file = dir.resolve("store.snap");
        final long written;
        try (KeyedStore store = new KeyedStore("sparse", 1_000, WIDE); SnapshotWriter out = SnapshotWriter.create(file))
        {
            for (long key = 0; key < 100; key++)
            {
                fill(store.acquire(key), key);
                store.release();
            }
            store.writeSnapshot(out);
            out.finish();
            written = out.bytesWritten();
        }
        assertTrue(written < 100 * (8 + WIDE) / 10, "sparse: " + written + " bytes for 100 entries of " + WIDE);
        try (KeyedStore restored = new KeyedStore("sparse", 1_000, WIDE); SnapshotReader in = SnapshotReader.open(file))
        {
            restored.readSnapshot(in);
            assertEquals(100, restored.size());
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[WIDE]);
            for (long key = 0; key < 100; key++)
            {
                assertTrue(restored.read(key, copy));
                final UnsafeBuffer expected = new UnsafeBuffer(new byte[WIDE]);
                fill(expected, key);
                assertEquals(expected, copy, "entry of key " + key);
            }
        }
    }

    /** Words 0, 63, 64, 129 and one that depends on the key; key 0's entry stays all zero. */
    private static void fill(final MutableDirectBuffer entry, final long key)
    {
        if (key > 0)
        {
            entry.putLong(0, key);
            entry.putLong(63 * 8, -key);
            entry.putLong(64 * 8, key << 40);
            entry.putLong(129 * 8, Long.MIN_VALUE + key);
            entry.putLong((int)(key % 130) * 8, key * 31);
        }
    }

    @Test
    void shouldStillReadEntriesWrittenWhole() throws Exception
    {
        final Path file = dir.resolve("dense.snap");
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            // the layout before sparse entries: length, count, then each key and its whole entry
            out.writeInt(16);
            out.writeLong(2);
            final UnsafeBuffer bytes = new UnsafeBuffer(new byte[16]);
            for (long key = 7; key <= 8; key++)
            {
                out.writeLong(key);
                bytes.putLong(0, key * 100);
                bytes.putLong(8, 0);
                out.writeBytes(bytes, 0, 16);
            }
            out.finish();
        }
        try (KeyedStore store = new KeyedStore("dense", 100, 16); SnapshotReader in = SnapshotReader.open(file))
        {
            store.readSnapshot(in);
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[16]);
            assertTrue(store.read(8, copy));
            assertEquals(800, copy.getLong(0));
            assertEquals(2, store.size());
        }
    }

    @Test
    void shouldRefuseASparseEntryThatMarksWordsBeyondItsLength() throws Exception
    {
        final Path file = dir.resolve("bad.snap");
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            out.writeInt(-16);     // sparse entries of 2 words
            out.writeLong(1);
            out.writeLong(5);      // the key
            out.writeLong(0b100);  // word 2 of a 2-word entry
            out.writeLong(42);
            out.finish();
        }
        try (KeyedStore store = new KeyedStore("bad", 100, 16); SnapshotReader in = SnapshotReader.open(file))
        {
            final SnapshotCorruptedException error = assertThrows(SnapshotCorruptedException.class, () -> store.readSnapshot(in));
            assertTrue(error.getMessage().contains("past its 16 bytes"), error.getMessage());
        }
    }
    @Test
    void shouldCreateZeroedEntriesAndUpdateThemInPlace()
    {
        try (KeyedStore store = new KeyedStore("test", 1_000, 64))
        {
            for (int round = 0; round < 3; round++)
            {
                for (long key = 0; key < 500; key++)
                {
                    final MutableDirectBuffer entry = store.acquire(key);
                    if (round == 0)
                    {
                        for (int i = 0; i < 64; i += 8)
                        {
                            assertEquals(0, entry.getLong(i), "a new entry is zeroed");
                        }
                    }
                    entry.putLong(0, entry.getLong(0) + 1);
                    entry.putLong(56, key * 10);
                    store.release();
                }
            }
            assertEquals(500, store.size());
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[64]);
            assertTrue(store.read(123, copy));
            assertEquals(3, copy.getLong(0));
            assertEquals(1_230, copy.getLong(56));
            assertFalse(store.read(9_999, copy));
        }
    }

    @Test
    void shouldRemoveEntries()
    {
        try (KeyedStore store = new KeyedStore("test", 100, 16))
        {
            store.acquire(1).putLong(0, 5);
            store.release();
            store.acquire(2).putLong(0, 6);
            store.removeAcquired();
            store.remove(1);
            assertEquals(0, store.size());
            assertEquals(0, store.acquire(1).getLong(0), "a removed key comes back zeroed");
            store.release();
        }
    }

    @Test
    void shouldRefuseMisuse()
    {
        try (KeyedStore store = new KeyedStore("test", 100, 16))
        {
            assertThrows(IllegalStateException.class, store::release);
            store.acquire(1);
            assertTrue(assertThrows(IllegalStateException.class, () -> store.acquire(2)).getMessage().contains("already acquired"));
            assertThrows(IllegalStateException.class, () -> store.remove(1));
            store.release();
        }
        assertThrows(IllegalArgumentException.class, () -> new KeyedStore("test", 100, 12));
        assertThrows(IllegalArgumentException.class, () -> new KeyedStore("test", 0, 16));
    }

    @Test
    void shouldLetAnotherThreadReadWholeUpdatesOnly() throws Exception
    {
        try (KeyedStore store = new KeyedStore("test", 100, 16))
        {
            final AtomicReference<String> torn = new AtomicReference<>();
            final Thread writer = Thread.currentThread();
            final Thread reader = new Thread(() ->
            {
                final UnsafeBuffer copy = new UnsafeBuffer(new byte[16]);
                for (int i = 0; i < 20_000 && torn.get() == null; i++)
                {
                    if (store.read(7, copy) && copy.getLong(0) != copy.getLong(8))
                    {
                        torn.set("read " + copy.getLong(0) + " and " + copy.getLong(8) + " while " + writer.getName() + " wrote");
                    }
                }
            }, "keyed-store-reader");
            reader.start();
            try
            {
                for (long v = 1; v <= 20_000; v++)
                {
                    final MutableDirectBuffer entry = store.acquire(7);
                    entry.putLong(0, v);
                    entry.putLong(8, v);
                    store.release();
                }
            }
            finally
            {
                reader.join(30_000);
            }
            assertEquals(null, torn.get());
        }
    }

    @Test
    void shouldSpillKeysBeyondTheHotTierToChronicleMapAndServeThemTheSame() throws Exception
    {
        final Path file = dir.resolve("spilled.snap");
        try (KeyedStore store = new KeyedStore("spill", 100, 24, 10); SnapshotWriter out = SnapshotWriter.create(file))
        {
            for (long key = 0; key < 50; key++)
            {
                store.acquire(key).putLong(8, key * 3);
                store.release();
            }
            assertEquals(50, store.size());
            assertEquals(40, store.coldKeys(), "the hot tier holds 10");
            final MutableDirectBuffer cold = store.acquire(45);
            assertEquals(135, cold.getLong(8));
            assertEquals(-1, store.handle(), "a cold key has no handle");
            store.release();
            store.remove(3);
            store.remove(44);
            assertEquals(48, store.size());
            assertEquals(39, store.coldKeys());
            store.acquire(1_000).putLong(8, 7);   // takes the hot entry key 3 freed
            store.release();
            assertEquals(39, store.coldKeys());
            store.writeSnapshot(out);
            out.finish();
        }
        try (KeyedStore restored = new KeyedStore("spill", 100, 24, 10); SnapshotReader in = SnapshotReader.open(file))
        {
            restored.readSnapshot(in);
            assertEquals(0, in.remaining());
            assertEquals(49, restored.size());
            assertEquals(39, restored.coldKeys());
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[24]);
            for (long key = 0; key < 50; key++)
            {
                assertEquals(key != 3 && key != 44, restored.read(key, copy), "key " + key);
                if (key != 3 && key != 44)
                {
                    assertEquals(key * 3, copy.getLong(8), "key " + key);
                }
            }
            assertTrue(restored.read(1_000, copy));
            assertEquals(7, copy.getLong(8));
        }
    }

    @Test
    void shouldOpenAnEntryByItsHandleOnlyWhileItIsTheKeys() throws Exception
    {
        final Path file = dir.resolve("handles.snap");
        final long handle;
        final long otherHandle;
        try (KeyedStore store = new KeyedStore("handles", 100, 16); SnapshotWriter out = SnapshotWriter.create(file))
        {
            store.acquire(7).putLong(0, 70);
            handle = store.handle();
            store.release();
            store.acquire(8);
            otherHandle = store.handle();
            store.release();
            assertEquals(70, store.acquireByHandle(handle, 7).getLong(0));
            store.release();
            assertNull(store.acquireByHandle(handle, 8), "the handle is key 7's");
            store.remove(7);
            assertNull(store.acquireByHandle(handle, 7), "key 7 is gone");
            store.acquire(9);
            assertEquals(handle, store.handle(), "the freed entry is handed out next");
            store.release();
            assertNull(store.acquireByHandle(handle, 7), "the entry is key 9's now");
            store.remove(9);   // the free list: key 9's entry on top, handed out next
            store.writeSnapshot(out);
            out.finish();
        }
        try (KeyedStore restored = new KeyedStore("handles", 100, 16); SnapshotReader in = SnapshotReader.open(file))
        {
            restored.readSnapshot(in);
            assertTrue(restored.acquireByHandle(otherHandle, 8) != null, "handles survive a snapshot");
            restored.release();
            restored.acquire(11);
            assertEquals(handle, restored.handle(), "and so does which entry comes next");
            restored.release();
        }
    }
}
