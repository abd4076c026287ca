package io.ringside.perf.fraud;

import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The workload's events (workload.md, v1), deterministic for (seed, N, K): one {@link SplittableRandom}
 * drawn in the contract's order, the amount through {@link StrictMath}, and each duplicate copied byte for byte
 * from the history of emitted events (duplicates included). Writes {@link FraudEvent}s; allocates nothing per
 * event.
 * <p>
 * Not thread-safe: one thread at a time.
 */
public final class WorkloadGenerator
{
    /** Event time of event 0: clock = T0_MS + i / 10. */
    public static final long T0_MS = 1_700_000_000_000L;
    /** Events per millisecond of event time. */
    public static final long EVENTS_PER_MS = 10;
    /** Duplicates are drawn from this index on. */
    public static final long DUPLICATES_FROM = 1_000;
    /** A duplicate repeats the event emitted 1 to this many events before it. */
    public static final int MAX_DUPLICATE_DISTANCE = 1_000;
    public static final long MERCHANTS = 100_000;
    /** K must be at least this, so that the hot 1% holds at least one card. */
    public static final long MIN_CARDS = 100;

    private static final int HISTORY_EVENTS = 1_024;
    private static final double LOG_MIN_AMOUNT = StrictMath.log(100);
    private static final double LOG_AMOUNT_RANGE = StrictMath.log(1_000_000) - StrictMath.log(100);

    private final long seed;
    private final long events;
    private final long cards;
    private final long hotCards;
    private final UnsafeBuffer history = new UnsafeBuffer(new byte[HISTORY_EVENTS * FraudEvent.LENGTH]);
    private SplittableRandom random;
    private long index;

    /**
     * @param seed   the SplittableRandom seed.
     * @param events N, events to emit, duplicates included.
     * @param cards  K, at least {@link #MIN_CARDS}.
     */
    public WorkloadGenerator(final long seed, final long events, final long cards)
    {
        if (events < 0)
        {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        if (cards < MIN_CARDS)
        {
            throw new IllegalArgumentException("cards must be >= " + MIN_CARDS + ", was " + cards);
        }
        this.seed = seed;
        this.events = events;
        this.cards = cards;
        this.hotCards = cards / 100;
        this.random = new SplittableRandom(seed);
    }

    public WorkloadGenerator(final WorkloadSize size, final long seed)
    {
        this(seed, size.events(), size.cards());
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
        generate(index, slot);
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
            index = 0;
        }
        while (index < target)
        {
            generate(index, historyOffset(index));
            index++;
        }
    }

    private void generate(final long i, final int slot)
    {
        final long clockMs = T0_MS + i / EVENTS_PER_MS;
        if (i >= DUPLICATES_FROM && random.nextInt(100) == 0)
        {
            final long back = 1 + random.nextInt(MAX_DUPLICATE_DISTANCE);
            history.putBytes(slot, history, historyOffset(i - back), FraudEvent.LENGTH);
            return;
        }
        final long eventId = i + 1;
        final long cardId = random.nextInt(2) == 0 ? random.nextLong(hotCards) : random.nextLong(cards);
        final long eventTimeMs = random.nextInt(1000) == 0 ?
            clockMs - 2_000 - random.nextLong(60_000) : clockMs - random.nextLong(2_000);
        final long amountCents = (long)StrictMath.exp(LOG_MIN_AMOUNT + random.nextDouble() * LOG_AMOUNT_RANGE);
        final long merchantId = random.nextLong(MERCHANTS);
        final int country = random.nextInt(20) == 0 ? random.nextInt(200) : (int)(cardId % 50);
        FraudEvent.write(history, slot, eventId, cardId, merchantId, amountCents, eventTimeMs, country);
    }

    private static int historyOffset(final long i)
    {
        return (int)(i & (HISTORY_EVENTS - 1)) * FraudEvent.LENGTH;
    }
}
