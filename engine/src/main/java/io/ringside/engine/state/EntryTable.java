package io.ringside.engine.state;

import org.agrona.BitUtil;
import org.agrona.UnsafeApi;

/**
 * The hot tier of a {@link KeyedStore}: fixed-size entries in one off-heap slab, found through an off-heap
 * open-addressing index of long keys (linear probing, backward-shift removal, at most half full). A lookup is a hash,
 * a probe of 16-byte index slots (usually one cache line) and the entry itself: the cost of a primitive hash map,
 * where a Chronicle Map query context costs a segment lock, a key serialisation and a comparison through its
 * {@code Data} abstraction (about 1 µs a lookup here, measured in tuning.md).
 * <p>
 * An entry never moves while its key lives, so an entry number is a stable handle: {@link #holds} tells whether it
 * still belongs to a key (a timer registration keeps the handle, and a visit goes straight to the entry, one cache
 * miss instead of two). Which numbers are handed out next is state too ({@link #fresh()}, the free list), written with
 * a snapshot and restored ({@link #restoreLayout}, {@link #insertAt}), so handles are the same after a restart.
 * <pre>
 *   index slot (16 bytes):   0: key (int64)   8: entry number + 1 (int64; 0 = a free slot)
 *   slab, entry n at slab + n * (16 + entryLength):
 *                            0: key (int64)   8: live (int64, 1 or 0)   16: the entry, zeroed when handed out
 * </pre>
 * Capacity is fixed at construction: {@link #insert} answers {@link #FULL} past it, and the store spills to its cold tier.
 * Both regions are {@link OffHeapRegion}s, on huge pages where the kernel gives them.
 * <p>
 * <b>Thread safety:</b> one thread. Memory is freed by {@link #close()}, never before.
 */
final class EntryTable implements AutoCloseable
{
    /** {@link #find} and {@link #insert}: the key is absent. */
    static final int ABSENT = -1;
    /** {@link #insert}: the key is absent and every entry is in use. */
    static final int FULL = -2;

    private static final int INDEX_SLOT_LENGTH = 16;
    private static final int REF_OFFSET = 8;
    /** Bytes before each entry's own, in its stride (whose start is cache-line aligned). */
    static final int ENTRY_HEADER = 16;
    private static final int LIVE_OFFSET = 8;

    private final int capacity;
    private final int entryLength;
    private final long stride;
    private final int indexMask;
    private final OffHeapRegion index;
    private final OffHeapRegion slab;
    private final long indexAddress;
    private final long indexLength;
    private final long slabAddress;
    private final int[] freeEntries;
    private int freeCount;
    private int fresh;
    private int size;
    private boolean closed;

    /**
     * @param capacity    entries it holds at most.
     * @param entryLength bytes per entry, a positive multiple of 8.
     */
    EntryTable(final int capacity, final int entryLength)
    {
        if (capacity < 1 || capacity > 1 << 29 || entryLength < 8 || entryLength % 8 != 0)
        {
            throw new IllegalArgumentException("capacity must be 1 to 2^29 and the entry length a positive multiple of 8, were " +
                capacity + " and " + entryLength);
        }
        this.capacity = capacity;
        this.entryLength = entryLength;
        // an entry of more than a cache line takes whole lines: its header and first words in one line (a visit reads
        // that line first), no line shared with the next entry; a smaller one stays packed
        final int packed = ENTRY_HEADER + entryLength;
        this.stride = packed > BitUtil.CACHE_LINE_LENGTH ? BitUtil.align(packed, BitUtil.CACHE_LINE_LENGTH) : packed;
        final int slots = BitUtil.findNextPositivePowerOfTwo(Math.max(16, capacity * 2));
        this.indexMask = slots - 1;
        this.indexLength = (long)slots * INDEX_SLOT_LENGTH;
        this.index = new OffHeapRegion(indexLength);
        this.indexAddress = index.address();
        UnsafeApi.setMemory(indexAddress, indexLength, (byte)0);
        OffHeapRegion entries = null;
        try
        {
            entries = new OffHeapRegion(capacity * stride);
        }
        finally
        {
            if (entries == null)
            {
                index.free();
            }
        }
        this.slab = entries;
        this.slabAddress = entries.address();
        this.freeEntries = new int[capacity];
    }

    /**
     * @return the key's entry number, or {@link #ABSENT}.
     */
    int find(final long key)
    {
        int slot = hash(key) & indexMask;
        while (true)
        {
            final long at = indexAddress + (long)slot * INDEX_SLOT_LENGTH;
            final long ref = UnsafeApi.getLong(at + REF_OFFSET);
            if (ref == 0)
            {
                return ABSENT;
            }
            if (UnsafeApi.getLong(at) == key)
            {
                return (int)(ref - 1);
            }
            slot = (slot + 1) & indexMask;
        }
    }

    /**
     * Finds the key's entry, or hands out a zeroed one for it.
     *
     * @return the entry number, or {@link #FULL} if the key is absent and every entry is in use.
     */
    int insert(final long key)
    {
        int slot = hash(key) & indexMask;
        while (true)
        {
            final long at = indexAddress + (long)slot * INDEX_SLOT_LENGTH;
            final long ref = UnsafeApi.getLong(at + REF_OFFSET);
            if (ref == 0)
            {
                final int entry = newEntry();
                if (entry < 0)
                {
                    return FULL;
                }
                UnsafeApi.putLong(at, key);
                UnsafeApi.putLong(at + REF_OFFSET, entry + 1L);
                final long header = slabAddress + entry * stride;
                UnsafeApi.putLong(header, key);
                UnsafeApi.putLong(header + LIVE_OFFSET, 1);
                size++;
                return entry;
            }
            if (UnsafeApi.getLong(at) == key)
            {
                return (int)(ref - 1);
            }
            slot = (slot + 1) & indexMask;
        }
    }

    /**
     * Removes the key and frees its entry.
     *
     * @return false if it was absent.
     */
    boolean remove(final long key)
    {
        int slot = hash(key) & indexMask;
        while (true)
        {
            final long at = indexAddress + (long)slot * INDEX_SLOT_LENGTH;
            final long ref = UnsafeApi.getLong(at + REF_OFFSET);
            if (ref == 0)
            {
                return false;
            }
            if (UnsafeApi.getLong(at) == key)
            {
                freeEntries[freeCount++] = (int)(ref - 1);
                UnsafeApi.putLong(slabAddress + (ref - 1) * stride + LIVE_OFFSET, 0);
                size--;
                shiftBack(slot);
                return true;
            }
            slot = (slot + 1) & indexMask;
        }
    }

    /**
     * Linear probing's removal without tombstones: moves back every later slot of the run that its own hash allows.
     */
    private void shiftBack(final int removed)
    {
        int hole = removed;
        int next = removed;
        while (true)
        {
            next = (next + 1) & indexMask;
            final long at = indexAddress + (long)next * INDEX_SLOT_LENGTH;
            final long ref = UnsafeApi.getLong(at + REF_OFFSET);
            if (ref == 0)
            {
                break;
            }
            final long key = UnsafeApi.getLong(at);
            final int home = hash(key) & indexMask;
            // the key stays if its home lies cyclically in (hole, next]
            final boolean stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!stays)
            {
                final long holeAt = indexAddress + (long)hole * INDEX_SLOT_LENGTH;
                UnsafeApi.putLong(holeAt, key);
                UnsafeApi.putLong(holeAt + REF_OFFSET, ref);
                hole = next;
            }
        }
        final long holeAt = indexAddress + (long)hole * INDEX_SLOT_LENGTH;
        UnsafeApi.putLong(holeAt, 0);
        UnsafeApi.putLong(holeAt + REF_OFFSET, 0);
    }

    private int newEntry()
    {
        final int entry;
        if (freeCount > 0)
        {
            entry = freeEntries[--freeCount];
        }
        else if (fresh < capacity)
        {
            entry = fresh++;
        }
        else
        {
            return FULL;
        }
        UnsafeApi.setMemory(address(entry), entryLength, (byte)0);
        return entry;
    }

    /**
     * @return the address of an entry handed out by {@link #insert} (valid until its key is removed).
     */
    long address(final int entry)
    {
        return slabAddress + entry * stride + ENTRY_HEADER;
    }

    /**
     * @return whether entry number {@code entry} is in use, by {@code key}.
     */
    boolean holds(final int entry, final long key)
    {
        if (entry < 0 || entry >= fresh)
        {
            return false;
        }
        final long header = slabAddress + entry * stride;
        return UnsafeApi.getLong(header + LIVE_OFFSET) != 0 && UnsafeApi.getLong(header) == key;
    }

    /**
     * @return whether entry number {@code entry} (below {@link #fresh()}) is in use.
     */
    boolean live(final int entry)
    {
        return UnsafeApi.getLong(slabAddress + entry * stride + LIVE_OFFSET) != 0;
    }

    /**
     * @return the key written in entry number {@code entry}'s header (its key while it is in use; what it last held, or
     * 0, when it is not).
     */
    long keyOfEntry(final int entry)
    {
        return entry >= 0 && entry < capacity ? UnsafeApi.getLong(slabAddress + entry * stride) : 0;
    }

    /**
     * Loads the index slot where {@code key}'s search starts (the first stage of a prefetch by hand: {@link #find}
     * then costs no miss of its own).
     *
     * @return what it read.
     */
    long touchIndex(final long key)
    {
        return Prefetch.touch(indexAddress + (long)(hash(key) & indexMask) * INDEX_SLOT_LENGTH);
    }

    /**
     * Loads an entry's first word and returns it: called for the next few entries a loop will visit, so that their
     * cache misses overlap instead of coming one after another.
     */
    long touch(final int entry)
    {
        return entry >= 0 && entry < capacity ? Prefetch.touch(slabAddress + entry * stride) : 0;
    }

    /**
     * @return entry numbers handed out so far (the next new one, when the free list is empty).
     */
    int fresh()
    {
        return fresh;
    }

    int freeCount()
    {
        return freeCount;
    }

    /**
     * @return the free list's i-th entry number from the bottom ({@link #freeCount()} - 1 is handed out next).
     */
    int freeEntry(final int i)
    {
        return freeEntries[i];
    }

    /**
     * Empties the table and sets which entry numbers it hands out next, as {@link #fresh()} and the free list were.
     */
    void restoreLayout(final int fresh, final int[] free, final int freeCount)
    {
        if (fresh < 0 || fresh > capacity || freeCount < 0 || freeCount > fresh)
        {
            throw new IllegalArgumentException("a layout of " + fresh + " entries (" + freeCount + " free) does not fit " + capacity);
        }
        clear();
        UnsafeApi.setMemory(slabAddress, fresh * stride, (byte)0);
        this.fresh = fresh;
        System.arraycopy(free, 0, freeEntries, 0, freeCount);
        this.freeCount = freeCount;
    }

    /**
     * Restores a key at the entry number it had ({@link #restoreLayout} first, which zeroed the entry).
     *
     * @return the entry number.
     */
    int insertAt(final long key, final int entry)
    {
        if (entry < 0 || entry >= fresh || UnsafeApi.getLong(slabAddress + entry * stride + LIVE_OFFSET) != 0)
        {
            throw new IllegalArgumentException("entry " + entry + " is outside the " + fresh + " handed out, or taken twice");
        }
        int slot = hash(key) & indexMask;
        while (true)
        {
            final long at = indexAddress + (long)slot * INDEX_SLOT_LENGTH;
            if (UnsafeApi.getLong(at + REF_OFFSET) == 0)
            {
                UnsafeApi.putLong(at, key);
                UnsafeApi.putLong(at + REF_OFFSET, entry + 1L);
                break;
            }
            if (UnsafeApi.getLong(at) == key)
            {
                throw new IllegalArgumentException("key " + key + " restored twice");
            }
            slot = (slot + 1) & indexMask;
        }
        final long header = slabAddress + entry * stride;
        UnsafeApi.putLong(header, key);
        UnsafeApi.putLong(header + LIVE_OFFSET, 1);
        size++;
        return entry;
    }

    /**
     * Removes every key.
     */
    void clear()
    {
        UnsafeApi.setMemory(indexAddress, indexLength, (byte)0);
        for (int entry = 0; entry < fresh; entry++)
        {
            UnsafeApi.putLong(slabAddress + entry * stride + LIVE_OFFSET, 0);
        }
        size = 0;
        freeCount = 0;
        fresh = 0;
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    /**
     * A 64-bit finalizer (murmur3's) folded to an int: card ids and event ids are small and dense, so the low bits of
     * the key alone would cluster.
     */
    static int hash(final long key)
    {
        long h = key;
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int)h;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            index.free();
            slab.free();
        }
    }
}
