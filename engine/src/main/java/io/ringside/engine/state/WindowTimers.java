package io.ringside.engine.state;

import java.util.ArrayDeque;
import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Which keys have a window ending at which time: closing pops the earliest ends first and visits only the keys
 * registered there, never scanning all keys. A key is registered once per window (when the window opens).
 * Lists are pooled and the ends kept in a binary min-heap, so steady state allocates nothing.
 * One thread (the shard's).
 */
final class WindowTimers
{
    /**
     * Visits one key whose window (or pane, or session) end has come due.
     */
    @FunctionalInterface
    interface DueKey
    {
        /**
         * @param end   the end registered for the key.
         * @param limit windows ending at or below it close.
         * @return how many windows closed.
         */
        int onDue(long key, long end, long limit, WindowListener listener);
    }

    private final Long2ObjectHashMap<LongArrayList> keysByEnd = new Long2ObjectHashMap<>();
    private final ArrayDeque<LongArrayList> pool = new ArrayDeque<>();
    private long[] heap = new long[64];
    private int size;

    /**
     * @return the largest window end that closes under {@code watermark} with {@code allowedLatenessMs}: end plus the
     * lateness at or below the watermark, without wrapping; {@link Long#MAX_VALUE} (the end of input) closes all.
     */
    static long closeLimit(final long watermark, final long allowedLatenessMs)
    {
        if (watermark == Long.MAX_VALUE)
        {
            return Long.MAX_VALUE;
        }
        return watermark < Long.MIN_VALUE + allowedLatenessMs ? Long.MIN_VALUE : watermark - allowedLatenessMs;
    }

    /**
     * Pops every end at or below {@code limit}, earliest first, and visits each key registered there.
     *
     * @return how many windows the visits closed.
     */
    int closeDue(final long limit, final DueKey visit, final WindowListener listener)
    {
        int closed = 0;
        while (size > 0 && heap[0] <= limit)
        {
            final long end = heap[0];
            final LongArrayList keys = popNext();
            for (int i = 0; i < keys.size(); i++)
            {
                closed += visit.onDue(keys.getLong(i), end, limit, listener);
            }
            recycle(keys);
        }
        return closed;
    }

    void add(final long end, final long key)
    {
        LongArrayList keys = keysByEnd.get(end);
        if (keys == null)
        {
            keys = pool.isEmpty() ? new LongArrayList() : pool.poll();
            keysByEnd.put(end, keys);
            push(end);
        }
        keys.addLong(key);
    }

    /**
     * @return the earliest end registered, or {@link Long#MAX_VALUE} if none.
     */
    long nextEnd()
    {
        return size == 0 ? Long.MAX_VALUE : heap[0];
    }

    /**
     * Removes the earliest end and returns its keys; hand the list back with {@link #recycle}.
     */
    LongArrayList popNext()
    {
        final long end = pop();
        return keysByEnd.remove(end);
    }

    void recycle(final LongArrayList keys)
    {
        keys.clear();
        pool.add(keys);
    }

    int ends()
    {
        return size;
    }

    /**
     * Writes every end with its keys in their order, earliest end first, so that a restore closes windows in the
     * same order as the original would have.
     */
    void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        final long[] ends = Arrays.copyOf(heap, size);
        Arrays.sort(ends);
        out.writeInt(size);
        for (final long end : ends)
        {
            final LongArrayList keys = keysByEnd.get(end);
            out.writeLong(end);
            out.writeInt(keys.size());
            for (int i = 0; i < keys.size(); i++)
            {
                out.writeLong(keys.getLong(i));
            }
        }
    }

    void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        while (size > 0)
        {
            recycle(popNext());
        }
        final int ends = in.readInt();
        if (ends < 0 || (long)ends * 12 > in.remaining())
        {
            throw new io.ringside.engine.SnapshotCorruptedException("window timers: the snapshot says " + ends + " ends but holds " +
                in.remaining() + " bytes");
        }
        for (int e = 0; e < ends; e++)
        {
            final long end = in.readLong();
            final int keys = in.readInt();
            if (keys < 0 || (long)keys * 8 > in.remaining())
            {
                throw new io.ringside.engine.SnapshotCorruptedException("window timers: " + keys + " keys at end " + end + " but " +
                    in.remaining() + " bytes left");
            }
            for (int k = 0; k < keys; k++)
            {
                add(end, in.readLong());
            }
        }
    }

    private void push(final long end)
    {
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        heap[i] = end;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (heap[parent] <= heap[i])
            {
                break;
            }
            final long swap = heap[parent];
            heap[parent] = heap[i];
            heap[i] = swap;
            i = parent;
        }
    }

    private long pop()
    {
        final long top = heap[0];
        heap[0] = heap[--size];
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            final int right = left + 1;
            int smallest = i;
            if (left < size && heap[left] < heap[smallest])
            {
                smallest = left;
            }
            if (right < size && heap[right] < heap[smallest])
            {
                smallest = right;
            }
            if (smallest == i)
            {
                break;
            }
            final long swap = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = swap;
            i = smallest;
        }
        return top;
    }
}
