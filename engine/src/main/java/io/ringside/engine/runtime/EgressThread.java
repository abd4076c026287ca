package io.ringside.engine.runtime;

import java.util.Arrays;
import java.util.Objects;

import org.agrona.concurrent.Agent;

/**
 * The egress thread ({@code ringside-egress}): agents with one job each, run in turn in one duty cycle, in this order:
 * delivery to the sinks ({@link EgressAgent}), snapshot completion ({@link SnapshotCompletion}), ticks
 * ({@link Ticker}) and the counters' refresh ({@link CountersDuty}); absent ones are left out. They close in the same
 * order: what is durable is delivered before the counters are refreshed a last time.
 */
public final class EgressThread implements Agent
{
    private final Agent[] agents;

    /**
     * @param agents in duty-cycle order; nulls are left out.
     */
    public EgressThread(final Agent... agents)
    {
        this.agents = Arrays.stream(agents).filter(Objects::nonNull).toArray(Agent[]::new);
    }

    @Override
    public void onStart()
    {
        for (final Agent agent : agents)
        {
            agent.onStart();
        }
    }

    @Override
    public int doWork() throws Exception
    {
        int work = 0;
        for (final Agent agent : agents)
        {
            work += agent.doWork();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        RuntimeException failure = null;
        for (final Agent agent : agents)
        {
            try
            {
                agent.onClose();
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    @Override
    public String roleName()
    {
        return "ringside-egress";
    }
}
