package io.ringside.engine;

import java.util.List;
import java.util.Locale;

import io.ringside.journal.RecoveryReport;

/**
 * What {@link Engine#start()} did to recover: the journal's own recovery (a torn tail cut off), the snapshot it
 * loaded (or why it passed over damaged ones), and the journal it replayed through the shards.
 */
public final class EngineRecovery
{
    private final RecoveryReport journal;
    private final long snapshotPosition;
    private final List<String> rejectedSnapshots;
    private final long replayFrom;
    private final long replayTo;
    private final long replayedRecords;
    private final long replayedEvents;
    private final long snapshotLoadNs;
    private final long replayNs;
    private final EngineSnapshot seed;

    EngineRecovery(final RecoveryReport journal, final long snapshotPosition, final List<String> rejectedSnapshots, final long replayFrom,
        final long replayTo, final long replayedRecords, final long replayedEvents, final long snapshotLoadNs, final long replayNs,
        final EngineSnapshot seed)
    {
        this.seed = seed;
        this.journal = journal;
        this.snapshotPosition = snapshotPosition;
        this.rejectedSnapshots = List.copyOf(rejectedSnapshots);
        this.replayFrom = replayFrom;
        this.replayTo = replayTo;
        this.replayedRecords = replayedRecords;
        this.replayedEvents = replayedEvents;
        this.snapshotLoadNs = snapshotLoadNs;
        this.replayNs = replayNs;
    }

    /**
     * @return the journal's recovery on open.
     */
    public RecoveryReport journal()
    {
        return journal;
    }

    /**
     * @return the position of the snapshot loaded, or -1 if none (the whole journal was replayed).
     */
    public long snapshotPosition()
    {
        return snapshotPosition;
    }

    /**
     * @return one line per snapshot passed over, newest first: which and why (damaged, another shard count...).
     */
    public List<String> rejectedSnapshots()
    {
        return rejectedSnapshots;
    }

    /**
     * @return the other engine's snapshot this fresh one started from ({@link EngineContext#seedSnapshot}), or null.
     */
    public EngineSnapshot seed()
    {
        return seed;
    }

    public long replayFrom()
    {
        return replayFrom;
    }

    public long replayTo()
    {
        return replayTo;
    }

    /**
     * @return journal records replayed through the shards (events, ticks, markers).
     */
    public long replayedRecords()
    {
        return replayedRecords;
    }

    /**
     * @return DATA records among them.
     */
    public long replayedEvents()
    {
        return replayedEvents;
    }

    public long snapshotLoadNs()
    {
        return snapshotLoadNs;
    }

    public long replayNs()
    {
        return replayNs;
    }

    /**
     * @return replayed events per second, or 0 if none.
     */
    public double replayRate()
    {
        return replayNs == 0 || replayedEvents == 0 ? 0 : replayedEvents * 1e9 / replayNs;
    }

    /**
     * @return true if there was nothing to recover: no snapshot and no record.
     */
    public boolean isFresh()
    {
        return snapshotPosition < 0 && replayedRecords == 0;
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT,
            "%s%s%s; replayed %,d records (%,d events) from position %d to %d in %.3f s (%,.0f events/s)%s",
            journal == null ? "" : journal + "; ", seed == null ? "" : "started from the " + seed + "; ", snapshotPosition < 0 ? "no snapshot" : String.format(Locale.ROOT, "snapshot at %d loaded in %.3f s", snapshotPosition,
                snapshotLoadNs / 1e9),
            replayedRecords, replayedEvents, replayFrom, replayTo, replayNs / 1e9, replayRate(),
            rejectedSnapshots.isEmpty() ? "" : "; passed over: " + String.join("; ", rejectedSnapshots));
    }
}
