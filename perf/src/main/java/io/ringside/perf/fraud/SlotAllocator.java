package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * Hands out int slots of a pool, reusing released ones first (last released, first reused), so that a pool's
 * arrays stay as large as its peak. Not thread-safe: one thread.
 */
final class SlotAllocator
{
    private int[] free = new int[16];
    private int freeCount;
    private int highWater;

    /**
     * @return a slot not in use: a released one, or {@link #highWater()} - 1 after this call.
     */
    int allocate()
    {
        return freeCount > 0 ? free[--freeCount] : highWater++;
    }

    void release(final int slot)
    {
        if (freeCount == free.length)
        {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = slot;
    }

    /**
     * @return one more than the largest slot ever handed out.
     */
    int highWater()
    {
        return highWater;
    }

    int inUse()
    {
        return highWater - freeCount;
    }

    /**
     * Writes the free list (in order: the next slots handed out) and the high-water mark.
     */
    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.write(out, Arrays.copyOf(free, freeCount));
        out.writeInt(highWater);
    }

    void read(final SnapshotReader in)
    {
        final int[] written = StateArrays.readInts(in);
        free = Arrays.copyOf(written, Math.max(16, written.length));
        freeCount = written.length;
        highWater = in.readInt();
    }

    /**
     * @return a new capacity of at least {@code needed} for arrays now {@code current} long (doubling).
     */
    static int grow(final int current, final int needed)
    {
        int capacity = Math.max(current, 16);
        while (capacity < needed)
        {
            capacity *= 2;
        }
        return capacity;
    }
}
