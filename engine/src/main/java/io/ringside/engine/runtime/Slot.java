package io.ringside.engine.runtime;

import io.ringside.engine.Event;
import io.ringside.engine.EventTimeExtractor;
import io.ringside.engine.SlotType;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One preallocated ring entry: metadata fields and a flyweight over a fixed-capacity slice of one
 * direct buffer shared by the ring. Nothing is allocated per event.
 * <pre>
 *  field            written by          meaning
 *  type             publisher           {@link SlotType}
 *  key, shard       publisher           the event's key and the shard it hashes to (computed once)
 *  sourceId         publisher           who published it
 *  partition        publisher           the source's partition
 *  sourceOffset     publisher           offset in that partition (resume point after a crash)
 *  timestamp        publisher           caller-given time (event time), journaled
 *  ingressNanoTime  publisher           System.nanoTime() at publish: for latency only, never journaled
 *  length           publisher           bytes in {@link #buffer()} from 0
 *  journalPosition  journaler           position of the event's journal record
 *  eventTime        journaler           from the {@link EventTimeExtractor}, else the timestamp
 *  sourceWatermark  journaler           the event's source's watermark before it (judges lateness)
 *  watermark        journaler           the global watermark after it (closes windows)
 *  eventTimeError   journaler           why the extractor failed, or null (rare: allocates)
 * </pre>
 * Thread model: written by the one thread that claimed its sequence, then by the journaler, then read by
 * its shard; the ring's sequences order those hand-offs.
 */
public final class Slot implements Event
{
    public int type;
    public long key;
    public int shard;
    public int sourceId;
    public int partition;
    public long sourceOffset;
    public long timestamp;
    public long ingressNanoTime;
    public int length;
    public long journalPosition;
    public long eventTime;
    public long sourceWatermark;
    public long watermark;
    public Throwable eventTimeError;
    /**
     * Processing time at which the journaler journaled the slot, in seconds since {@link Journaler#JOURNAL_TIME_EPOCH_S}
     * (kept in the record's user field, so replay reads what live wrote); 0: unknown (a journal written before it was kept).
     */
    public int journalTimeS;
    /** Set by the journaler on the slot after which every shard writes a snapshot; null otherwise. */
    SnapshotTaker.Pending snapshot;
    public final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    public Slot(final UnsafeBuffer slab, final int index, final int capacity)
    {
        buffer.wrap(slab, index * capacity, capacity);
    }

    public MutableDirectBuffer mutableBuffer()
    {
        return buffer;
    }

    @Override
    public int type()
    {
        return type;
    }

    @Override
    public long key()
    {
        return key;
    }

    @Override
    public int sourceId()
    {
        return sourceId;
    }

    @Override
    public int partition()
    {
        return partition;
    }

    @Override
    public long sourceOffset()
    {
        return sourceOffset;
    }

    @Override
    public long timestamp()
    {
        return timestamp;
    }

    @Override
    public long journalPosition()
    {
        return journalPosition;
    }

    @Override
    public long eventTime()
    {
        return eventTime;
    }

    @Override
    public long sourceWatermark()
    {
        return sourceWatermark;
    }

    @Override
    public long watermark()
    {
        return watermark;
    }

    @Override
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int offset()
    {
        return 0;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public String toString()
    {
        return "Slot{type=" + SlotType.name(type) + ", key=" + key + ", shard=" + shard + ", source=" + sourceId +
            ", partition=" + partition + ", offset=" + sourceOffset + ", position=" + journalPosition + ", length=" + length + '}';
    }
}
