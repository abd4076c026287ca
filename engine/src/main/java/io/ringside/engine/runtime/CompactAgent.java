package io.ringside.engine.runtime;

import io.ringside.engine.SlotType;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import com.lmax.disruptor.EventPoller;
import org.agrona.concurrent.Agent;

/**
 * The compact topology's one consumer: journals each slot, then runs its shard on the same thread. It owns both: when
 * a shard's egress buffer is full it has the journaler publish what it holds as durable ({@link EgressFullWait}).
 * <p>
 * <b>Duties.</b> Agents added with {@link #addDuty} (an ingress, {@link Engine#addCompactDuty}) run at the start of each
 * duty cycle, before the ring is polled: what a duty publishes into the ring is journaled and handled in the same cycle,
 * without a thread hop or a wake-up. A duty must never wait for the ring (a full ring is its back pressure: it returns
 * and tries again next cycle), or it would wait for itself. Its errors are recorded, not fatal, as on a thread of its own.
 * <p>
 * <b>Inline delivery.</b> Given an {@link InlineEgress} ({@link #deliverInline}), it offers the outputs made durable to
 * the sinks itself after each batch (and on idle turns), without waiting; what they refuse goes to the egress thread.
 */
public final class CompactAgent extends RingConsumerAgent implements EgressFullWait
{
    private static final Agent[] NO_DUTIES = new Agent[0];

    private final Journaler journaler;
    private final ShardRunner[] shards;
    private final Consumer<Throwable> dutyErrors;
    /** The duties to run: replaced (never changed in place) under this agent's lock, read by the compact thread each cycle. */
    private volatile Agent[] duties = NO_DUTIES;
    /** The duties the compact thread runs; published as {@link #runningView} once adopted. Compact thread. */
    private Agent[] running = NO_DUTIES;
    private volatile Agent[] runningView = NO_DUTIES;
    private volatile Thread thread;
    /** The compact thread has stopped: it runs no duty any more. */
    private volatile boolean stopped;
    /** Delivery on this thread after each durable batch, or null (the egress thread delivers everything). */
    private InlineEgress inline;

    public CompactAgent(final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell,
        final Journaler journaler, final ShardRunner[] shards, final Consumer<Throwable> dutyErrors)
    {
        super("ringside-compact", poller, control, doorbell);
        this.journaler = journaler;
        this.shards = shards;
        this.dutyErrors = dutyErrors;
        for (final ShardRunner shard : shards)
        {
            shard.egressFullWait(this);
        }
    }

    /**
     * Delivers outputs on this thread once durable ({@link InlineEgress}); before the engine starts.
     */
    public void deliverInline(final InlineEgress inline)
    {
        this.inline = inline;
        journaler.inlineEgress(inline);
    }

    @Override
    public void onStart()
    {
        super.onStart();
        thread = Thread.currentThread();
        if (inline != null)
        {
            inline.onStart();
        }
    }

    @Override
    public int doWork() throws Exception
    {
        Agent[] current = duties;
        if (current != running)
        {
            // published, then re-read: a remover that writes duties, then finds its duty not in the view, is never run after
            do
            {
                current = duties;
                runningView = current;
            }
            while (duties != current);
            running = current;
        }
        int work = 0;
        if (current.length > 0 && !halted())
        {
            for (final Agent duty : current)
            {
                try
                {
                    work += duty.doWork();
                }
                catch (final Exception ex)
                {
                    dutyErrors.accept(ex);
                }
            }
        }
        return work + super.doWork();
    }

    @Override
    public void onClose()
    {
        stopped = true;
        if (inline != null)
        {
            inline.onClose();
        }
    }

    /**
     * @return whether duties run on this thread: it then idles with bounded parks (nothing rings for their work).
     * Compact thread.
     */
    boolean hasDuties()
    {
        return running.length > 0;
    }

    /**
     * Runs {@code duty}'s {@link Agent#doWork()} on the compact thread from its next cycle on. Its {@code onStart} and
     * {@code onClose} are not called: the caller owns its resources. Any thread.
     */
    public synchronized void addDuty(final Agent duty)
    {
        for (final Agent existing : duties)
        {
            if (existing == duty)
            {
                throw new IllegalStateException("the duty " + duty.roleName() + " runs on the compact thread already");
            }
        }
        final Agent[] next = Arrays.copyOf(duties, duties.length + 1);
        next[duties.length] = duty;
        duties = next;
        wakeThread();
    }

    /**
     * Stops running {@code duty} and returns once the compact thread will not call it again (or has stopped). Any
     * thread; on the compact thread itself (a duty removing itself) it returns at once, and the duty's current call is
     * its last.
     *
     * @return false if the compact thread did not let go of it within {@code timeoutMs} (a duty stuck in its doWork).
     */
    public boolean removeDuty(final Agent duty, final long timeoutMs)
    {
        synchronized (this)
        {
            final Agent[] current = duties;
            int at = -1;
            for (int i = 0; i < current.length; i++)
            {
                if (current[i] == duty)
                {
                    at = i;
                }
            }
            if (at >= 0)
            {
                final Agent[] next = new Agent[current.length - 1];
                System.arraycopy(current, 0, next, 0, at);
                System.arraycopy(current, at + 1, next, at, next.length - at);
                duties = next.length == 0 ? NO_DUTIES : next;
            }
        }
        if (Thread.currentThread() == thread)
        {
            return true;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!stopped && contains(runningView, duty))
        {
            if (System.nanoTime() >= deadline)
            {
                return false;
            }
            wakeThread();
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    /**
     * Stops running every duty (the engine closes), as {@link #removeDuty} does one.
     */
    public boolean removeDuties(final long timeoutMs)
    {
        boolean removed = true;
        for (final Agent duty : duties)
        {
            removed &= removeDuty(duty, timeoutMs);
        }
        return removed;
    }

    private void wakeThread()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    private static boolean contains(final Agent[] agents, final Agent agent)
    {
        for (final Agent a : agents)
        {
            if (a == agent)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The egress releases nothing of this batch until the journaler publishes it durable, which it would do only at the
     * end of the batch that this wait holds up; it has nothing to journal meanwhile.
     */
    @Override
    public void onEgressFull()
    {
        journaler.onIdle();
        if (inline != null)
        {
            inline.deliver();
        }
    }

    @Override
    void onSlot(final Slot slot, final boolean endOfBatch)
    {
        journaler.onEvent(slot, endOfBatch);
        if (slot.type == SlotType.DATA)
        {
            shards[slot.shard].onEvent(slot);
        }
        for (final ShardRunner shard : shards)
        {
            shard.afterSlot(slot);
        }
        if (endOfBatch)
        {
            journaler.endOfBatch();
            if (inline != null)
            {
                inline.deliver();
            }
        }
    }

    @Override
    void prefetch(final Slot slot, final boolean early)
    {
        final int shard = slot.shard;
        if (slot.type == SlotType.DATA && shard >= 0 && shard < shards.length)
        {
            shards[shard].hint(slot, early);
        }
    }

    @Override
    void onIdle()
    {
        journaler.onIdle();
        if (inline != null)
        {
            inline.deliver();
        }
    }
}
