package io.ringside.engine.state;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
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

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer memory;
    private int mask;
    private int resizeAt;

    /**
     * @param expected how many ids it holds at most without growing.
     */
    OffHeapLongSet(final long expected)
    {
        allocate(BitUtil.findNextPositivePowerOfTwo((int)Math.min(1 << 29, Math.max(16, expected * 2))));
    }

    private void allocate(final int capacity)
    {
        memory = ByteBuffer.allocateDirect(SLOTS_OFFSET + capacity * 8);
        buffer.wrap(memory);
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
        return buffer.getLong(SLOTS_OFFSET + (hash(value) & mask) * 8);
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
     * Writes the count, then the values held (not the empty slots).
     */
    void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        final long size = size();
        out.writeLong(size);
        long written = 0;
        if (buffer.getLong(HOLDS_ZERO_OFFSET) != 0)
        {
            out.writeLong(0);
            written++;
        }
        for (int slot = 0; slot <= mask; slot++)
        {
            final long value = buffer.getLong(SLOTS_OFFSET + slot * 8);
            if (value != 0)
            {
                out.writeLong(value);
                written++;
            }
        }
        if (written != size)
        {
            throw new IllegalStateException("the set holds " + written + " values but counts " + size);
        }
    }

    /**
     * Replaces the values held with those of a snapshot written by {@link #writeSnapshot}.
     */
    void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        final long count = in.readLong();
        if (count < 0 || count * 8 > in.remaining())
        {
            throw new io.ringside.engine.SnapshotCorruptedException("dedup ids: the snapshot says " + count + " ids but holds " +
                in.remaining() + " bytes");
        }
        clear();
        for (long i = 0; i < count; i++)
        {
            add(in.readLong());
        }
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
            BufferUtil.free(memory);
            memory = null;
        }
    }

    private void grow()
    {
        final ByteBuffer oldMemory = memory;
        final UnsafeBuffer old = new UnsafeBuffer(oldMemory);
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
        BufferUtil.free(oldMemory);
    }

    private static int hash(final long value)
    {
        long z = value * 0x9e3779b97f4a7c15L;
        z ^= z >>> 32;
        z ^= z >>> 16;
        return (int)z;
    }
}
