package io.ringside.engine.runtime;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * Parks until a producer rings the {@link Doorbell}, after announcing itself and re-checking for work,
 * so that a publish racing with going to sleep is never missed. Parks at most 10 ms at a time, as a
 * backstop. Optionally spins, then yields, a few times first ({@link io.ringside.engine.WaitStrategy#BACKOFF_BLOCKING}):
 * work arriving within those tens of microseconds is then taken without a wake-up. One consumer thread.
 */
public final class BlockingIdleStrategy implements IdleStrategy
{
    private static final long MAX_PARK_NS = 10_000_000;

    private final Doorbell doorbell;
    private final BooleanSupplier hasWork;
    private final int maxSpins;
    private final int maxYields;
    private int spins;
    private int yields;

    public BlockingIdleStrategy(final Doorbell doorbell, final BooleanSupplier hasWork)
    {
        this(doorbell, hasWork, 0, 0);
    }

    /**
     * @param maxSpins  idle calls that only spin ({@link Thread#onSpinWait()}) after the last work, before yielding.
     * @param maxYields idle calls that yield after the spins, before parking.
     */
    public BlockingIdleStrategy(final Doorbell doorbell, final BooleanSupplier hasWork, final int maxSpins, final int maxYields)
    {
        this.doorbell = doorbell;
        this.hasWork = hasWork;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < maxYields)
        {
            yields++;
            Thread.yield();
            return;
        }
        doorbell.sleeping();
        try
        {
            if (!hasWork.getAsBoolean())
            {
                LockSupport.parkNanos(this, MAX_PARK_NS);
            }
        }
        finally
        {
            doorbell.awake();
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
    }

    @Override
    public String alias()
    {
        return maxSpins + maxYields > 0 ? "backoff-blocking" : "blocking";
    }
}
