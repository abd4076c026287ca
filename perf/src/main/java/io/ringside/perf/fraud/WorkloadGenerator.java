package io.ringside.perf.fraud;

/**
 * The workload's events (workload.md, v1), deterministic for (seed, N, K): one {@code SplittableRandom}
 * drawn in the contract's order (the draws in {@link GeneratorBase}), the amount through {@link StrictMath}, and each duplicate copied byte for byte
 * from the history of emitted events (duplicates included). Writes {@link FraudEvent}s; allocates nothing per
 * event.
 * <p>
 * Not thread-safe: one thread at a time.
 */
public final class WorkloadGenerator extends GeneratorBase
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

    /**
     * @param seed   the SplittableRandom seed.
     * @param events N, events to emit, duplicates included.
     * @param cards  K, at least {@link #MIN_CARDS}.
     */
    public WorkloadGenerator(final long seed, final long events, final long cards)
    {
        super(seed, events, cards);
    }

    public WorkloadGenerator(final WorkloadSize size, final long seed)
    {
        this(seed, size.events(), size.cards());
    }

    @Override
    void generate(final long i, final int slot, final long clockMs)
    {
        if (!duplicate(i, slot))
        {
            transaction(i + 1, slot, clockMs);
        }
    }
}
