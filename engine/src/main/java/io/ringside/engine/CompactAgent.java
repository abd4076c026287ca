package io.ringside.engine;

import com.lmax.disruptor.EventPoller;

/**
 * The compact topology's one consumer: journals each slot, then runs its shard on the same thread.
 */
final class CompactAgent extends RingConsumerAgent
{
    private final Journaler journaler;
    private final ShardRunner[] shards;

    CompactAgent(final EventPoller<Slot> poller, final EngineControl control, final Doorbell doorbell,
        final Journaler journaler, final ShardRunner[] shards)
    {
        super("ringside-compact", poller, control, doorbell);
        this.journaler = journaler;
        this.shards = shards;
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
