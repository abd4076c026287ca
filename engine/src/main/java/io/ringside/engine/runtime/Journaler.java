package io.ringside.engine.runtime;

import io.ringside.engine.EngineCounters;
import io.ringside.engine.EngineException;
import io.ringside.engine.EventRecordDescriptor;
import io.ringside.engine.EventTimeExtractor;
import io.ringside.engine.SlotType;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;

import java.io.IOException;
import java.time.Instant;

import io.ringside.journal.JournalAppender;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Appends every slot to the journal and stamps its journal position, then at the end of each ring batch
 * applies the durability policy and publishes the durable position (what the egress may release).
 * Journaler thread only (compact: the one consumer thread), apart from {@link #durablePosition()},
 * {@link #journaledPosition()} and {@link #retainFrom(long)}.
 * <p>
 * Its state (watermarks, last offsets) is the engine's part of a snapshot; its {@link SnapshotSchedule} decides when one
 * begins; the {@link SnapshotTaker} tells it, as its {@link JournalRetention}, what of the journal may be deleted.
 */
public final class Journaler implements Snapshottable, JournalRetention
{
    private final JournalAppender appender;
    private final EngineCounters counters;
    private final Doorbell egressDoorbell;
    private final EngineControl control;
    private final WatermarkTracker watermarks;
    private final EventTimeExtractor eventTime;
    private final Long2LongHashMap lastOffsets = new Long2LongHashMap(-1);
    /** Journal times count seconds from 2020-01-01T00:00:00Z: 136 years fit the record's 32-bit user field. */
    public static final long JOURNAL_TIME_EPOCH_S = 1_577_836_800L;
    private EpochClock journalClock = SystemEpochClock.INSTANCE;
    private long maxEventTimeAheadMs;
    private int batchTimeS;
    private boolean batchTimeRead;
    private SnapshotSchedule snapshots;
    private volatile long retainFrom = -1;
    private volatile long durablePosition;
    private volatile long journaledPosition;
    private long lastForces;
    private InlineEgress inline;

    public Journaler(final JournalAppender appender, final EngineCounters counters, final Doorbell egressDoorbell, final EngineControl control,
        final WatermarkTracker watermarks, final EventTimeExtractor eventTime)
    {
        this.watermarks = watermarks;
        this.eventTime = eventTime;
        this.appender = appender;
        this.counters = counters;
        this.egressDoorbell = egressDoorbell;
        this.control = control;
        this.durablePosition = appender == null ? 0 : appender.durablePosition();
        this.journaledPosition = appender == null ? 0 : appender.position();
    }

    /**
     * Journals a slot; {@code endOfBatch}: the last of a ring batch, where a time-based snapshot may begin.
     */
    void onEvent(final Slot slot, final boolean endOfBatch)
    {
        if (!batchTimeRead)
        {
            // processing time, read once a batch (not per event) and journaled with each of its slots; a clock before
            // 2020 (a test's) is journaled as unknown
            final long seconds = journalClock.time() / 1000 - JOURNAL_TIME_EPOCH_S;
            batchTimeS = seconds > 0 && seconds <= Integer.MAX_VALUE ? (int)seconds : 0;
            batchTimeRead = true;
        }
        slot.journalTimeS = batchTimeS;
        if (endOfBatch)
        {
            batchTimeRead = false;
        }
        track(slot);
        final long before = appender.position();
        final long position = appender.claim(
            slot.type, 0, slot.sourceId, slot.partition, slot.sourceOffset, slot.timestamp, EventRecordDescriptor.EVENT_OFFSET + slot.length);
        final MutableDirectBuffer buffer = appender.buffer();
        final int offset = appender.payloadOffset();
        buffer.putLong(offset + EventRecordDescriptor.KEY_OFFSET, slot.key);
        buffer.putBytes(offset + EventRecordDescriptor.EVENT_OFFSET, slot.buffer, 0, slot.length);
        appender.userField(slot.journalTimeS);
        appender.commit();
        slot.journalPosition = position;
        counters.watermark.setRelease(slot.watermark);
        counters.journaled.incrementRelease();
        counters.journalBytes.getAndAddRelease(appender.position() - before);
        slot.snapshot = snapshots == null ? null : snapshots.onJournaled(slot, endOfBatch, appender.position());
    }

    /**
     * A slot read back from the journal at recovery: the same event time, watermarks and offsets as when it was
     * journaled, nothing appended.
     */
    public void onReplay(final Slot slot)
    {
        track(slot);
        slot.snapshot = null;
    }

    private void track(final Slot slot)
    {
        switch (slot.type)
        {
            case SlotType.DATA:
                stampEventTime(slot);
                watermarks.onData(slot);
                break;
            case SlotType.TICK:
                watermarks.onTick(slot);
                counters.ticks.incrementRelease();
                break;
            case SlotType.SHUTDOWN:
                watermarks.onEndOfInput(slot);
                break;
            case SlotType.CONTROL:
                // moves no watermark: stamped with where they are, so no shard sees it as a move
                slot.eventTime = Long.MIN_VALUE;
                slot.eventTimeError = null;
                slot.sourceWatermark = Long.MIN_VALUE;
                slot.watermark = watermarks.watermark();
                break;
            default:
                break;
        }
        if (slot.type == SlotType.DATA || slot.type == SlotType.CONTROL)
        {
            lastOffsets.put(((long)slot.sourceId << 32) | (slot.partition & 0xFFFF_FFFFL), slot.sourceOffset);
        }
    }

    /**
     * @param clock        the processing-time clock whose time each batch is journaled with.
     * @param maxAheadMs   events whose event time is more than this ahead of the time they were journaled are refused
     *                     (their event time kept out of the watermarks, the event dead-lettered by its shard); 0: off.
     */
    public void eventTimeBound(final EpochClock clock, final long maxAheadMs)
    {
        this.journalClock = clock;
        this.maxEventTimeAheadMs = maxAheadMs;
    }

    /**
     * @param schedule when to begin snapshots; null (the default): never.
     */
    public void snapshots(final SnapshotSchedule schedule)
    {
        this.snapshots = schedule;
    }

    /**
     * @return the source offset of the last DATA slot of that source and partition journaled, or -1.
     */
    long lastOffset(final int sourceId, final int partition)
    {
        return lastOffsets.get(((long)sourceId << 32) | (partition & 0xFFFF_FFFFL));
    }

    public Long2LongHashMap lastOffsets()
    {
        return lastOffsets;
    }

    public WatermarkTracker watermarks()
    {
        return watermarks;
    }

    /**
     * Writes what the journaler knows that replay would otherwise rebuild: the watermarks and the last offsets.
     */
    @Override
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        watermarks.writeSnapshot(out);
        out.writeInt(lastOffsets.size());
        for (final Long2LongHashMap.EntryIterator it = lastOffsets.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            out.writeLong(it.getLongKey());
            out.writeLong(it.getLongValue());
        }
    }

    /**
     * @return the last offsets in the engine's part of a snapshot (what {@link #writeSnapshot} wrote), its watermarks
     * passed over.
     */
    public static Long2LongHashMap lastOffsetsOf(final SnapshotReader in)
    {
        WatermarkTracker.skipSnapshot(in);
        final Long2LongHashMap offsets = new Long2LongHashMap(-1);
        final int count = in.readInt();
        for (int i = 0; i < count; i++)
        {
            offsets.put(in.readLong(), in.readLong());
        }
        return offsets;
    }

    @Override
    public void readSnapshot(final SnapshotReader in)
    {
        watermarks.readSnapshot(in);
        lastOffsets.clear();
        final int count = in.readInt();
        for (int i = 0; i < count; i++)
        {
            lastOffsets.put(in.readLong(), in.readLong());
        }
    }

    /**
     * Asks the journaler thread to delete the journal segments wholly below a position (a snapshot covers them).
     */
    @Override
    public void retainFrom(final long position)
    {
        retainFrom = position;
    }

    /**
     * Deletes the journal below the position the last completed snapshot allows, if that is still to do: the journaler's
     * thread does it at its next batch or idle turn; at close, once the threads are stopped, the closing thread.
     */
    public void applyRetention()
    {
        final long from = retainFrom;
        if (from > 0)
        {
            retainFrom = -1;
            appender.deleteSegmentsBelow(from);
        }
    }

    private void stampEventTime(final Slot slot)
    {
        slot.eventTimeError = null;
        if (eventTime == null)
        {
            slot.eventTime = slot.timestamp;
            return;
        }
        try
        {
            slot.eventTime = eventTime.eventTime(slot.buffer, 0, slot.length);
        }
        catch (final RuntimeException ex)
        {
            slot.eventTime = Long.MIN_VALUE;
            slot.eventTimeError = ex;
            return;
        }
        if (maxEventTimeAheadMs > 0 && slot.journalTimeS != 0)
        {
            final long journaledMs = (JOURNAL_TIME_EPOCH_S + slot.journalTimeS) * 1000L;
            if (slot.eventTime - journaledMs > maxEventTimeAheadMs)
            {
                // judged against the journaled time, so that replay decides the same; kept out of the watermarks
                slot.eventTimeError = new EngineException("its event time " + Instant.ofEpochMilli(slot.eventTime) + " is " +
                    (slot.eventTime - journaledMs) / 1000 + " s ahead of the time it was journaled, " + Instant.ofEpochMilli(journaledMs) +
                    ": more than EngineContext.maxEventTimeAheadMs (" + maxEventTimeAheadMs + ")");
                slot.eventTime = Long.MIN_VALUE;
            }
        }
    }

    /**
     * End of a ring batch: force per the policy and publish the new durable position.
     */
    void endOfBatch()
    {
        appender.endOfBatch();
        applyRetention();
        journaledPosition = appender.position();
        publishDurable();
    }

    /**
     * Nothing to journal: an interval policy may still owe a force; once the engine is closing, force now
     * whatever the interval, so that the last outputs are released to the sinks before they close.
     */
    void onIdle()
    {
        applyRetention();   // a snapshot may have completed after the last batch
        if (durablePosition < appender.position())
        {
            if (control.isClosing())
            {
                appender.force();
                publishDurable();
            }
            else
            {
                endOfBatch();
            }
        }
    }

    private void publishDurable()
    {
        final long durable = appender.durablePosition();
        if (durable != durablePosition)
        {
            durablePosition = durable;
            counters.durablePosition.setRelease(durable);
            final long forces = appender.forceCount();
            if (forces != lastForces)
            {
                counters.journalForces.setRelease(forces);
                lastForces = forces;
            }
            if (egressDoorbell != null && (inline == null || !inline.inlineOwns()))
            {
                egressDoorbell.ring();   // while the compact thread delivers itself, waking the egress would only cost a core
            }
        }
    }

    /**
     * @return every record below this position is durable under the journal's policy. Any thread.
     */
    public long durablePosition()
    {
        return durablePosition;
    }

    /**
     * @return the end of what was journaled, as of the last end of a batch. Any thread (the appender itself is
     * for the journaler thread only).
     */
    public long journaledPosition()
    {
        return journaledPosition;
    }

    /**
     * @param inline the compact thread's delivery: while it owns the egress buffers, a durable batch does not wake the egress.
     */
    void inlineEgress(final InlineEgress inline)
    {
        this.inline = inline;
    }

    JournalAppender appender()
    {
        return appender;
    }
}
