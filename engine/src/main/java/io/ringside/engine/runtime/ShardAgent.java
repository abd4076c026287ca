package io.ringside.engine.runtime;

import io.ringside.engine.SlotType;

import com.lmax.disruptor.EventPoller;

/**
 * A pipelined shard thread: reads every journaled slot (gated on the journaler) and runs the ones whose
 * key hashes to its shard.
 */
public final class ShardAgent extends RingConsumerAgent
{
    private final int shard;
    private final ShardRunner runner;
    private final Doorbell egressDoorbell;

    public ShardAgent(final int shard, final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell, final ShardRunner runner,
        final Doorbell egressDoorbell)
    {
        super("ringside-shard-" + shard, poller, control, doorbell);
        this.shard = shard;
        this.runner = runner;
        this.egressDoorbell = egressDoorbell;
    }

    @Override
    public int doWork() throws Exception
    {
        final int work = super.doWork();
        if (work > 0 && egressDoorbell != null)
        {
            egressDoorbell.ring();
        }
        return work;
    }

    @Override
    void prefetch(final Slot slot, final boolean early)
    {
        if (slot.type == SlotType.DATA && slot.shard == shard)
        {
            runner.hint(slot, early);
        }
    }

    @Override
    void onSlot(final Slot slot, final boolean endOfBatch)
    {
        if (slot.type == SlotType.DATA && slot.shard == shard)
        {
            runner.onEvent(slot);
        }
        runner.afterSlot(slot);
    }
}
