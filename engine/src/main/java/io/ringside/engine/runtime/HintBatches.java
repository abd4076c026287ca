package io.ringside.engine.runtime;

import io.ringside.engine.state.Prefetch;

/**
 * The shards' hints for the slots ahead of the one being handled, a batch at a time: at every {@value #BATCH}th slot,
 * the early stage (an index slot) for the batch two ahead, then the second stage (the entry) for the batch one ahead,
 * whose index slots the early stage loaded a batch ago. Finding a key's state is two dependent misses, hence the two
 * stages. With the thread's {@link Prefetch}, each stage's loads are only noted while the hints run and then issued back
 * to back: a load that misses holds the core for the whole miss once it is the oldest, so loads spread one per event
 * overlap little, and a batch of them in a tight loop overlaps them all. Used live by {@link RingConsumerAgent} and on
 * replay by the engine's read-ahead, so that both hint the same way.
 */
public final class HintBatches
{
    /** Slots whose hints go together. */
    public static final int BATCH = 8;

    /**
     * Where the slots ahead are, and what hinting one is.
     */
    public interface Ahead
    {
        /**
         * @return the slot at {@code sequence}, which is at most {@code 3 * BATCH - 1} ahead of the one being handled.
         */
        Slot slotAt(long sequence);

        /**
         * Hints the slot's shard: {@link ShardRunner#hint}.
         */
        void hint(Slot slot, boolean early);
    }

    private HintBatches()
    {
    }

    /**
     * Runs both stages for the slots ahead of {@code sequence} (a multiple of {@link #BATCH}), those up to {@code last}
     * only (the last one available).
     *
     * @param loads the thread's {@link Prefetch}, or null to let each hint load at once.
     * @return the sum of the loads issued together (keep it, so that they are not optimised away).
     */
    public static long run(final Ahead ahead, final Prefetch loads, final long sequence, final long last)
    {
        long sum = 0;
        if (loads != null)
        {
            loads.begin();
        }
        final long earlyEnd = Math.min(sequence + 3 * BATCH - 1, last);
        for (long s = sequence + 2 * BATCH; s <= earlyEnd; s++)
        {
            ahead.hint(ahead.slotAt(s), true);
        }
        if (loads != null)
        {
            sum += loads.end();
            loads.begin();
        }
        final long secondEnd = Math.min(sequence + 2 * BATCH - 1, last);
        for (long s = sequence + BATCH; s <= secondEnd; s++)
        {
            ahead.hint(ahead.slotAt(s), false);
        }
        if (loads != null)
        {
            sum += loads.end();
        }
        return sum;
    }
}
