package io.ringside.perf;

import java.util.concurrent.TimeUnit;

/**
 * How a {@link LatencyTarget} publisher waits while its ring is full: {@link Thread#yield()}, so that on a
 * small machine the consumer gets the core, and a failure once the ring has stayed full for 30 s, so a
 * stuck consumer cannot hang the harness. Reads the clock only while the ring is full. Publisher thread only.
 */
final class RingFullWaiter
{
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(30);

    private final String who;
    private long stallDeadlineNs;
    private boolean waiting;

    RingFullWaiter(final String who)
    {
        this.who = who;
    }

    /**
     * Called after each failed try to claim a slot.
     *
     * @throws IllegalStateException once the ring has been full for 30 s.
     */
    void idle()
    {
        final long nowNs = System.nanoTime();
        if (!waiting)
        {
            waiting = true;
            stallDeadlineNs = nowNs + STALL_NS;
        }
        else if (nowNs - stallDeadlineNs > 0)
        {
            throw new IllegalStateException(who + ": the ring has been full for 30 s: its consumer is stuck or failed");
        }
        Thread.yield();
    }

    /**
     * Called once a slot was claimed.
     */
    void reset()
    {
        waiting = false;
    }
}
