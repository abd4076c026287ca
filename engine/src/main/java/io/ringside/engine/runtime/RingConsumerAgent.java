package io.ringside.engine.runtime;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.ringside.engine.state.Prefetch;
import org.agrona.concurrent.Agent;

/**
 * Base of the agents that consume the ring through a Disruptor {@link EventPoller}: each poll hands over
 * every slot available, in order, flagging the last of the batch. The poller's sequence (what producers,
 * and later stages, wait on) advances at the end of each batch. One thread.
 * <p>
 * Given the ring ({@link #prefetchFrom}), it shows the slots ahead of the one being handled to {@link #prefetch} once
 * the ring's cursor has passed them, in batches ({@link HintBatches}): a handler can then start loading the state the
 * later events will need, so that cache misses overlap instead of coming one after another (memory-level parallelism).
 * With several producers the ring's cursor counts claimed slots, so a slot ahead may still be being written: a hint must
 * only read.
 */
public abstract class RingConsumerAgent implements Agent, EventPoller.Handler<Slot>
{
    private final String roleName;
    private final EventPoller<Slot> poller;
    private final EngineControl control;
    private final Doorbell doorbell;

    private int handled;
    private RingBuffer<Slot> ring;
    private long knownCursor = -1;
    private Prefetch loads;
    /** What the batched hints' loads read: kept, so that they are not optimised away. */
    private long prefetched;
    private final HintBatches.Ahead ahead = new HintBatches.Ahead()
    {
        public Slot slotAt(final long sequence)
        {
            return ring.get(sequence);
        }

        public void hint(final Slot slot, final boolean early)
        {
            prefetch(slot, early);
        }
    };

    RingConsumerAgent(final String roleName, final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell)
    {
        this.roleName = roleName;
        this.poller = poller;
        this.control = control;
        this.doorbell = doorbell;
    }

    @Override
    public void onStart()
    {
        loads = Prefetch.ofCurrentThread();
        if (doorbell != null)
        {
            doorbell.register(Thread.currentThread());
        }
    }

    /**
     * @return whether the engine halted (failed, or stopping): nothing more is handled.
     */
    final boolean halted()
    {
        return control.isHalted();
    }

    @Override
    public int doWork() throws Exception
    {
        if (control.isHalted())
        {
            return 0;
        }
        handled = 0;
        poller.poll(this);
        if (handled == 0)
        {
            onIdle();
        }
        return handled;
    }

    /**
     * Turns on {@link #prefetch}: the ring the poller reads.
     */
    public final void prefetchFrom(final RingBuffer<Slot> ring)
    {
        this.ring = ring;
    }

    @Override
    public final boolean onEvent(final Slot slot, final long sequence, final boolean endOfBatch)
    {
        handled++;
        if (ring != null && (sequence & (HintBatches.BATCH - 1)) == 0)
        {
            final long last = sequence + 3 * HintBatches.BATCH - 1;
            if (last > knownCursor)
            {
                // read the producers' cursor only when the slots ahead pass what it said last time: it is a line the
                // publishing thread writes for every event, so reading it per event cost a cross-core miss per event
                knownCursor = ring.getCursor();
            }
            prefetched += HintBatches.run(ahead, loads, sequence, knownCursor);
        }
        onSlot(slot, endOfBatch);
        return true;
    }

    abstract void onSlot(Slot slot, boolean endOfBatch);

    /**
     * A slot a few places ahead, for a hint only: with several producers it may still be being written.
     *
     * @param early the first stage (two batches ahead), else the second (one batch ahead): {@link ShardRunner#hint}.
     */
    void prefetch(final Slot slot, final boolean early)
    {
    }

    void onIdle()
    {
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
