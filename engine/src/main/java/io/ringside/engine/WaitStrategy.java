package io.ringside.engine;

import io.ringside.engine.runtime.BlockingIdleStrategy;
import io.ringside.engine.runtime.Doorbell;

import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * How a consumer thread (journaler, shard, egress) waits when it has nothing to do.
 * <ul>
 *   <li>{@link #BUSY_SPIN}: never gives up its core: the lowest latency, one core per consumer. Production on dedicated cores only.</li>
 *   <li>{@link #YIELDING}: spins with {@code Thread.yield()}: low latency, still burns a core.</li>
 *   <li>{@link #BACKOFF}: spins, then yields, then parks for growing intervals up to 1 ms.</li>
 *   <li>{@link #SLEEPING}: parks 50 µs at a time: cheap on CPU, adds up to a timer tick of latency.</li>
 *   <li>{@link #BLOCKING}: parks until a producer rings the consumer's doorbell: no CPU while idle, a wake-up
 *   (tens of µs) of latency after idling. The default: safe on a 2-core machine.</li>
 * </ul>
 */
public enum WaitStrategy
{
    BUSY_SPIN, YIELDING, BACKOFF, SLEEPING, BLOCKING;

    /** Park time of {@link #SLEEPING}. */
    public static final long SLEEP_NS = 50_000;

    /**
     * @param doorbell rung by producers when there is work; used by {@link #BLOCKING}.
     * @param hasWork  re-checked by {@link #BLOCKING} after announcing it will sleep, so no wake-up is lost.
     * @return a new idle strategy for one consumer thread.
     */
    public IdleStrategy newIdleStrategy(final Doorbell doorbell, final BooleanSupplier hasWork)
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case YIELDING:
                return new YieldingIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            case SLEEPING:
                return new SleepingIdleStrategy(SLEEP_NS);
            default:
                return new BlockingIdleStrategy(doorbell, hasWork);
        }
    }

    public static WaitStrategy parse(final String name)
    {
        try
        {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown wait strategy '" + name + "': use busy-spin, yielding, backoff, sleeping or blocking", ex);
        }
    }
}
