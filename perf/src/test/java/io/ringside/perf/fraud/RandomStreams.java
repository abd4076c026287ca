package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Short random streams built to hit the rules' edges: few cards, times on a 1,000 ms grid (with the odd 1 ms step)
 * so that the bounds are often met exactly, many re-sends and late events, amounts near the AMOUNT limit, bursts
 * that cross VELOCITY, and now and then a jump of more than ten minutes, past the dedup horizon.
 */
final class RandomStreams
{
    private static final long[] CLOCK_STEPS_MS = {0, 0, 0, 0, 1, 1_000, 1_000, 2_000, 5_000, 30_000, 60_000};
    /** Dense streams: many events per card and tumbling window, for VELOCITY. */
    private static final long[] DENSE_CLOCK_STEPS_MS = {0, 0, 0, 1, 1, 1_000, 2_000};
    private static final long[] BEHIND_CLOCK_MS = {0, 0, 1_000, 2_000, 3_000, 5_000, 7_000, 30_000};
    private static final long[] AMOUNTS = {1, 100, 25_000, 100_000, 250_000, 499_999, 500_000, 500_001};

    private RandomStreams()
    {
    }

    /**
     * A stream of 50 to 500 events on one source, any re-send of any earlier event allowed.
     */
    static List<FraudScenario.Event> oneSource(final SplittableRandom random)
    {
        return build(random, 1, 50 + random.nextInt(451), Long.MAX_VALUE);
    }

    /**
     * A stream over several sources, each card on one source (by its index), re-sends only of events less than
     * 500 s of event time old, so that no re-send is near the dedup horizon under any interleaving.
     */
    static List<FraudScenario.Event> severalSources(final SplittableRandom random, final int sources)
    {
        return build(random, sources, 50 + random.nextInt(451), 500_000);
    }

    /**
     * A random interleaving of {@code events} that keeps each source's order.
     */
    static List<FraudScenario.Event> interleave(final List<FraudScenario.Event> events, final int sources, final SplittableRandom random)
    {
        final List<List<FraudScenario.Event>> bySource = new ArrayList<>();
        for (int s = 0; s < sources; s++)
        {
            bySource.add(new ArrayList<>());
        }
        events.forEach(e -> bySource.get(e.source()).add(e));
        final int[] next = new int[sources];
        final List<FraudScenario.Event> interleaved = new ArrayList<>();
        while (interleaved.size() < events.size())
        {
            final int s = random.nextInt(sources);
            if (next[s] < bySource.get(s).size())
            {
                interleaved.add(bySource.get(s).get(next[s]++));
            }
        }
        return interleaved;
    }

    private static List<FraudScenario.Event> build(final SplittableRandom random, final int sources, final int n, final long maxResendAgeMs)
    {
        final long[] cards = cards(random, sources + random.nextInt(4));
        final int duplicatePercent = 5 + random.nextInt(26);
        final int jumpPerMille = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(20);
        final long[] clockSteps = random.nextInt(3) == 0 ? DENSE_CLOCK_STEPS_MS : CLOCK_STEPS_MS;
        long clockMs = FraudScenario.T + 1_000L * random.nextInt(120);
        final List<FraudScenario.Event> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && random.nextInt(100) < duplicatePercent)
            {
                final FraudScenario.Event original = events.get(random.nextInt(events.size()));
                if (clockMs - original.eventTimeMs() < maxResendAgeMs)
                {
                    events.add(original);
                    continue;
                }
            }
            clockMs += random.nextInt(1000) < jumpPerMille ? 600_000 + 1_000L * random.nextInt(200) : pick(random, clockSteps);
            final long behindMs = random.nextInt(10) == 0 ? random.nextInt(70_000) : pick(random, BEHIND_CLOCK_MS);
            final int card = random.nextInt(cards.length);
            events.add(new FraudScenario.Event(
                card % sources, i + 1, cards[card], pick(random, AMOUNTS), clockMs - behindMs, random.nextInt(3)));
        }
        return events;
    }

    private static long[] cards(final SplittableRandom random, final int count)
    {
        final long[] cards = new long[count];
        for (int i = 0; i < count; i++)
        {
            cards[i] = random.nextInt(4) == 0 ? random.nextLong() : i;
        }
        return cards;
    }

    private static long pick(final SplittableRandom random, final long[] values)
    {
        return values[random.nextInt(values.length)];
    }
}
