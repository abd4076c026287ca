package io.ringside.engine;

import io.ringside.journal.JournalAppender;
import org.agrona.MutableDirectBuffer;

/**
 * Appends every slot to the journal and stamps its journal position, then at the end of each ring batch
 * applies the durability policy and publishes the durable position (what the egress may release).
 * Journaler thread only (compact: the one consumer thread), apart from {@link #durablePosition()}.
 */
final class Journaler
{
    private final JournalAppender appender;
    private final EngineCounters counters;
    private final Doorbell egressDoorbell;
    private final EngineControl control;
    private final WatermarkTracker watermarks;
    private final EventTimeExtractor eventTime;
    private volatile long durablePosition;
    private volatile long journaledPosition;
    private long lastForces;

    Journaler(final JournalAppender appender, final EngineCounters counters, final Doorbell egressDoorbell, final EngineControl control,
        final WatermarkTracker watermarks, final EventTimeExtractor eventTime)
    {
        this.watermarks = watermarks;
        this.eventTime = eventTime;
        this.appender = appender;
        this.counters = counters;
        this.egressDoorbell = egressDoorbell;
        this.control = control;
        this.durablePosition = appender.durablePosition();
        this.journaledPosition = appender.position();
    }

    void onEvent(final Slot slot)
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
            default:
                break;
        }
        final long before = appender.position();
        final long position = appender.claim(
            slot.type, 0, slot.sourceId, slot.partition, slot.sourceOffset, slot.timestamp, EventRecordDescriptor.EVENT_OFFSET + slot.length);
        final MutableDirectBuffer buffer = appender.buffer();
        final int offset = appender.payloadOffset();
        buffer.putLong(offset + EventRecordDescriptor.KEY_OFFSET, slot.key);
        buffer.putBytes(offset + EventRecordDescriptor.EVENT_OFFSET, slot.buffer, 0, slot.length);
        appender.commit();
        slot.journalPosition = position;
        counters.watermark.setRelease(slot.watermark);
        counters.journaled.incrementRelease();
        counters.journalBytes.getAndAddRelease(appender.position() - before);
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
        }
    }

    /**
     * End of a ring batch: force per the policy and publish the new durable position.
     */
    void endOfBatch()
    {
        appender.endOfBatch();
        journaledPosition = appender.position();
        publishDurable();
    }

    /**
     * Nothing to journal: an interval policy may still owe a force; once the engine is closing, force now
     * whatever the interval, so that the last outputs are released to the sinks before they close.
     */
    void onIdle()
    {
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
            if (egressDoorbell != null)
            {
                egressDoorbell.ring();
            }
        }
    }

    /**
     * @return every record below this position is durable under the journal's policy. Any thread.
     */
    long durablePosition()
    {
        return durablePosition;
    }

    /**
     * @return the end of what was journaled, as of the last end of a batch. Any thread (the appender itself is
     * for the journaler thread only).
     */
    long journaledPosition()
    {
        return journaledPosition;
    }

    JournalAppender appender()
    {
        return appender;
    }
}
