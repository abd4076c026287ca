package io.ringside.engine.state;

import java.util.Arrays;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import org.agrona.collections.Long2LongHashMap;

/**
 * Which keys are due at which deadline: closing pops the earliest deadlines first and visits only the keys
 * registered there, never scanning all keys. Each key has one pending timer, its earliest window end, which the
 * caller keeps with the key's state ({@link KeyedWindows}: in the entry). Re-arming earlier leaves the old
 * registration in its list, where the visit skips it (the key's state names another deadline). Keys due at one
 * deadline are visited once each, ordered by {@link #visitOrder(long)} then by key, so the close order is a function
 * of the armed timers (deadline, then key), not of the order they were armed in. The visit order is the bit-reversed
 * Chronicle Map hash of the key: the map picks a key's segment from the hash's low bits, so the keys of one segment
 * are visited together, which keeps a minute boundary's million visits within a few pages at a time rather than
 * jumping over the whole map. The deadlines are kept in a binary min-heap, and each deadline's keys in a chain of
 * fixed-size chunks from one pooled slab, so a minute boundary with a million keys and the next deadline with ten
 * reuse the same memory: steady state allocates nothing (the slab grows only to the peak of registrations).
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

    private static final LongHashFunction MAP_HASH = LongHashFunction.xx_r39();

    private long[] due = new long[64];
    private long[] dueOrder = new long[64];
    // the keys registered at each deadline: a chain of fixed-size chunks, all from one pooled slab, so a deadline
    // with a million keys (a minute boundary) and the next with ten share the same memory without regrowing lists
    private static final int CHUNK = 256;
    private static final int NO_CHUNK = -1;
    private final Long2LongHashMap chainByDeadline = new Long2LongHashMap(NO_CHUNK); // deadline -> head << 32 | tail
    private long[] slab = new long[CHUNK * 16];
    private int[] nextChunk = new int[16];
    private int[] chunkFill = new int[16];
    private int[] freeChunks = new int[16];
    private int freeCount;
    private int chunks;
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
     * @return where a key due at a deadline is visited among the others due then: its Chronicle Map hash (xxHash r39 of
     * its 8 bytes, as a {@link KeyedStore} hashes it), bit-reversed so that keys of one map segment come together.
     */
    static long visitOrder(final long key)
    {
        return Long.reverse(MAP_HASH.hashLong(key));
    }

    /**
     * Sorts {@code order[lo..hi]} ascending, ties by {@code keys}, moving {@code keys} along: a quicksort that allocates nothing.
     */
    static void sort(final long[] order, final long[] keys, final int lo, final int hi)
    {
        int low = lo;
        int high = hi;
        while (high - low > 16)
        {
            final int mid = (low + high) >>> 1;
            final long pivotOrder = order[mid];
            final long pivotKey = keys[mid];
            int i = low;
            int j = high;
            while (i <= j)
            {
                while (less(order[i], keys[i], pivotOrder, pivotKey))
                {
                    i++;
                }
                while (less(pivotOrder, pivotKey, order[j], keys[j]))
                {
                    j--;
                }
                if (i <= j)
                {
                    swap(order, keys, i++, j--);
                }
            }
            // recurse into the smaller part, loop on the larger: the stack stays O(log n)
            if (j - low < high - i)
            {
                sort(order, keys, low, j);
                low = i;
            }
            else
            {
                sort(order, keys, i, high);
                high = j;
            }
        }
        for (int i = low + 1; i <= high; i++)
        {
            for (int k = i; k > low && less(order[k], keys[k], order[k - 1], keys[k - 1]); k--)
            {
                swap(order, keys, k, k - 1);
            }
        }
    }

    private static boolean less(final long order1, final long key1, final long order2, final long key2)
    {
        return order1 < order2 || (order1 == order2 && key1 < key2);
    }

    private static void swap(final long[] order, final long[] keys, final int i, final int j)
    {
        final long o = order[i];
        order[i] = order[j];
        order[j] = o;
        final long k = keys[i];
        keys[i] = keys[j];
        keys[j] = k;
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
            final long deadline = pop();
            final int n = drain(deadline);
            sort(dueOrder, due, 0, n - 1);
            for (int i = 0; i < n; i++)
            {
                final long key = due[i];
                if (i > 0 && key == due[i - 1] && dueOrder[i] == dueOrder[i - 1])
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

    private void add(final long deadline, final long key)
    {
        final long chain = chainByDeadline.get(deadline);
        int tail;
        if (chain == NO_CHUNK)
        {
            tail = newChunk();
            chainByDeadline.put(deadline, ((long)tail << 32) | tail);
            push(deadline);
        }
        else
        {
            tail = (int)chain;
            if (chunkFill[tail] == CHUNK)
            {
                final int grown = newChunk();
                nextChunk[tail] = grown;
                tail = grown;
                chainByDeadline.put(deadline, (chain & 0xFFFF_FFFF_0000_0000L) | tail);
            }
        }
        slab[tail * CHUNK + chunkFill[tail]++] = key;
    }

    /**
     * Moves the keys registered at {@code deadline} into {@link #due} (and their visit order into {@link #dueOrder}),
     * freeing their chunks.
     *
     * @return how many.
     */
    private int drain(final long deadline)
    {
        final long chain = chainByDeadline.remove(deadline);
        int n = 0;
        for (int chunk = (int)(chain >>> 32); chunk != NO_CHUNK; )
        {
            final int fill = chunkFill[chunk];
            if (due.length < n + fill)
            {
                due = Arrays.copyOf(due, Math.max(n + fill, due.length * 2));
                dueOrder = Arrays.copyOf(dueOrder, due.length);
            }
            for (int i = 0; i < fill; i++)
            {
                final long key = slab[chunk * CHUNK + i];
                due[n] = key;
                dueOrder[n++] = visitOrder(key);
            }
            final int next = nextChunk[chunk];
            freeChunks[freeCount++] = chunk;
            chunk = next;
        }
        return n;
    }

    private int newChunk()
    {
        final int chunk;
        if (freeCount > 0)
        {
            chunk = freeChunks[--freeCount];
        }
        else
        {
            if (chunks == nextChunk.length)
            {
                final int capacity = chunks * 2;
                slab = Arrays.copyOf(slab, capacity * CHUNK);
                nextChunk = Arrays.copyOf(nextChunk, capacity);
                chunkFill = Arrays.copyOf(chunkFill, capacity);
                freeChunks = Arrays.copyOf(freeChunks, capacity);
            }
            chunk = chunks++;
        }
        nextChunk[chunk] = NO_CHUNK;
        chunkFill[chunk] = 0;
        return chunk;
    }

    /**
     * @return the earliest deadline registered, or {@link Long#MAX_VALUE} if none.
     */
    long nextEnd()
    {
        return size == 0 ? Long.MAX_VALUE : heap[0];
    }

    /**
     * @return chunks of {@value #CHUNK} keys taken from the slab so far (its peak).
     */
    int chunks()
    {
        return chunks;
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
