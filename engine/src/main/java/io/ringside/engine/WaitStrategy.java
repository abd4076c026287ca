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
 *   <li>{@link #BACKOFF_BLOCKING}: {@value #BACKOFF_SPINS} spins, then {@value #BACKOFF_YIELDS} yields, then as
 *   {@link #BLOCKING}: work that comes within those tens of µs of the last (events at 100 k/s) is taken without a
 *   wake-up, and an idle thread still costs nothing. For a thread on a microsecond path whose producer cannot spin for
 *   it, such as the egress before an Aeron sink.</li>
 * </ul>
 */
public enum WaitStrategy
{
    BUSY_SPIN, YIELDING, BACKOFF, SLEEPING, BLOCKING, BACKOFF_BLOCKING;

    /** Park time of {@link #SLEEPING}. */
    public static final long SLEEP_NS = 50_000;
    /** Spins of {@link #BACKOFF_BLOCKING} before it yields: as an Aeron agent's back-off. */
    public static final int BACKOFF_SPINS = 10;
    /** Yields of {@link #BACKOFF_BLOCKING} before it parks. */
    public static final int BACKOFF_YIELDS = 20;

    /**
     * @return whether this strategy parks until a producer rings a doorbell ({@link #BLOCKING}, {@link #BACKOFF_BLOCKING}):
     * the engine then gives its producers one to ring.
     */
    public boolean usesDoorbell()
    {
        return this == BLOCKING || this == BACKOFF_BLOCKING;
    }

    /**
     * @param doorbell rung by producers when there is work; used by {@link #BLOCKING} and {@link #BACKOFF_BLOCKING}.
     * @param hasWork  re-checked by them after announcing they will sleep, so no wake-up is lost.
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
            case BACKOFF_BLOCKING:
                return new BlockingIdleStrategy(doorbell, hasWork, BACKOFF_SPINS, BACKOFF_YIELDS);
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
            throw new IllegalArgumentException("unknown wait strategy '" + name + "': use busy-spin, yielding, backoff, sleeping, blocking or backoff-blocking", ex);
        }
    }
}
