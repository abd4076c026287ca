package io.ringside.engine.state;

import org.agrona.BitUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A set of longs in one off-heap buffer: open addressing, linear probing, no removal but {@link #clear()}, which
 * zeroes the used slots in one pass (milliseconds for a million ids, where clearing a Chronicle Map of them takes
 * about a second). A {@link Dedup} time bucket. Grows (doubling, rehashing: an allocation) only past its expected
 * size; sized right, steady state allocates nothing.
 * <pre>
 *   0: size (int64)   8: holds zero (int64, 0 or 1)   16: slots, one int64 each, 0 = free
 * </pre>
 * The buffer is the whole state: it can be copied raw.
 * <p>
 * <b>Thread safety:</b> one thread.
 */
final class OffHeapLongSet
{
    static final int SIZE_OFFSET = 0;
    static final int HOLDS_ZERO_OFFSET = 8;
    static final int SLOTS_OFFSET = 16;
    /** The most slots a set has: its slots and header addressed by an int offset (1 GiB; about 100 M ids before it grows). */
    static final int MAX_SLOTS = 1 << 27;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private OffHeapRegion memory;
    private int mask;
    private int resizeAt;

    /**
     * @param expected how many ids it holds at most without growing.
     */
    OffHeapLongSet(final long expected)
    {
        allocate(BitUtil.findNextPositivePowerOfTwo((int)Math.min(MAX_SLOTS, Math.max(16, expected * 2))));
    }

    private void allocate(final int capacity)
    {
        memory = new OffHeapRegion(SLOTS_OFFSET + capacity * 8L);
        buffer.wrap(memory.address(), (int)memory.length());
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        mask = capacity - 1;
        resizeAt = capacity / 4 * 3;
    }

    /**
     * Loads the slot where {@code value} would be found first (a prefetch by hand).
     *
     * @return what it read.
     */
    long touch(final long value)
    {
        return Prefetch.touch(buffer.addressOffset() + SLOTS_OFFSET + (hash(value) & mask) * 8);
    }

    /**
     * @return true if {@code value} was absent (and is now held); false if it was held already.
     */
    boolean add(final long value)
    {
        if (value == 0)
        {
            if (buffer.getLong(HOLDS_ZERO_OFFSET) != 0)
            {
                return false;
            }
            buffer.putLong(HOLDS_ZERO_OFFSET, 1);
            buffer.putLong(SIZE_OFFSET, buffer.getLong(SIZE_OFFSET) + 1);
            return true;
        }
        int slot = hash(value) & mask;
        while (true)
        {
            final int at = SLOTS_OFFSET + slot * 8;
            final long held = buffer.getLong(at);
            if (held == value)
            {
                return false;
            }
            if (held == 0)
            {
                buffer.putLong(at, value);
                final long size = buffer.getLong(SIZE_OFFSET) + 1;
                buffer.putLong(SIZE_OFFSET, size);
                if (size - buffer.getLong(HOLDS_ZERO_OFFSET) > resizeAt)
                {
                    grow();
                }
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    boolean contains(final long value)
    {
        if (value == 0)
        {
            return buffer.getLong(HOLDS_ZERO_OFFSET) != 0;
        }
        int slot = hash(value) & mask;
        while (true)
        {
            final long held = buffer.getLong(SLOTS_OFFSET + slot * 8);
            if (held == value)
            {
                return true;
            }
            if (held == 0)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    long size()
    {
        return buffer.getLong(SIZE_OFFSET);
    }

    /**
     * Forgets every value.
     */
    void clear()
    {
        if (buffer.getLong(SIZE_OFFSET) != 0)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
        }
    }

    /**
     * Writes the slots as they lie: their number, the count, whether zero is held, then per 64 slots a bitmap of those
     * in use and their values, in slot order. {@link #readSnapshot} puts each value back in its slot, one sequential
     * pass with no hashing or probing, and the set comes back exactly as it was.
     */
    void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        final long size = size();
        final long holdsZero = buffer.getLong(HOLDS_ZERO_OFFSET);
        out.writeLong(mask + 1L);
        out.writeLong(size);
        out.writeLong(holdsZero);
        long written = holdsZero;
        for (int first = 0; first <= mask; first += 64)
        {
            long bitmap = 0;
            for (int slot = 0, end = Math.min(64, mask + 1 - first); slot < end; slot++)
            {
                if (buffer.getLong(SLOTS_OFFSET + (first + slot) * 8) != 0)
                {
                    bitmap |= 1L << slot;
                }
            }
            out.writeLong(bitmap);
            for (long bits = bitmap; bits != 0; bits &= bits - 1)
            {
                out.writeLong(buffer.getLong(SLOTS_OFFSET + (first + Long.numberOfTrailingZeros(bits)) * 8));
            }
            written += Long.bitCount(bitmap);
        }
        if (written != size)
        {
            throw new IllegalStateException("the set holds " + written + " values but counts " + size);
        }
    }

    /**
     * Replaces the values held with those of a snapshot written by {@link #writeSnapshot}, each in the slot it had
     * (the set takes the snapshot's number of slots, should it have grown).
     */
    void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        final long slots = in.readLong();
        final long size = in.readLong();
        final long holdsZero = in.readLong();
        if (slots < 16 || slots > MAX_SLOTS || (slots & (slots - 1)) != 0 || size < 0 || size > slots || (holdsZero & ~1L) != 0 ||
            (slots / 64 + size - holdsZero) * 8 > in.remaining())
        {
            throw new io.ringside.engine.SnapshotCorruptedException("dedup ids: the snapshot says " + slots + " slots, " + size +
                " ids (zero among them: " + holdsZero + ") but holds " + in.remaining() + " bytes");
        }
        if (slots != mask + 1L)
        {
            close();
            allocate((int)slots);
        }
        else
        {
            clear();
        }
        final long base = buffer.addressOffset() + SLOTS_OFFSET;
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        long read = holdsZero;
        boolean zero = false;
        for (long first = 0; first < slots; first += 64)
        {
            final long bitmap = in.readLong();
            read += Long.bitCount(bitmap);
            if (read > size || (slots - first < 64 && bitmap >>> (slots - first) != 0))
            {
                read = Long.MAX_VALUE;   // more values than the count, or slots past the set's: refused below
                break;
            }
            in.readView(view, Long.bitCount(bitmap) * 8);
            long from = view.addressOffset();
            for (long bits = bitmap; bits != 0; bits &= bits - 1)
            {
                final long value = UnsafeApi.getLong(from);
                zero |= value == 0;
                UnsafeApi.putLong(base + (first + Long.numberOfTrailingZeros(bits)) * 8, value);
                from += 8;
            }
        }
        if (read != size || zero)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            throw new io.ringside.engine.SnapshotCorruptedException("dedup ids: the snapshot says " + size + " ids, its slots hold " +
                (zero ? "a zero" : read > size ? "more (or slots past its " + slots + ")" : String.valueOf(read)));
        }
        buffer.putLong(SIZE_OFFSET, size);
        buffer.putLong(HOLDS_ZERO_OFFSET, holdsZero);
    }

    /**
     * @return the buffer holding the whole state (header and slots), for a raw copy.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    void close()
    {
        if (memory != null)
        {
            buffer.wrap(0, 0);
            memory.free();
            memory = null;
        }
    }

    private void grow()
    {
        if (mask + 1 >= MAX_SLOTS)
        {
            throw new IllegalStateException("dedup ids: a bucket holds at most " + resizeAt + " ids (" + MAX_SLOTS + " slots, 1 GiB); " +
                "give Dedup shorter buckets, or a shard fewer ids per bucket (more shards)");
        }
        final OffHeapRegion oldMemory = memory;
        final UnsafeBuffer old = new UnsafeBuffer(oldMemory.address(), (int)oldMemory.length());
        final int oldCapacity = mask + 1;
        final long holdsZero = old.getLong(HOLDS_ZERO_OFFSET);
        allocate(oldCapacity * 2);
        buffer.putLong(HOLDS_ZERO_OFFSET, holdsZero);
        buffer.putLong(SIZE_OFFSET, holdsZero);
        for (int slot = 0; slot < oldCapacity; slot++)
        {
            final long value = old.getLong(SLOTS_OFFSET + slot * 8);
            if (value != 0)
            {
                add(value);
            }
        }
        oldMemory.free();
    }

    private static int hash(final long value)
    {
        long z = value * 0x9e3779b97f4a7c15L;
        z ^= z >>> 32;
        z ^= z >>> 16;
        return (int)z;
    }
}
