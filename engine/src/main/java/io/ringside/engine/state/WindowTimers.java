package io.ringside.engine.state;

import java.util.ArrayDeque;
import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Which keys are due at which deadline: closing pops the earliest deadlines first and visits only the keys
 * registered there, never scanning all keys. Each key has one pending timer, its earliest window end, which the
 * caller keeps with the key's state ({@link KeyedWindows}: in the entry). Re-arming earlier leaves the old
 * registration in its list, where the visit skips it (the key's state names another deadline). Keys due at one
 * deadline are visited once each, in ascending key order, so the close order is (deadline, key): a function of the
 * armed timers, not of the order they were armed in. Lists are pooled and the deadlines kept in a binary min-heap,
 * so steady state allocates nothing (sorting a list of more than 4,096 keys may allocate a merge buffer).
 * One thread (the shard's).
 */
final class WindowTimers
{
    /**
     * Visits one key registered at a deadline that has come due. The visit tells a current registration from a stale
     * one (the key re-armed since) by the deadline it keeps with the key's state.
     */
    @FunctionalInterface
    interface ArmedKey
    {
        /**
         * @param deadline the deadline the key was registered at.
         * @param limit    windows ending at or below it close.
         * @return true if the registration was the key's current one (and the key was visited), false if it was stale.
         */
        boolean onDue(long key, long deadline, long limit);
    }

    private long[] due = new long[64];
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
     * Registers the key's one pending timer at {@code deadline}. The caller keeps the armed deadline with the key's
     * state; an earlier registration left behind by re-arming is skipped by the visit, which finds another deadline there.
     */
    void arm(final long key, final long deadline)
    {
        add(deadline, key);
    }

    /**
     * Pops every deadline at or below {@code limit}, earliest first, and visits each key registered there once, in
     * ascending key order.
     *
     * @return how many keys were visited.
     */
    int closeArmed(final long limit, final ArmedKey visit)
    {
        int visited = 0;
        while (size > 0 && heap[0] <= limit)
        {
            final long deadline = heap[0];
            final LongArrayList keys = popNext();
            final int n = keys.size();
            if (due.length < n)
            {
                due = new long[Math.max(n, due.length * 2)];
            }
            for (int i = 0; i < n; i++)
            {
                due[i] = keys.getLong(i);
            }
            recycle(keys);
            Arrays.sort(due, 0, n);
            for (int i = 0; i < n; i++)
            {
                final long key = due[i];
                if (i > 0 && key == due[i - 1])
                {
                    continue; // registered here twice
                }
                if (visit.onDue(key, deadline, limit))
                {
                    visited++;
                }
            }
        }
        return visited;
    }

    private void add(final long end, final long key)
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
