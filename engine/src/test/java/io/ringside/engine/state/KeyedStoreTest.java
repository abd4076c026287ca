package io.ringside.engine.state;

import java.util.concurrent.atomic.AtomicReference;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedStoreTest
{
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
}
