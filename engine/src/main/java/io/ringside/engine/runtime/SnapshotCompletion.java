package io.ringside.engine.runtime;

import org.agrona.concurrent.Agent;

/**
 * Completes snapshots that wait for the sinks: a snapshot at S is complete once every output caused below S has reached
 * the sinks and been flushed, since a replay from S will not make them again. Runs on the egress thread, after the
 * delivery, which it asks.
 */
public final class SnapshotCompletion implements Agent
{
    private final SnapshotTaker snapshots;
    private final EgressAgent egress;

    public SnapshotCompletion(final SnapshotTaker snapshots, final EgressAgent egress)
    {
        this.snapshots = snapshots;
        this.egress = egress;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        SnapshotTaker.Pending pending;
        while ((pending = completable()) != null)
        {
            snapshots.delivered(pending);
            work++;
        }
        return work;
    }

    /**
     * For the egress thread's blocking wait: whether a snapshot can complete now.
     */
    public boolean hasWork()
    {
        return completable() != null;
    }

    private SnapshotTaker.Pending completable()
    {
        final SnapshotTaker.Pending pending = egress.isFlushed() ? snapshots.awaitingDelivery() : null;
        return pending != null && egress.deliveredBelow(pending.position) ? pending : null;
    }

    @Override
    public String roleName()
    {
        return "ringside-snapshot-completion";
    }
}
