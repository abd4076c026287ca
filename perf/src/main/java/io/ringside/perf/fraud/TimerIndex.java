package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

import org.agrona.collections.Long2LongHashMap;

/**
 * The slots of one pool scheduled by deadline, to close windows without scanning every key: one chain of slots
 * per distinct deadline (a map from the deadline to the chain's head, links in an int array) and a min-heap of
 * the distinct deadlines. A slot is in at most one chain at a time; a taken chain is walked with
 * {@link #next(int)}, and a slot may be scheduled again while walking once its successor has been read.
 * Allocates only to grow. Not thread-safe: one thread.
 */
final class TimerIndex
{
    static final int NONE = -1;

    private final Long2LongHashMap headByDeadline = new Long2LongHashMap(64, 0.65f, NONE);
    private final LongMinHeap deadlines = new LongMinHeap(64);
    private int[] next = new int[16];

    void schedule(final long deadlineMs, final int slot)
    {
        if (slot >= next.length)
        {
            next = Arrays.copyOf(next, SlotAllocator.grow(next.length, slot + 1));
        }
        final long head = headByDeadline.get(deadlineMs);
        if (head == NONE)
        {
            deadlines.push(deadlineMs);
        }
        next[slot] = (int)head;
        headByDeadline.put(deadlineMs, slot);
    }

    /**
     * @return whether some chain's deadline is at or below {@code limitMs}.
     */
    boolean hasDue(final long limitMs)
    {
        return !deadlines.isEmpty() && deadlines.peek() <= limitMs;
    }

    /**
     * @return the earliest deadline; {@link #hasDue(long)} must have said there is one.
     */
    long firstDeadline()
    {
        return deadlines.peek();
    }

    /**
     * Removes the chain with the earliest deadline.
     *
     * @return its first slot; walk on with {@link #next(int)}.
     */
    int takeFirst()
    {
        return (int)headByDeadline.remove(deadlines.poll());
    }

    /**
     * @return the slot after {@code slot} in its chain, or {@link #NONE}.
     */
    int next(final int slot)
    {
        return next[slot];
    }

    boolean isEmpty()
    {
        return deadlines.isEmpty();
    }

    /**
     * Writes the chains as they are (heads by deadline, links) and the deadlines' heap.
     */
    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.write(out, headByDeadline);
        deadlines.write(out);
        StateArrays.write(out, next);
    }

    void read(final SnapshotReader in)
    {
        StateArrays.read(in, headByDeadline);
        deadlines.read(in);
        next = StateArrays.readInts(in);
    }
}
