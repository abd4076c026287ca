package io.ringside.engine.runtime;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.ringside.engine.state.Prefetch;
import io.ringside.engine.state.PrefetchingThread;
import org.agrona.concurrent.Agent;

/**
 * Base of the agents that consume the ring through a Disruptor {@link EventPoller}: each poll hands over
 * every slot available, in order, flagging the last of the batch. The poller's sequence (what producers,
 * and later stages, wait on) advances at the end of each batch. One thread.
 * <p>
 * Given the ring ({@link #prefetchFrom}), it shows the slots a few places ahead of the one being handled to
 * {@link #prefetch} once the ring's cursor has passed them: a handler can then start loading the state the later
 * events will need, so that cache misses overlap instead of coming one after another (memory-level parallelism).
 * Finding a key's state is two dependent misses (an index slot, then the entry), so the hint has two stages, and the
 * hints go in batches of {@value #HINT_BATCH} slots: at every {@value #HINT_BATCH}th slot, the early stage (the index)
 * for the batch two ahead, then the second stage (the entry) for the batch one ahead, whose index slots the early stage
 * loaded a batch ago. On a {@link PrefetchingThread} (the engine's threads) each stage's loads are only noted while the
 * handler's hints run, and then issued back to back ({@link Prefetch}): a load that misses holds the core for the whole
 * miss once it is the oldest, so loads spread one per event overlap little, and a batch of them in a tight loop
 * overlaps them all. With several producers the ring's cursor counts claimed slots, so a slot ahead may still be being
 * written: a hint must only read.
 */
public abstract class RingConsumerAgent implements Agent, EventPoller.Handler<Slot>
{
    private final String roleName;
    private final EventPoller<Slot> poller;
    private final EngineControl control;
    private final Doorbell doorbell;
    /** Slots whose hints go together; the early stage runs two batches ahead, the second one batch ahead. */
    static final int HINT_BATCH = 8;

    private int handled;
    private RingBuffer<Slot> ring;
    private long knownCursor = -1;
    private Prefetch loads;
    private long prefetched;

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
        if (ring != null && (sequence & (HINT_BATCH - 1)) == 0)
        {
            hintAhead(sequence);
        }
        onSlot(slot, endOfBatch);
        return true;
    }

    private void hintAhead(final long sequence)
    {
        final long last = sequence + 3 * HINT_BATCH - 1;
        if (last > knownCursor)
        {
            // read the producers' cursor only when the slots ahead pass what it said last time: it is a line the
            // publishing thread writes for every event, so reading it per event cost a cross-core miss per event
            knownCursor = ring.getCursor();
        }
        final Prefetch loads = this.loads;
        final long earlyEnd = Math.min(last, knownCursor);
        long sum = 0;
        if (loads != null)
        {
            loads.begin();
        }
        for (long s = sequence + 2 * HINT_BATCH; s <= earlyEnd; s++)
        {
            prefetch(ring.get(s), true);
        }
        if (loads != null)
        {
            sum += loads.end();
            loads.begin();
        }
        final long secondEnd = Math.min(sequence + 2 * HINT_BATCH - 1, knownCursor);
        for (long s = sequence + HINT_BATCH; s <= secondEnd; s++)
        {
            prefetch(ring.get(s), false);
        }
        if (loads != null)
        {
            sum += loads.end();
        }
        prefetched += sum;
    }

    /**
     * @return what the batched hints' loads read (kept so that they are not optimised away).
     */
    final long prefetched()
    {
        return prefetched;
    }

    abstract void onSlot(Slot slot, boolean endOfBatch);

    /**
     * A slot a few places ahead, for a hint only: with several producers it may still be being written.
     *
     * @param early the first stage (two batches ahead), else the second (one batch ahead).
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
