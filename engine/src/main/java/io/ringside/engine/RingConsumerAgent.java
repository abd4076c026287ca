package io.ringside.engine;

import com.lmax.disruptor.EventPoller;
import org.agrona.concurrent.Agent;

/**
 * Base of the agents that consume the ring through a Disruptor {@link EventPoller}: each poll hands over
 * every slot available, in order, flagging the last of the batch. The poller's sequence (what producers,
 * and later stages, wait on) advances at the end of each batch. One thread.
 */
abstract class RingConsumerAgent implements Agent, EventPoller.Handler<Slot>
{
    private final String roleName;
    private final EventPoller<Slot> poller;
    private final EngineControl control;
    private final Doorbell doorbell;
    private int handled;

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

    @Override
    public final boolean onEvent(final Slot slot, final long sequence, final boolean endOfBatch)
    {
        handled++;
        onSlot(slot, endOfBatch);
        return true;
    }

    abstract void onSlot(Slot slot, boolean endOfBatch);

    void onIdle()
    {
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
