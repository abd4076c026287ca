package io.ringside.engine.state;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.values.Values;
import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fixed-size entries, one per long key, off-heap in a Chronicle Map, updated in place: {@link #acquire(long)}
 * takes the key's segment lock and hands out a flyweight over the entry's own memory (zeroed when new), which
 * the caller reads and writes until {@link #release()}. One map access per call, nothing allocated.
 * <p>
 * The map lives in memory, never in a file: after a crash nothing trusts it, and the state is rebuilt from the
 * journal. So entries need no checksum.
 * <p>
 * <b>Thread safety:</b> {@link #acquire}, {@link #release} and {@link #remove} belong to one thread (a shard's);
 * an acquired entry holds its segment's write lock. {@link #read(long, MutableDirectBuffer)} may be called from
 * any thread: it copies the entry under the segment's read lock, so it sees a whole update or none of it.
 */
public final class KeyedStore implements AutoCloseable
{
    private final String name;
    private final int entryLength;
    private final ChronicleMap<LongValue, byte[]> map;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final BytesStore<?, ?> zeros;
    private final UnsafeBuffer entry = new UnsafeBuffer(0, 0);
    private final ThreadLocal<LongValue> readerKeys = ThreadLocal.withInitial(() -> Values.newHeapInstance(LongValue.class));
    private final ThreadLocal<UnsafeBuffer> readerViews = ThreadLocal.withInitial(() -> new UnsafeBuffer(0, 0));
    private ExternalMapQueryContext<LongValue, byte[], ?> context;

    /**
     * @param name         for errors and diagnostics.
     * @param expectedKeys how many keys it will hold at most at once; the map is sized for them once.
     * @param entryLength  bytes per entry, a multiple of 8.
     */
    public KeyedStore(final String name, final long expectedKeys, final int entryLength)
    {
        if (expectedKeys < 1 || entryLength < 8 || entryLength % 8 != 0)
        {
            throw new IllegalArgumentException(name + ": expected keys must be at least 1 and the entry length a positive multiple of 8, were " +
                expectedKeys + " and " + entryLength);
        }
        this.name = name;
        this.entryLength = entryLength;
        this.map = ChronicleMap.of(LongValue.class, byte[].class)
            .name(name)
            .entries(expectedKeys)
            .constantValueSizeBySample(new byte[entryLength])
            .putReturnsNull(true)
            .removeReturnsNull(true)
            .create();
        final BytesStore<?, ?> store = BytesStore.nativeStoreWithFixedCapacity(entryLength);
        store.zeroOut(0, entryLength);
        this.zeros = store;
    }

    /**
     * Opens the key's entry for update, creating it zeroed if it is absent.
     *
     * @return a flyweight over the entry, valid until {@link #release()}.
     * @throws IllegalStateException if an entry is already acquired.
     */
    public MutableDirectBuffer acquire(final long keyValue)
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": an entry is already acquired: release it first");
        }
        key.setValue(keyValue);
        final ExternalMapQueryContext<LongValue, byte[], ?> c = map.queryContext(key);
        context = c;
        // the write lock, not the update lock: an update lock still lets readers in, and they would see half an update
        c.writeLock().lock();
        MapEntry<LongValue, byte[]> e = c.entry();
        if (e == null)
        {
            c.absentEntry().doInsert(c.wrapValueBytesAsData(zeros, 0, entryLength));
            e = c.entry();
        }
        final Data<byte[]> value = e.value();
        entry.wrap(value.bytes().addressForRead(value.offset()), entryLength);
        return entry;
    }

    /**
     * Opens the key's entry for update if it has one.
     *
     * @return a flyweight over the entry, valid until {@link #release()}; null (and nothing acquired) if the key has no entry.
     */
    public MutableDirectBuffer acquireIfPresent(final long keyValue)
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": an entry is already acquired: release it first");
        }
        key.setValue(keyValue);
        final ExternalMapQueryContext<LongValue, byte[], ?> c = map.queryContext(key);
        c.writeLock().lock();
        final MapEntry<LongValue, byte[]> e = c.entry();
        if (e == null)
        {
            c.close();
            return null;
        }
        context = c;
        final Data<byte[]> value = e.value();
        entry.wrap(value.bytes().addressForRead(value.offset()), entryLength);
        return entry;
    }

    /**
     * Inserts a zeroed entry for the key unless it has one: one map access. Owner thread.
     *
     * @return true if the key was absent (and now has an entry); false if it had one.
     */
    public boolean insertIfAbsent(final long keyValue)
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": release the acquired entry first");
        }
        key.setValue(keyValue);
        try (ExternalMapQueryContext<LongValue, byte[], ?> c = map.queryContext(key))
        {
            c.updateLock().lock();
            if (c.entry() != null)
            {
                return false;
            }
            c.absentEntry().doInsert(c.wrapValueBytesAsData(zeros, 0, entryLength));
            return true;
        }
    }

    /**
     * Removes every entry: what a time bucket does when it expires. Owner thread.
     */
    public void clear()
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": release the acquired entry first");
        }
        map.clear();
    }

    /**
     * Removes the acquired entry (its state is done with) and releases it.
     */
    public void removeAcquired()
    {
        checkAcquired();
        context.entry().doRemove();
        release();
    }

    /**
     * Releases the acquired entry: writes through the flyweight are in place already.
     */
    public void release()
    {
        checkAcquired();
        final ExternalMapQueryContext<LongValue, byte[], ?> c = context;
        context = null;
        c.close();
    }

    /**
     * Removes a key's entry, if any. Owner thread.
     */
    public void remove(final long keyValue)
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": release the acquired entry first");
        }
        key.setValue(keyValue);
        map.remove(key);
    }

    /**
     * Copies a key's entry into {@code into} (from index 0), from any thread.
     *
     * @return false if the key has no entry.
     */
    public boolean read(final long keyValue, final MutableDirectBuffer into)
    {
        final LongValue readerKey = readerKeys.get();
        readerKey.setValue(keyValue);
        try (ExternalMapQueryContext<LongValue, byte[], ?> c = map.queryContext(readerKey))
        {
            c.readLock().lock();
            final MapEntry<LongValue, byte[]> e = c.entry();
            if (e == null)
            {
                return false;
            }
            final Data<byte[]> value = e.value();
            final UnsafeBuffer view = readerViews.get();
            view.wrap(value.bytes().addressForRead(value.offset()), entryLength);
            into.putBytes(0, view, 0, entryLength);
            return true;
        }
    }

    public long size()
    {
        return map.longSize();
    }

    /**
     * Writes every entry (count, then key and bytes of each) to a snapshot. Owner thread, no entry acquired.
     * Allocates (iteration); a snapshot is not on the per-event path.
     */
    public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        writeSnapshot(out, true);
    }

    /**
     * Writes the keys only (their entries read back zeroed): for a store used as a set, such as dedup's ids.
     */
    public void writeKeysSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        writeSnapshot(out, false);
    }

    private void writeSnapshot(final SnapshotWriter out, final boolean values) throws java.io.IOException
    {
        if (context != null)
        {
            throw new IllegalStateException(name + ": release the acquired entry before a snapshot");
        }
        // a negative length marks entries written sparse: only their non-zero 8-byte words, after a bitmap of which
        // those are (windows fill few of an entry's slots, and a closed one is zeroed: about 6 times fewer bytes)
        out.writeInt(values ? -entryLength : 0);
        out.writeLong(map.longSize());
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final long[] written = {0};
        try
        {
            map.forEachEntry(e ->
            {
                final Data<byte[]> value = e.value();
                view.wrap(value.bytes().addressForRead(value.offset()), entryLength);
                try
                {
                    out.writeLong(e.key().get().getValue());
                    if (values)
                    {
                        writeSparse(out, view);
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                written[0]++;
            });
        }
        catch (final java.io.UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        if (written[0] != map.longSize())
        {
            throw new IllegalStateException(name + ": the map changed during its snapshot");
        }
    }

    /** Per 64 words of an entry: a bitmap of its non-zero words, then those words, in order. */
    private void writeSparse(final SnapshotWriter out, final UnsafeBuffer view) throws java.io.IOException
    {
        final int words = entryLength >> 3;
        for (int first = 0; first < words; first += 64)
        {
            final int end = Math.min(words, first + 64);
            long bitmap = 0;
            for (int w = first; w < end; w++)
            {
                if (view.getLong(w << 3) != 0)
                {
                    bitmap |= 1L << (w - first);
                }
            }
            out.writeLong(bitmap);
            for (long bits = bitmap; bits != 0; bits &= bits - 1)
            {
                out.writeLong(view.getLong((first + Long.numberOfTrailingZeros(bits)) << 3));
            }
        }
    }

    private void readSparse(final SnapshotReader in, final MutableDirectBuffer target)
    {
        final int words = entryLength >> 3;
        for (int first = 0; first < words; first += 64)
        {
            final int count = Math.min(64, words - first);
            final long bitmap = in.readLong();
            if (count < 64 && (bitmap >>> count) != 0)
            {
                throw new SnapshotCorruptedException(name + ": a sparse entry marks words past its " + entryLength + " bytes");
            }
            if (Long.bitCount(bitmap) * 8L > in.remaining())
            {
                throw new SnapshotCorruptedException(name + ": a sparse entry says " + Long.bitCount(bitmap) + " words but the snapshot holds " +
                    in.remaining() + " bytes");
            }
            for (long bits = bitmap; bits != 0; bits &= bits - 1)
            {
                target.putLong((first + Long.numberOfTrailingZeros(bits)) << 3, in.readLong());
            }
        }
    }

    /**
     * Writes a list of keys (an operator's own order of them, such as the close order at the end of input).
     */
    static void writeKeys(final SnapshotWriter out, final org.agrona.collections.LongArrayList keys) throws java.io.IOException
    {
        out.writeInt(keys.size());
        for (int i = 0; i < keys.size(); i++)
        {
            out.writeLong(keys.getLong(i));
        }
    }

    /**
     * Replaces {@code keys} with a list written by {@link #writeKeys}.
     */
    static void readKeys(final SnapshotReader in, final org.agrona.collections.LongArrayList keys)
    {
        final int count = in.readInt();
        if (count < 0 || (long)count * 8 > in.remaining())
        {
            throw new SnapshotCorruptedException("the snapshot says " + count + " keys but holds " + in.remaining() + " bytes");
        }
        keys.clear();
        for (int i = 0; i < count; i++)
        {
            keys.addLong(in.readLong());
        }
    }

    private void readKeys(final SnapshotReader in)
    {
        final long count = in.readLong();
        if (count < 0 || count * 8 > in.remaining())
        {
            throw new SnapshotCorruptedException(name + ": the snapshot says " + count + " keys but holds " + in.remaining() + " bytes");
        }
        clear();
        for (long i = 0; i < count; i++)
        {
            insertIfAbsent(in.readLong());
        }
    }

    /**
     * Replaces every entry with those of a snapshot written by {@link #writeSnapshot} or {@link #writeKeysSnapshot}.
     * Owner thread.
     */
    public void readSnapshot(final SnapshotReader in)
    {
        readSnapshot(in, null);
    }

    /**
     * Sees each entry restored by {@link #readSnapshot(SnapshotReader, RestoredEntry)}.
     */
    @FunctionalInterface
    public interface RestoredEntry
    {
        void restored(long key, MutableDirectBuffer entry);
    }

    /**
     * As {@link #readSnapshot(SnapshotReader)}, showing each restored entry to {@code visitor} (may be null).
     */
    public void readSnapshot(final SnapshotReader in, final RestoredEntry visitor)
    {
        final int length = in.readInt();
        if (length == 0)
        {
            readKeys(in);
            return;
        }
        final boolean sparse = length < 0;
        if (Math.abs(length) != entryLength)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot holds entries of " + Math.abs(length) + " bytes, this store's are " +
                entryLength);
        }
        final long count = in.readLong();
        final long smallest = 8 + (sparse ? 8L * ((entryLength / 8 + 63) / 64) : entryLength);
        if (count < 0 || count * smallest > in.remaining())
        {
            throw new SnapshotCorruptedException(name + ": the snapshot says " + count + " entries but holds " + in.remaining() + " bytes");
        }
        clear();
        for (long i = 0; i < count; i++)
        {
            final long restoredKey = in.readLong();
            final MutableDirectBuffer target = acquire(restoredKey);
            try
            {
                if (sparse)
                {
                    readSparse(in, target);   // a new entry is zeroed: only the non-zero words are written
                }
                else
                {
                    in.readBytes(target, 0, entryLength);
                }
                if (visitor != null)
                {
                    visitor.restored(restoredKey, target);
                }
            }
            finally
            {
                release();
            }
        }
    }

    public int entryLength()
    {
        return entryLength;
    }

    private void checkAcquired()
    {
        if (context == null)
        {
            throw new IllegalStateException(name + ": no entry is acquired");
        }
    }

    @Override
    public void close()
    {
        if (context != null)
        {
            context.close();
            context = null;
        }
        map.close();
        zeros.releaseLast();
    }
}
