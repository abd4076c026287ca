package io.ringside.engine.runtime;

import io.ringside.engine.SlotType;
import io.ringside.engine.Snapshottable;

import org.agrona.concurrent.EpochClock;

/**
 * When the journaler begins a snapshot: on SNAPSHOT slots, every {@code everyEvents} journaled slots, and at the end of
 * the first batch after every {@code everyMs} of the clock (each 0: off). It begins them through the
 * {@link SnapshotTaker}, with the journaler's own state as the snapshot's engine part. Journaler thread only.
 */
public final class SnapshotSchedule
{
    private final SnapshotTaker taker;
    private final Snapshottable engineState;
    private final long everyEvents;
    private final long everyMs;
    private final EpochClock clock;
    private long sinceSnapshot;
    private long lastSnapshotMs;

    /**
     * @param engineState what the engine's part of a snapshot holds: the journaler's watermarks and offsets.
     */
    public SnapshotSchedule(final SnapshotTaker taker, final Snapshottable engineState, final long everyEvents, final long everyMs,
        final EpochClock clock)
    {
        this.taker = taker;
        this.engineState = engineState;
        this.everyEvents = everyEvents;
        this.everyMs = everyMs;
        this.clock = clock;
        this.lastSnapshotMs = everyMs > 0 ? clock.time() : 0;
    }

    /**
     * A slot was journaled, ending at {@code position}.
     *
     * @return the snapshot begun at {@code position}, which each shard writes its part of as it passes the slot, or null.
     */
    SnapshotTaker.Pending onJournaled(final Slot slot, final boolean endOfBatch, final long position)
    {
        if (slot.type == SlotType.SNAPSHOT || (everyEvents > 0 && ++sinceSnapshot >= everyEvents) ||
            (endOfBatch && everyMs > 0 && clock.time() - lastSnapshotMs >= everyMs))
        {
            sinceSnapshot = 0;
            lastSnapshotMs = everyMs > 0 ? clock.time() : 0;
            return taker.begin(position, engineState);
        }
        return null;
    }

    /**
     * Recovery replayed this many records after the snapshot it loaded (all of them without one): they count toward the
     * next snapshot, so that a process that keeps crashing before {@code everyEvents} new ones still takes snapshots.
     */
    public void recordsSinceSnapshot(final long records)
    {
        this.sinceSnapshot = records;
    }
}
