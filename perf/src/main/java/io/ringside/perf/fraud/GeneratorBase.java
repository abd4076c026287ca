package io.ringside.perf.fraud;

import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the workloads' generators share (workload.md and workload v2): one {@link SplittableRandom} drawn in the
 * contract's order, the clock of index i, the history of emitted events that duplicates are copied from byte for byte,
 * v1's duplicate step and its transaction (a v1 event is a v2 TXN: the same draws, the same 48 bytes), and resuming
 * by replaying the draws. A generator says what index i emits ({@link #generate}). Allocates nothing per event.
 * <p>
 * Not thread-safe: one thread at a time.
 */
abstract class GeneratorBase
{
    private static final int HISTORY_EVENTS = 1_024;
    private static final double LOG_MIN_AMOUNT = StrictMath.log(100);
    private static final double LOG_AMOUNT_RANGE = StrictMath.log(1_000_000) - StrictMath.log(100);

    private final long seed;
    private final long events;
    private final long cards;
    private final long hotCards;
    /** The events emitted last, duplicates included, each at {@link #historyOffset}. */
    final UnsafeBuffer history = new UnsafeBuffer(new byte[HISTORY_EVENTS * FraudEvent.LENGTH]);
    SplittableRandom random;
    private long index;

    GeneratorBase(final long seed, final long events, final long cards)
    {
        if (events < 0)
        {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        if (cards < WorkloadGenerator.MIN_CARDS)
        {
            throw new IllegalArgumentException("cards must be >= " + WorkloadGenerator.MIN_CARDS + ", was " + cards);
        }
        this.seed = seed;
        this.events = events;
        this.cards = cards;
        this.hotCards = cards / 100;
        this.random = new SplittableRandom(seed);
    }

    public long seed()
    {
        return seed;
    }

    public long events()
    {
        return events;
    }

    public long cards()
    {
        return cards;
    }

    /**
     * @return events emitted so far, duplicates included: the index i of the next event, the source offset
     * a resumed run starts from.
     */
    public long index()
    {
        return index;
    }

    public boolean hasNext()
    {
        return index < events;
    }

    /**
     * Writes the next event ({@link FraudEvent#LENGTH} bytes) at {@code offset}.
     *
     * @return false, writing nothing, once all N events have been emitted.
     */
    public boolean next(final MutableDirectBuffer dst, final int offset)
    {
        if (index >= events)
        {
            return false;
        }
        final int slot = historyOffset(index);
        generate(index, slot, WorkloadGenerator.T0_MS + index / WorkloadGenerator.EVENTS_PER_MS);
        dst.putBytes(offset, history, slot, FraudEvent.LENGTH);
        index++;
        return true;
    }

    /**
     * Positions the generator so that the next event is event {@code target} (0 <= target <= N), by replaying
     * the draws from the start when going back, from here when going forward.
     */
    public void skipTo(final long target)
    {
        if (target < 0 || target > events)
        {
            throw new IllegalArgumentException("target must be 0.." + events + ", was " + target);
        }
        if (target < index)
        {
            random = new SplittableRandom(seed);
            restart();
            index = 0;
        }
        while (index < target)
        {
            generate(index, historyOffset(index), WorkloadGenerator.T0_MS + index / WorkloadGenerator.EVENTS_PER_MS);
            index++;
        }
    }

    /**
     * Writes event {@code i} into the history at {@code slot}.
     *
     * @param clockMs {@code T0_MS + i / 10}.
     */
    abstract void generate(long i, int slot, long clockMs);

    /**
     * The draws start again from the seed: forget what depends on earlier ones.
     */
    void restart()
    {
    }

    /**
     * v1's duplicate step: from index {@link WorkloadGenerator#DUPLICATES_FROM} on, one draw in a hundred copies the
     * event emitted 1 to {@link WorkloadGenerator#MAX_DUPLICATE_DISTANCE} events before.
     *
     * @return whether event i is a duplicate (written).
     */
    final boolean duplicate(final long i, final int slot)
    {
        if (i >= WorkloadGenerator.DUPLICATES_FROM && random.nextInt(100) == 0)
        {
            final long back = 1 + random.nextInt(WorkloadGenerator.MAX_DUPLICATE_DISTANCE);
            history.putBytes(slot, history, historyOffset(i - back), FraudEvent.LENGTH);
            return true;
        }
        return false;
    }

    /**
     * v1's event (a v2 TXN), its draws in the contract's order: card, lateness, amount, merchant, country.
     */
    final void transaction(final long eventId, final int slot, final long clockMs)
    {
        final long cardId = card();
        final long eventTimeMs = random.nextInt(1000) == 0 ?
            clockMs - 2_000 - random.nextLong(60_000) : clockMs - random.nextLong(2_000);
        final long amountCents = (long)StrictMath.exp(LOG_MIN_AMOUNT + random.nextDouble() * LOG_AMOUNT_RANGE);
        final long merchantId = random.nextLong(WorkloadGenerator.MERCHANTS);
        final int country = random.nextInt(20) == 0 ? random.nextInt(200) : (int)(cardId % 50);
        FraudEvent.write(history, slot, eventId, cardId, merchantId, amountCents, eventTimeMs, country);
    }

    /**
     * A card: half the draws from the hot 1%, half from all K.
     */
    final long card()
    {
        return random.nextInt(2) == 0 ? random.nextLong(hotCards) : random.nextLong(cards);
    }

    static int historyOffset(final long i)
    {
        return (int)(i & (HISTORY_EVENTS - 1)) * FraudEvent.LENGTH;
    }
}
