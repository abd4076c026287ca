package io.ringside.engine.runtime;

import com.lmax.disruptor.EventPoller;

/**
 * The pipelined topology's first stage: journals each slot; at the end of a batch applies the durability
 * policy and wakes the shards, which are gated on this agent's sequence.
 */
public final class JournalerAgent extends RingConsumerAgent
{
    private final Journaler journaler;
    private final Doorbell shardDoorbell;

    public JournalerAgent(final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell,
        final Journaler journaler, final Doorbell shardDoorbell)
    {
        super("ringside-journaler", poller, control, doorbell);
        this.journaler = journaler;
        this.shardDoorbell = shardDoorbell;
    }

    @Override
    void onSlot(final Slot slot, final boolean endOfBatch)
    {
        journaler.onEvent(slot, endOfBatch);
        if (endOfBatch)
        {
            journaler.endOfBatch();
        }
    }

    @Override
    public int doWork() throws Exception
    {
        final int work = super.doWork();
        if (work > 0 && shardDoorbell != null)
        {
            shardDoorbell.ring();
        }
        return work;
    }

    @Override
    void onIdle()
    {
        journaler.onIdle();
    }
}
