package io.ringside.perf;

import java.util.concurrent.locks.LockSupport;

/**
 * Publishes into a {@link LatencyTarget} at a fixed rate from the calling thread: event {@code i} is
 * scheduled at {@code t0 + i / rate} seconds ({@code System.nanoTime()}), waited for (parked while the gap
 * is long, then busy-waited), stamped with that intended time and published. A publisher that falls behind
 * (a full ring, a descheduled thread) keeps the intended times and sends the late events back to back, so
 * the wait counts in their latency: the coordinated-omission correction. The first {@code warmUpEvents}
 * are marked warm-up, the next {@code measuredEvents} measured, on one continuous schedule.
 * <p>
 * <b>Thread safety:</b> one publisher thread; a new instance per run.
 */
final class FixedRatePublisher
{
    /** Gaps longer than this are parked through, less {@link #SPIN_NS}; shorter ones are spun. */
    static final long PARK_ABOVE_NS = 200_000;
    /** What is left to busy-wait after a park: more than a park usually overshoots by. */
    static final long SPIN_NS = 100_000;
    private static final long NS_PER_S = 1_000_000_000L;
    private static final long START_DELAY_NS = 1_000_000;

    private final long ratePerS;
    private long measureStartNs;
    private long maxLagNs;

    /**
     * @param ratePerS events per second, at least 1.
     */
    FixedRatePublisher(final long ratePerS)
    {
        this.ratePerS = ratePerS;
    }

    /**
     * Runs the schedule to its end.
     *
     * @param target         receives the events.
     * @param warmUpEvents   events marked warm-up, first.
     * @param measuredEvents events marked measured, then.
     */
    void run(final LatencyTarget target, final long warmUpEvents, final long measuredEvents)
    {
        final long t0 = System.nanoTime() + START_DELAY_NS;
        measureStartNs = t0 + offsetNs(warmUpEvents);
        final long total = warmUpEvents + measuredEvents;
        for (long i = 0; i < total; i++)
        {
            final long intendedNs = t0 + offsetNs(i);
            final long lagNs = awaitUntil(intendedNs);
            if (lagNs > maxLagNs && i >= warmUpEvents)
            {
                maxLagNs = lagNs;
            }
            target.publish(intendedNs, i < warmUpEvents ? LatencyEventDescriptor.WARM_UP : LatencyEventDescriptor.MEASURED);
        }
    }

    /**
     * @return the intended send time of the first measured event.
     */
    long measureStartNs()
    {
        return measureStartNs;
    }

    /**
     * @return how far behind its schedule the publisher was at worst, over the measured events.
     */
    long maxLagNs()
    {
        return maxLagNs;
    }

    private long offsetNs(final long i)
    {
        return (i / ratePerS) * NS_PER_S + (i % ratePerS) * NS_PER_S / ratePerS;
    }

    /**
     * @return how late it is past {@code deadlineNs} on return (0 if it had to wait).
     */
    private static long awaitUntil(final long deadlineNs)
    {
        long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0)
        {
            return -remainingNs;
        }
        do
        {
            if (remainingNs > PARK_ABOVE_NS)
            {
                LockSupport.parkNanos(remainingNs - SPIN_NS);
            }
            else
            {
                Thread.onSpinWait();
            }
            remainingNs = deadlineNs - System.nanoTime();
        }
        while (remainingNs > 0);
        return 0;
    }
}
