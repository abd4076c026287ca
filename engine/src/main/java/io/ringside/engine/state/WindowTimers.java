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
    private final Long2ObjectHashMap<LongArrayList> keysByEnd = new Long2ObjectHashMap<>();
    private final ArrayDeque<LongArrayList> pool = new ArrayDeque<>();
    private long[] heap = new long[64];
    private int size;

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
