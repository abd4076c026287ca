package io.ringside.engine.runtime;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * Parks until a producer rings the {@link Doorbell}, after announcing itself and re-checking for work,
 * so that a publish racing with going to sleep is never missed. Parks at most 10 ms at a time, as a
 * backstop. One consumer thread.
 */
public final class BlockingIdleStrategy implements IdleStrategy
{
    private static final long MAX_PARK_NS = 10_000_000;

    private final Doorbell doorbell;
    private final BooleanSupplier hasWork;

    public BlockingIdleStrategy(final Doorbell doorbell, final BooleanSupplier hasWork)
    {
        this.doorbell = doorbell;
        this.hasWork = hasWork;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
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
    }

    @Override
    public String alias()
    {
        return "blocking";
    }
}
