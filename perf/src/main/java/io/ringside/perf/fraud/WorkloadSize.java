package io.ringside.perf.fraud;

import java.util.Locale;

/**
 * The workload's sizes (workload.md, v1): events N and cards K. Immutable: any thread.
 */
public enum WorkloadSize
{
    SMOKE(100_000, 10_000),
    STANDARD(10_000_000, 1_000_000),
    LARGE(100_000_000, 10_000_000);

    private final long events;
    private final long cards;

    WorkloadSize(final long events, final long cards)
    {
        this.events = events;
        this.cards = cards;
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
     * @throws IllegalArgumentException naming the sizes if {@code name} is none of them (any case).
     */
    public static WorkloadSize parse(final String name)
    {
        try
        {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown size '" + name + "': use smoke, standard or large", ex);
        }
    }
}
