package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generator of workload.md v1 transcribed line by line, with Math as the contract writes it (not StrictMath)
 * and a plain list as the history, to check {@link WorkloadGenerator} against: each event as
 * {eventId, cardId, merchantId, amountCents, eventTimeMs, country}.
 */
final class SpecGenerator
{
    private SpecGenerator()
    {
    }

    static List<long[]> events(final long seed, final long n, final long k)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final long t0 = 1_700_000_000_000L;
        final List<long[]> emitted = new ArrayList<>();
        for (long i = 0; i < n; i++)
        {
            // 1.
            final long clock = t0 + i / 10;
            // 2.
            if (i >= 1000 && rnd.nextInt(100) == 0)
            {
                final int back = 1 + rnd.nextInt(1000);
                emitted.add(emitted.get(emitted.size() - back));
                continue;
            }
            // 3.
            final long eventId = i + 1;
            // 4.
            final long cardId = rnd.nextInt(2) == 0 ? rnd.nextLong(k / 100) : rnd.nextLong(k);
            // 5.
            final long eventTimeMs;
            if (rnd.nextInt(1000) == 0)
            {
                eventTimeMs = clock - 2000 - rnd.nextLong(60_000);
            }
            else
            {
                eventTimeMs = clock - rnd.nextLong(2000);
            }
            // 6.
            final long amountCents = (long)Math.exp(Math.log(100) + rnd.nextDouble() * (Math.log(1_000_000) - Math.log(100)));
            // 7.
            final long merchantId = rnd.nextLong(100_000);
            // 8.
            final int country = rnd.nextInt(20) == 0 ? rnd.nextInt(200) : (int)(cardId % 50);
            emitted.add(new long[] {eventId, cardId, merchantId, amountCents, eventTimeMs, country});
        }
        return emitted;
    }
}
