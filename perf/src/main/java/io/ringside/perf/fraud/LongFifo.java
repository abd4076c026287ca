package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * A first-in first-out queue of longs on a growable power-of-two ring: allocates only to grow. Not thread-safe:
 * one thread.
 */
final class LongFifo
{
    private long[] ring;
    private long head;
    private long tail;

    LongFifo(final int initialCapacity)
    {
        ring = new long[Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1];
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    int size()
    {
        return (int)(tail - head);
    }

    void add(final long value)
    {
        if (tail - head == ring.length)
        {
            grow();
        }
        ring[(int)tail & (ring.length - 1)] = value;
        tail++;
    }

    /**
     * @return the oldest value; the queue must not be empty.
     */
    long peek()
    {
        return ring[(int)head & (ring.length - 1)];
    }

    /**
     * Removes the oldest value; the queue must not be empty.
     */
    void remove()
    {
        head++;
    }

    private void grow()
    {
        final long[] bigger = new long[ring.length * 2];
        final int size = size();
        for (int i = 0; i < size; i++)
        {
            bigger[i] = ring[(int)(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
        tail = size;
    }

    /**
     * Writes the values, oldest first.
     */
    void write(final SnapshotWriter out) throws IOException
    {
        final int size = size();
        out.writeInt(size);
        for (int i = 0; i < size; i++)
        {
            out.writeLong(ring[(int)(head + i) & (ring.length - 1)]);
        }
    }

    /**
     * Replaces the values with those written.
     */
    void read(final SnapshotReader in)
    {
        final long[] written = StateArrays.readLongs(in);
        ring = new long[Integer.highestOneBit(Math.max(16, Math.max(ring.length, written.length) - 1)) << 1];
        System.arraycopy(written, 0, ring, 0, written.length);
        head = 0;
        tail = written.length;
    }
}
