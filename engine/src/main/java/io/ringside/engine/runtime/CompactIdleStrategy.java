package io.ringside.engine.runtime;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.ringside.engine.EngineContext;
import io.ringside.engine.WaitStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the compact thread idles: with its configured {@link WaitStrategy} while no duty runs on it; with duties
 * ({@link CompactAgent#addDuty}, an Aeron ingress), a strategy that parks would sleep until a publisher rings (blocking),
 * or up to 1 ms (backoff), and nothing rings for a duty's work (a message arriving in Aeron's log). So with duties it
 * backs off instead: {@value #SPINS} spins, {@value #YIELDS} yields, then parks doubling from 1 µs to
 * {@link EngineContext#compactDutyParkNs()}, still announced on the doorbell (blocking) so that a publisher's event
 * wakes it at once. Busy-spin and yielding never park and stay as they are. One thread.
 */
public final class CompactIdleStrategy implements IdleStrategy
{
    static final int SPINS = 10;
    static final int YIELDS = 20;
    private static final long MIN_PARK_NS = 1_000;

    private final CompactAgent agent;
    private final IdleStrategy configured;
    private final boolean backOffWithDuties;
    private final Doorbell doorbell;
    private final BooleanSupplier hasWork;
    private final long maxParkNs;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    /**
     * @param doorbell  rung by publishers (blocking), or null.
     * @param maxParkNs the longest park with duties.
     */
    public CompactIdleStrategy(final CompactAgent agent, final WaitStrategy wait, final Doorbell doorbell, final BooleanSupplier hasWork,
        final long maxParkNs)
    {
        this.agent = agent;
        this.configured = wait.newIdleStrategy(doorbell, hasWork);
        this.backOffWithDuties = wait != WaitStrategy.BUSY_SPIN && wait != WaitStrategy.YIELDING;
        this.doorbell = doorbell;
        this.hasWork = hasWork;
        this.maxParkNs = maxParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (!backOffWithDuties || !agent.hasDuties())
        {
            configured.idle(workCount);
        }
        else if (workCount > 0)
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
        if (!backOffWithDuties || !agent.hasDuties())
        {
            configured.idle();
        }
        else if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            park();
        }
    }

    private void park()
    {
        if (doorbell != null)
        {
            doorbell.sleeping();
        }
        try
        {
            if (doorbell == null || !hasWork.getAsBoolean())
            {
                LockSupport.parkNanos(this, parkNs);
            }
        }
        finally
        {
            if (doorbell != null)
            {
                doorbell.awake();
            }
        }
        parkNs = Math.min(parkNs << 1, maxParkNs);
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
        configured.reset();
    }

    @Override
    public String alias()
    {
        return "compact";
    }
}
