package io.ringside.engine.state;

import io.ringside.engine.JvmFlags;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fixed-size entries, one per long key, off-heap, updated in place: {@link #acquire(long)} hands out a flyweight over
 * the entry's own memory (zeroed when new), which the caller reads and writes until {@link #release()}. Nothing is
 * allocated per call.
 * <p>
 * Two tiers. The hot tier, an {@link EntryTable} sized for the expected keys, holds every key while it has room: a
 * lookup there costs what a primitive open-addressing map costs (a hash, a probe, the entry). Keys beyond it go to
 * the cold tier, a Chronicle Map (each access a query context under a segment lock: about ten times slower), so a
 * store that meets more keys than it was sized for slows down instead of failing. A key lives in one tier for its
 * whole life; {@link #coldKeys()} tells how many spilled (the sizing to raise, see tuning.md).
 * <p>
 * The state lives in memory, never in a file: after a crash nothing trusts it, and the state is rebuilt from the
 * journal and snapshots. So entries need no checksum.
 * <p>
 * <b>Thread safety:</b> {@link #acquire}, {@link #release}, {@link #remove} and the rest belong to one thread (a
 * shard's). {@link #read(long, MutableDirectBuffer)} may be called from any thread: it copies the entry under a
 * sequence lock (the owner makes the store's version odd while an entry is acquired, even again on release; a reader
 * retries a copy that saw the version move), so it sees a whole update or none of it, and never blocks the owner.
 */
public final class KeyedStore implements AutoCloseable
{
    /** First of the fields: a JVM without the flags gets a refusal that names them, before any other field is made. */
    private final boolean flagsChecked = JvmFlags.requireForState("KeyedStore (off-heap keyed state in Chronicle Map)");
    /** Starts a snapshot of the layout format (older ones start with an entry length: 0 or plus or minus it). */
    static final int LAYOUT_MARKER = Integer.MIN_VALUE + 2;
    /** Why a snapshot's entry length differs from the store's, and what to do. */
    private static final String OTHER_LAYOUT = " (written by a version that laid out its entries otherwise, another window kind or " +
        "shared panes for instance: move the snapshot aside to replay the journal)";
    private static final VarHandle VERSION;

    static
    {
        try
        {
            VERSION = MethodHandles.lookup().findVarHandle(KeyedStore.class, "version", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final int entryLength;
    private final EntryTable hot;
    private final ChronicleMap<LongValue, byte[]> cold;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final BytesStore<?, ?> zeros;
    private final UnsafeBuffer entry = new UnsafeBuffer(0, 0);
    /** Over a snapshot's bytes while one is read. */
    private final UnsafeBuffer sparseView = new UnsafeBuffer(0, 0);
    private final ThreadLocal<LongValue> readerKeys = ThreadLocal.withInitial(() -> Values.newHeapInstance(LongValue.class));
    private final ThreadLocal<UnsafeBuffer> readerViews = ThreadLocal.withInitial(() -> new UnsafeBuffer(0, 0));
    private ExternalMapQueryContext<LongValue, byte[], ?> context;
    private long acquiredKey;
    private int handle;
    private long coldKeys;
    private boolean acquired;
    private volatile boolean closed;
    @SuppressWarnings("unused") // through VERSION
    private volatile long version;

    /**
     * @param name         for errors and diagnostics.
     * @param expectedKeys how many keys it holds at once: the hot tier's capacity.
     * @param entryLength  bytes per entry, a multiple of 8.
     */
    public KeyedStore(final String name, final long expectedKeys, final int entryLength)
    {
        this(name, expectedKeys, entryLength, expectedKeys);
    }

    /**
     * @param hotKeys keys the hot tier holds (the rest spill to the cold tier, sized for a 32nd of the expected keys
     *                and allowed to grow 16 times that).
     */
    KeyedStore(final String name, final long expectedKeys, final int entryLength, final long hotKeys)
    {
        if (expectedKeys < 1 || hotKeys < 1 || hotKeys > 1 << 29 || entryLength < 8 || entryLength % 8 != 0)
        {
            throw new IllegalArgumentException(name + ": expected keys must be 1 to 2^29 and the entry length a positive multiple of 8, were " +
                expectedKeys + " and " + entryLength);
        }
        this.name = name;
        this.entryLength = entryLength;
        this.hot = new EntryTable((int)hotKeys, entryLength);
        try
        {
            this.cold = ChronicleMap.of(LongValue.class, byte[].class)
                .name(name)
                // sized small (it is the overflow, and a large map takes most of a second to make), allowed to grow
                .entries(Math.max(1_024, Math.max(expectedKeys - hotKeys, expectedKeys / 32)))
                .maxBloatFactor(16)
                .constantValueSizeBySample(new byte[entryLength])
                .putReturnsNull(true)
                .removeReturnsNull(true)
                .create();
        }
        catch (final RuntimeException | Error ex)
        {
            hot.close();
            throw ex;
        }
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
        checkNotAcquired();
        beginWrite();
        int at = hot.find(keyValue);
        if (at == EntryTable.ABSENT && coldKeys == 0)
        {
            at = hot.insert(keyValue);
        }
        if (at >= 0)
        {
            return acquired(keyValue, at);
        }
        key.setValue(keyValue);
        final ExternalMapQueryContext<LongValue, byte[], ?> c = cold.queryContext(key);
        // the write lock, not the update lock: an update lock still lets readers in, and they would see half an update
        c.writeLock().lock();
        MapEntry<LongValue, byte[]> e = c.entry();
        if (e == null)
        {
            at = hot.insert(keyValue);
            if (at >= 0)
            {
                c.close();
                return acquired(keyValue, at);
            }
            c.absentEntry().doInsert(c.wrapValueBytesAsData(zeros, 0, entryLength));
            coldKeys++;
            e = c.entry();
        }
        return acquiredCold(keyValue, c, e);
    }

    /**
     * Opens the key's entry for update if it has one.
     *
     * @return a flyweight over the entry, valid until {@link #release()}; null (and nothing acquired) if the key has no entry.
     */
    public MutableDirectBuffer acquireIfPresent(final long keyValue)
    {
        checkNotAcquired();
        final int at = hot.find(keyValue);
        if (at >= 0)
        {
            beginWrite();
            return acquired(keyValue, at);
        }
        return acquireColdIfPresent(keyValue);
    }

    /**
     * Opens the key's entry in the cold tier, if it is there.
     */
    private MutableDirectBuffer acquireColdIfPresent(final long keyValue)
    {
        if (coldKeys == 0)
        {
            return null;
        }
        key.setValue(keyValue);
        final ExternalMapQueryContext<LongValue, byte[], ?> c = cold.queryContext(key);
        c.writeLock().lock();
        final MapEntry<LongValue, byte[]> e = c.entry();
        if (e == null)
        {
            c.close();
            return null;
        }
        beginWrite();
        return acquiredCold(keyValue, c, e);
    }

    private MutableDirectBuffer acquired(final long keyValue, final int at)
    {
        handle = at;
        entry.wrap(hot.address(at), entryLength);
        acquiredKey = keyValue;
        acquired = true;
        return entry;
    }

    private MutableDirectBuffer acquiredCold(
        final long keyValue, final ExternalMapQueryContext<LongValue, byte[], ?> c, final MapEntry<LongValue, byte[]> e)
    {
        context = c;
        final Data<byte[]> value = e.value();
        entry.wrap(value.bytes().addressForRead(value.offset()), entryLength);
        acquiredKey = keyValue;
        acquired = true;
        return entry;
    }

    /**
     * Inserts a zeroed entry for the key unless it has one. Owner thread.
     *
     * @return true if the key was absent (and now has an entry); false if it had one.
     */
    public boolean insertIfAbsent(final long keyValue)
    {
        checkNotAcquired();
        if (hot.find(keyValue) >= 0)
        {
            return false;
        }
        if (coldKeys != 0)
        {
            key.setValue(keyValue);
            if (cold.containsKey(key))
            {
                return false;
            }
        }
        acquire(keyValue);
        release();
        return true;
    }

    /**
     * Removes every entry. Owner thread.
     */
    public void clear()
    {
        checkNotAcquired();
        beginWrite();
        hot.clear();
        cold.clear();
        coldKeys = 0;
        endWrite();
    }

    /**
     * Removes the acquired entry (its state is done with) and releases it.
     */
    public void removeAcquired()
    {
        checkAcquired();
        if (context != null)
        {
            context.entry().doRemove();
            coldKeys--;
        }
        else
        {
            hot.remove(acquiredKey);
        }
        release();
    }

    /**
     * Releases the acquired entry: writes through the flyweight are in place already.
     */
    public void release()
    {
        checkAcquired();
        acquired = false;
        final ExternalMapQueryContext<LongValue, byte[], ?> c = context;
        if (c != null)
        {
            context = null;
            c.close();
        }
        endWrite();
    }

    /**
     * Removes a key's entry, if any. Owner thread.
     */
    public void remove(final long keyValue)
    {
        checkNotAcquired();
        beginWrite();
        try
        {
            if (!hot.remove(keyValue) && coldKeys != 0)
            {
                key.setValue(keyValue);
                cold.remove(key);
                coldKeys = cold.longSize();
            }
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Copies a key's entry into {@code into} (from index 0), from any thread, without blocking the owner. Not while or
     * after the store closes: its memory is freed then (a read that starts after {@link #close()} is refused).
     *
     * @return false if the key has no entry.
     */
    public boolean read(final long keyValue, final MutableDirectBuffer into)
    {
        final UnsafeBuffer view = readerViews.get();
        while (true)
        {
            if (closed)
            {
                throw new IllegalStateException(name + ": closed");
            }
            final long before = (long)VERSION.getAcquire(this);
            if ((before & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final int at = hot.find(keyValue);
            if (at >= 0 && at < hot.capacity())
            {
                view.wrap(hot.address(at), entryLength);
                into.putBytes(0, view, 0, entryLength);
            }
            VarHandle.loadLoadFence();
            if ((long)VERSION.getVolatile(this) != before)
            {
                continue; // the owner moved something meanwhile: copy again
            }
            if (at >= 0)
            {
                return true;
            }
            return readCold(keyValue, into, view);
        }
    }

    private boolean readCold(final long keyValue, final MutableDirectBuffer into, final UnsafeBuffer view)
    {
        if (cold.isEmpty())
        {
            return false;
        }
        final LongValue readerKey = readerKeys.get();
        readerKey.setValue(keyValue);
        try (ExternalMapQueryContext<LongValue, byte[], ?> c = cold.queryContext(readerKey))
        {
            c.readLock().lock();
            final MapEntry<LongValue, byte[]> e = c.entry();
            if (e == null)
            {
                return false;
            }
            final Data<byte[]> value = e.value();
            view.wrap(value.bytes().addressForRead(value.offset()), entryLength);
            into.putBytes(0, view, 0, entryLength);
            return true;
        }
    }

    public long size()
    {
        return hot.size() + coldKeys;
    }

    /**
     * @return keys held in the cold tier (Chronicle Map) because the hot tier was full when they came: 0 when the
     * store is sized right.
     */
    public long coldKeys()
    {
        return coldKeys;
    }

    private void beginWrite()
    {
        VERSION.setOpaque(this, (long)VERSION.getOpaque(this) + 1);
        VarHandle.storeStoreFence();
    }

    private void endWrite()
    {
        VERSION.setRelease(this, (long)VERSION.getOpaque(this) + 1);
    }

    private void checkNotAcquired()
    {
        if (acquired)
        {
            throw new IllegalStateException(name + ": an entry is already acquired: release it first");
        }
    }

    /**
     * Writes every entry (count, then key and bytes of each) to a snapshot. Owner thread, no entry acquired.
     * Allocates (iteration); a snapshot is not on the per-event path.
     */
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        writeSnapshot(out, true);
    }

    /**
     * Writes the keys only (their entries read back zeroed): for a store used as a set, such as dedup's ids.
     */
    public void writeKeysSnapshot(final SnapshotWriter out) throws IOException
    {
        writeSnapshot(out, false);
    }

    private void writeSnapshot(final SnapshotWriter out, final boolean values) throws IOException
    {
        checkNotAcquired();
        // the layout: which entry number each hot key has and which numbers come next, so that handles (timer
        // registrations hold them) mean the same after a restore; entries written sparse: only their non-zero 8-byte
        // words, after a bitmap of which those are (windows fill few of an entry's slots: about 6 times fewer bytes)
        out.writeInt(LAYOUT_MARKER);
        out.writeInt(values ? entryLength : 0);
        out.writeInt(hot.fresh());
        out.writeInt(hot.freeCount());
        for (int i = 0; i < hot.freeCount(); i++)
        {
            out.writeInt(hot.freeEntry(i));
        }
        out.writeLong(hot.size());
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        long written = 0;
        // in entry order: the slab read (and, restoring, written) front to back, not at random
        for (int at = 0, fresh = hot.fresh(); at < fresh; at++)
        {
            if (hot.live(at))
            {
                out.writeInt(at);
                out.writeLong(hot.keyOfEntry(at));
                if (values)
                {
                    view.wrap(hot.address(at), entryLength);
                    writeSparse(out, view);
                }
                written++;
            }
        }
        out.writeLong(coldKeys);
        final long[] coldWritten = {0};
        try
        {
            cold.forEachEntry(e ->
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
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                coldWritten[0]++;
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        if (written != hot.size() || coldWritten[0] != coldKeys)
        {
            throw new IllegalStateException(name + ": the store changed during its snapshot");
        }
    }

    /** Per 64 words of an entry: a bitmap of its non-zero words, then those words, in order. */
    private void writeSparse(final SnapshotWriter out, final UnsafeBuffer view) throws IOException
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

    /**
     * Reads an entry written by {@link #writeSparse} into the zeroed entry at {@code address}: each bitmap's words read
     * in place from the snapshot's bytes, without a call per word.
     */
    private void readSparse(final SnapshotReader in, final long address)
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
            in.readView(sparseView, Long.bitCount(bitmap) * 8);
            long from = sparseView.addressOffset();
            final long to = address + ((long)first << 3);
            for (long bits = bitmap; bits != 0; bits &= bits - 1)
            {
                UnsafeApi.putLong(to + ((long)Long.numberOfTrailingZeros(bits) << 3), UnsafeApi.getLong(from));
                from += 8;
            }
        }
    }

    /**
     * Writes a list of keys (an operator's own order of them, such as the close order at the end of input).
     */
    static void writeKeys(final SnapshotWriter out, final LongArrayList keys) throws IOException
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
    static void readKeys(final SnapshotReader in, final LongArrayList keys)
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
        final int length = in.readInt();
        if (length == LAYOUT_MARKER)
        {
            readLayoutSnapshot(in);
            return;
        }
        if (length == 0)
        {
            readKeys(in);
            return;
        }
        final boolean sparse = length < 0;
        if (Math.abs(length) != entryLength)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot holds entries of " + Math.abs(length) + " bytes, this store's are " +
                entryLength + OTHER_LAYOUT);
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
                    readSparse(in, target.addressOffset());   // a new entry is zeroed: only the non-zero words are written
                }
                else
                {
                    in.readBytes(target, 0, entryLength);
                }
            }
            finally
            {
                release();
            }
        }
    }

    private void readLayoutSnapshot(final SnapshotReader in)
    {
        final int length = in.readInt();
        if (length != 0 && length != entryLength)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot holds entries of " + length + " bytes, this store's are " + entryLength +
                OTHER_LAYOUT);
        }
        final int fresh = in.readInt();
        final int freeCount = in.readInt();
        if (fresh > hot.capacity())
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's state used " + fresh + " entries, this store holds " + hot.capacity() +
                " (it was built for fewer expected keys than the run that wrote the snapshot: use the same sizing)");
        }
        if (fresh < 0 || freeCount < 0 || freeCount > fresh || freeCount * 4L > in.remaining())
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's layout says " + fresh + " entries, " + freeCount + " free");
        }
        final int[] free = new int[freeCount];
        for (int i = 0; i < freeCount; i++)
        {
            free[i] = in.readInt();
        }
        checkNotAcquired();
        beginWrite();
        try
        {
            cold.clear();
            coldKeys = 0;
            hot.restoreLayout(fresh, free, freeCount);
            final long hotCount = in.readLong();
            if (hotCount < 0 || hotCount > fresh - freeCount || hotCount * 12 > in.remaining())
            {
                throw new SnapshotCorruptedException(name + ": the snapshot says " + hotCount + " entries in " + fresh + " handed out, " +
                    freeCount + " free");
            }
            for (long i = 0; i < hotCount; i++)
            {
                final int at = in.readInt();
                final long restoredKey = in.readLong();
                try
                {
                    hot.insertAt(restoredKey, at);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new SnapshotCorruptedException(name + ": " + ex.getMessage());
                }
                entry.wrap(hot.address(at), entryLength);
                restored(in, length);
            }
            final long coldCount = in.readLong();
            if (coldCount < 0 || coldCount * 8 > in.remaining())
            {
                throw new SnapshotCorruptedException(name + ": the snapshot says " + coldCount + " cold entries but holds " + in.remaining() +
                    " bytes");
            }
            for (long i = 0; i < coldCount; i++)
            {
                final long restoredKey = in.readLong();
                key.setValue(restoredKey);
                try (ExternalMapQueryContext<LongValue, byte[], ?> c = cold.queryContext(key))
                {
                    c.writeLock().lock();
                    if (c.entry() != null)
                    {
                        throw new SnapshotCorruptedException(name + ": key " + restoredKey + " restored twice");
                    }
                    c.absentEntry().doInsert(c.wrapValueBytesAsData(zeros, 0, entryLength));
                    coldKeys++;
                    final Data<byte[]> value = c.entry().value();
                    entry.wrap(value.bytes().addressForRead(value.offset()), entryLength);
                    restored(in, length);
                }
            }
        }
        finally
        {
            endWrite();
        }
    }

    private void restored(final SnapshotReader in, final int length)
    {
        if (length != 0)
        {
            readSparse(in, entry.addressOffset());   // a restored entry is zeroed: only the non-zero words are written
        }
    }

    /**
     * Opens an entry through its handle ({@link #handle()} when it was acquired), if the handle still belongs to the
     * key: one cache miss where a look-up by key costs two. A key in the cold tier has handle -1: it is looked up there.
     *
     * @return the entry, valid until {@link #release()}; null (nothing acquired) if the key's entry is no longer there.
     */
    public MutableDirectBuffer acquireByHandle(final long handle, final long keyValue)
    {
        checkNotAcquired();
        if (handle >= 0)
        {
            if (!hot.holds((int)handle, keyValue))
            {
                return null;
            }
            beginWrite();
            return acquired(keyValue, (int)handle);
        }
        return acquireColdIfPresent(keyValue);
    }

    /**
     * @return handles are below this: the hot tier's capacity.
     */
    public int handleCapacity()
    {
        return hot.capacity();
    }

    /**
     * @return the key whose entry is (or was last) behind {@code handle}: {@link #acquireByHandle} tells which. Owner thread.
     */
    public long keyOfHandle(final long handle)
    {
        return handle >= 0 && handle <= Integer.MAX_VALUE ? hot.keyOfEntry((int)handle) : 0;
    }

    /**
     * @return the acquired entry's handle: its entry number in the hot tier, -1 in the cold tier.
     */
    public long handle()
    {
        checkAcquired();
        return context != null ? -1 : handle;
    }

    /**
     * The first stage of a hint for a key about to be acquired, further ahead than {@link #prefetch}: loads the index
     * slot where its search starts. Changes nothing. Owner thread.
     *
     * @return what it read.
     */
    public long prefetchIndex(final long keyValue)
    {
        return hot.touchIndex(keyValue);
    }

    /**
     * A hint for a key about to be acquired: probes the index and loads the entry's first word (see
     * {@link EntryTable#touch}). Changes nothing. Owner thread.
     *
     * @return what it read.
     */
    public long prefetch(final long keyValue)
    {
        final int at = hot.find(keyValue);
        return at >= 0 ? hot.touch(at) : at;
    }

    /**
     * Loads the first word of the entry behind a handle (a prefetch by hand: see {@link EntryTable#touch}).
     */
    long touch(final long handle)
    {
        return handle >= 0 ? hot.touch((int)handle) : 0;
    }

    public int entryLength()
    {
        return entryLength;
    }

    private void checkAcquired()
    {
        if (!acquired)
        {
            throw new IllegalStateException(name + ": no entry is acquired");
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        acquired = false;
        if (context != null)
        {
            context.close();
            context = null;
        }
        try
        {
            cold.close();
        }
        finally
        {
            hot.close();
            zeros.releaseLast();
        }
    }
}
