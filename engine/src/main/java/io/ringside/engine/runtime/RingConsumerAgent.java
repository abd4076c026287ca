package io.ringside.engine.runtime;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import org.agrona.concurrent.Agent;

/**
 * Base of the agents that consume the ring through a Disruptor {@link EventPoller}: each poll hands over
 * every slot available, in order, flagging the last of the batch. The poller's sequence (what producers,
 * and later stages, wait on) advances at the end of each batch. One thread.
 * <p>
 * Given the ring ({@link #prefetchFrom}), it shows each slot {@value #PREFETCH_DISTANCE} places ahead to
 * {@link #prefetch} before handling the current one, when the ring's cursor has passed it: a handler can then start
 * loading the state the later event will need, so that the cache misses of successive events overlap instead of
 * coming one after another (memory-level parallelism). Finding a key's state is two dependent misses (an index slot,
 * then the entry), so the hint has two stages: the slot {@value #EARLY_DISTANCE} places ahead first goes to the early
 * stage (the index), and reaches the second (the entry) when it is {@value #PREFETCH_DISTANCE} ahead. With several producers the ring's cursor counts claimed
 * slots, so the slot ahead may still be being written: a prefetch is a hint and must only read.
 */
public abstract class RingConsumerAgent implements Agent, EventPoller.Handler<Slot>
{
    private final String roleName;
    private final EventPoller<Slot> poller;
    private final EngineControl control;
    private final Doorbell doorbell;
    /** How far ahead of the slot being handled {@link #prefetch} looks. */
    static final int PREFETCH_DISTANCE = 4;
    /** How far ahead the early stage of the hint looks. */
    static final int EARLY_DISTANCE = 12;

    private int handled;
    private RingBuffer<Slot> ring;
    private long knownCursor = -1;

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
        if (ring != null)
        {
            final long early = sequence + EARLY_DISTANCE;
            if (early > knownCursor)
            {
                // read the producers' cursor only when the slot ahead passes what it said last time: it is a line the
                // publishing thread writes for every event, so reading it per event cost a cross-core miss per event
                knownCursor = ring.getCursor();
            }
            if (early <= knownCursor)
            {
                prefetch(ring.get(early), true);
            }
            final long ahead = sequence + PREFETCH_DISTANCE;
            if (ahead <= knownCursor)
            {
                prefetch(ring.get(ahead), false);
            }
        }
        onSlot(slot, endOfBatch);
        return true;
    }

    abstract void onSlot(Slot slot, boolean endOfBatch);

    /**
     * A slot a few places ahead, for a hint only: with several producers it may still be being written.
     *
     * @param early the first stage ({@value #EARLY_DISTANCE} ahead), else the second ({@value #PREFETCH_DISTANCE} ahead).
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
