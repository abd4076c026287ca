package io.ringside.engine.runtime;

import io.ringside.engine.SlotType;

import com.lmax.disruptor.EventPoller;

/**
 * The compact topology's one consumer: journals each slot, then runs its shard on the same thread. It owns both: when
 * a shard's egress buffer is full it has the journaler publish what it holds as durable ({@link EgressFullWait}).
 */
public final class CompactAgent extends RingConsumerAgent implements EgressFullWait
{
    private final Journaler journaler;
    private final ShardRunner[] shards;

    public CompactAgent(final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell,
        final Journaler journaler, final ShardRunner[] shards)
    {
        super("ringside-compact", poller, control, doorbell);
        this.journaler = journaler;
        this.shards = shards;
        for (final ShardRunner shard : shards)
        {
            shard.egressFullWait(this);
        }
    }

    /**
     * The egress releases nothing of this batch until the journaler publishes it durable, which it would do only at the
     * end of the batch that this wait holds up; it has nothing to journal meanwhile.
     */
    @Override
    public void onEgressFull()
    {
        journaler.onIdle();
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
        }
    }

    @Override
    void prefetch(final Slot slot, final boolean early)
    {
        final int shard = slot.shard;
        if (slot.type == SlotType.DATA && shard >= 0 && shard < shards.length)
        {
            if (early)
            {
                shards[shard].prefetchEarly(slot);
            }
            else
            {
                shards[shard].prefetch(slot);
            }
        }
    }

    @Override
    void onIdle()
    {
        journaler.onIdle();
    }
}
