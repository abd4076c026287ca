package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * A binary min-heap of longs on a growable array: allocates only to grow. Not thread-safe: one thread.
 */
final class LongMinHeap
{
    private long[] heap;
    private int size;

    LongMinHeap(final int initialCapacity)
    {
        heap = new long[Math.max(2, initialCapacity)];
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    /**
     * @return the smallest value; the heap must not be empty.
     */
    long peek()
    {
        return heap[0];
    }

    void push(final long value)
    {
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (heap[parent] <= value)
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
    }

    /**
     * Removes and returns the smallest value; the heap must not be empty.
     */
    long poll()
    {
        final long first = heap[0];
        final long last = heap[--size];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child])
            {
                child++;
            }
            if (heap[child] >= last)
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
        return first;
    }

    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.write(out, Arrays.copyOf(heap, size));
    }

    /**
     * Replaces the heap with the values written, in their written (heap) order.
     */
    void read(final SnapshotReader in)
    {
        final long[] written = StateArrays.readLongs(in);
        heap = Arrays.copyOf(written, Math.max(2, written.length));
        size = written.length;
    }
}
