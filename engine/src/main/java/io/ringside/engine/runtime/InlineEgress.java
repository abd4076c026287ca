package io.ringside.engine.runtime;

import io.ringside.engine.EngineCounters;
import io.ringside.engine.InlineOutputSink;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Delivery on the compact thread ({@link InlineOutputSink}): after each batch is durable, the compact thread reads the
 * shards' egress buffers itself and offers each output to the sinks, without waiting; the egress thread
 * ({@link EgressAgent}) delivers only what they refuse.
 * <p>
 * <b>One reader at a time.</b> Each egress buffer has one reader ({@code OneToOneRingBuffer}); {@link #owner} says which
 * thread it is, and only the owner changes it. The compact thread reads while it is {@link #INLINE}; a refused output
 * stops its pass (the output stays first in its buffer, with the sink to resume at in {@code nextSink}), and once its
 * read has returned (the buffer's head written) it hands the buffers to the egress thread ({@link #EGRESS}) and rings it.
 * The egress thread delivers with {@link InlineOutputSink#onOutput} and its retries, as for any sink, and hands back once
 * it has caught up (no output below the durable position left in a buffer, every flush done, no sink failing); it starts
 * as the owner, so outputs replayed at start go its way. A volatile write and read at each hand-over carry the buffers'
 * heads, {@code nextSink} and the sinks' own state from one thread to the other. Per shard, the order and exactly once are
 * the buffer's.
 * <p>
 * <b>Snapshots.</b> A pass reads each buffer to its first output not durable, so that everything below the durable
 * position it read has been delivered: {@link #deliveredBelow()}, which a snapshot waiting for the sinks is completed by
 * (the egress thread cannot peek at buffers it does not read).
 * <p>
 * A hand-back races with the compact thread committing an output after its last pass: the egress thread writes the owner,
 * then reads the buffers' sizes and wakes the compact thread if one is not empty; the compact thread fences between its
 * commits and reading the owner. One of the two sees the other.
 * <p>
 * Nothing allocates, locks or captures per output. Compact thread, apart from the methods marked otherwise.
 */
public final class InlineEgress implements ControlledMessageHandler
{
    /** The egress thread reads the buffers. */
    static final int EGRESS = 0;
    /** The compact thread reads the buffers. */
    static final int INLINE = 1;
    private static final int READ_LIMIT = 256;

    private final OneToOneRingBuffer[] buffers;
    private final InlineOutputSink[] sinks;
    private final int[] nextSink;
    private final Journaler journaler;
    private final EngineCounters counters;
    private final Doorbell egressDoorbell;
    private final OutputView view = new OutputView();
    private volatile int owner = EGRESS;
    /** Every output caused below this position has been delivered (by either thread). */
    private volatile long deliveredBelow;
    private volatile Thread compactThread;
    private volatile boolean stopped;
    private SnapshotTaker snapshots;
    private long durable;
    private int shard;
    private boolean refused;
    private long delivered;
    private long handOvers;

    /**
     * @param nextSink shared with the egress agent: per shard, the sink an output refused part-way resumes at.
     */
    InlineEgress(final OneToOneRingBuffer[] buffers, final InlineOutputSink[] sinks, final int[] nextSink, final Journaler journaler,
        final EngineCounters counters, final Doorbell egressDoorbell)
    {
        this.buffers = buffers;
        this.sinks = sinks;
        this.nextSink = nextSink;
        this.journaler = journaler;
        this.counters = counters;
        this.egressDoorbell = egressDoorbell;
    }

    /**
     * @param snapshots snapshots that wait for the sinks before they complete (on the egress thread, which a pass that
     *                  delivers below one wakes); before the engine starts.
     */
    public void completesSnapshots(final SnapshotTaker snapshots)
    {
        this.snapshots = snapshots;
    }

    /**
     * The compact thread starts: the thread a hand-back wakes.
     */
    void onStart()
    {
        compactThread = Thread.currentThread();
    }

    /**
     * The compact thread has stopped: the egress thread may read the buffers whoever owned them.
     */
    void onClose()
    {
        stopped = true;
    }

    /**
     * Delivers every output below the durable position, in each shard's order, if the compact thread owns the buffers;
     * a refusal hands them to the egress thread. After each batch made durable and each idle turn. Compact thread.
     *
     * @return outputs delivered.
     */
    int deliver()
    {
        VarHandle.fullFence();   // the outputs committed before this are seen by a hand-back, or it is seen here
        if (owner != INLINE)
        {
            return 0;
        }
        final long durableNow = journaler.durablePosition();
        durable = durableNow;
        delivered = 0;
        for (int i = 0; i < buffers.length && !refused; i++)
        {
            shard = i;
            while (buffers[i].controlledRead(this, READ_LIMIT) == READ_LIMIT && !refused)
            {
                // to the first output not durable (or the end): the pass then covers everything below the durable position
            }
        }
        final long count = delivered;
        if (count > 0)
        {
            counters.delivered.getAndAdd(count);
        }
        if (refused)
        {
            // the read has returned: the buffer's head is written before the egress thread may read it
            refused = false;
            handOvers++;
            owner = EGRESS;
            if (egressDoorbell != null)
            {
                egressDoorbell.ring();
            }
        }
        else if (durableNow > deliveredBelow)
        {
            deliveredBelow = durableNow;
            final SnapshotTaker.Pending pending = snapshots != null ? snapshots.awaitingDelivery() : null;
            if (pending != null && pending.position <= durableNow && egressDoorbell != null)
            {
                egressDoorbell.ring();   // the snapshot's completion (on the egress thread) waited for this pass
            }
        }
        return (int)count;
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (buffer.getLong(index + OutputDescriptor.POSITION_OFFSET) >= durable)
        {
            return Action.ABORT;
        }
        view.wrapRecord((UnsafeBuffer)buffer, index, length);
        final int[] next = nextSink;
        for (int s = next[shard]; s < sinks.length; s++)
        {
            boolean taken;
            try
            {
                taken = sinks[s].tryDeliverInline(view);
            }
            catch (final RuntimeException ex)
            {
                taken = false;   // the egress thread offers it again, and counts and records what fails there
            }
            if (!taken)
            {
                next[shard] = s;
                refused = true;
                return Action.ABORT;
            }
        }
        next[shard] = 0;
        delivered++;
        return Action.CONTINUE;
    }

    /**
     * @return whether the compact thread reads the buffers now. Any thread.
     */
    boolean inlineOwns()
    {
        return owner == INLINE;
    }

    /**
     * The egress thread gives the buffers back (it owns them, nothing below {@code durable} is left in them, nothing is owed
     * to a sink); it wakes the compact thread if an output waits, which that thread's last pass may have found owned by the
     * egress. Egress thread.
     *
     * @param durable the durable position the egress delivered below.
     */
    void handBack(final long durable)
    {
        if (durable > deliveredBelow)
        {
            deliveredBelow = durable;
        }
        owner = INLINE;
        for (final OneToOneRingBuffer buffer : buffers)
        {
            if (buffer.size() > 0)
            {
                final Thread t = compactThread;
                if (t != null)
                {
                    LockSupport.unpark(t);
                }
                return;
            }
        }
    }

    /**
     * At close, once the compact thread has stopped: the egress thread reads what is left. Egress thread.
     *
     * @return false if the compact thread still runs and owns the buffers (it did not stop in time).
     */
    boolean takeOverAtClose()
    {
        if (owner == EGRESS)
        {
            return true;
        }
        if (!stopped)
        {
            return false;
        }
        owner = EGRESS;
        return true;
    }

    /**
     * @return every output caused below this position has been delivered. Any thread.
     */
    long deliveredBelow()
    {
        return deliveredBelow;
    }

    /**
     * @return times the compact thread handed delivery to the egress thread (an output refused). Compact thread; from
     * another, approximate.
     */
    public long handOvers()
    {
        return handOvers;
    }
}
