package io.ringside.engine.runtime;

import io.ringside.engine.EventPublisher;
import io.ringside.engine.EventRecordDescriptor;
import io.ringside.engine.SlotType;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replay's read-ahead: the journal's records up to {@value RingConsumerAgent#EARLY_DISTANCE} ahead of the one the shards
 * handle, each in a slot of its own, with the shards given the same two-stage hint as the ring's consumers give live
 * ({@link ShardRunner#prefetchEarly} when a record is read, {@link ShardRunner#prefetch}
 * {@value RingConsumerAgent#PREFETCH_DISTANCE} records before it is handled). Without it a replayed event's state loads
 * one after another, where live they overlap. The records are handed over in journal order, each exactly once, set as
 * the ring's slot was when the record was journaled; the hints change no state, so replay's outputs are unchanged.
 * <p>
 * A record's event is copied into its slot's own off-heap bytes (a segment the reader has gone past may be unmapped).
 * Nothing is allocated per record once every slot has held the largest event.
 * <p>
 * <b>Thread safety:</b> one thread.
 */
public final class ReplayAhead
{
    private static final int SLOTS = 16;
    private static final int MASK = SLOTS - 1;
    private static final int INITIAL_CAPACITY = 256;

    private final JournalReader reader;
    private final long end;
    private final ShardRunner[] shards;
    private final int onlyShard;
    private final Slot[] slots = new Slot[SLOTS];
    private final UnsafeBuffer[] bytes = new UnsafeBuffer[SLOTS];
    private long read;
    private long handed;
    private boolean exhausted;

    /**
     * @param end       records at or after this journal position are not replayed (the first one ends the replay).
     * @param onlyShard the one shard whose events are hinted (a replay thread per shard), or -1 for every shard.
     */
    public ReplayAhead(final JournalReader reader, final long end, final ShardRunner[] shards, final int onlyShard)
    {
        this.reader = reader;
        this.end = end;
        this.shards = shards;
        this.onlyShard = onlyShard;
        for (int i = 0; i < SLOTS; i++)
        {
            slots[i] = new Slot(new UnsafeBuffer(0, 0), 0, 0);
            bytes[i] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(INITIAL_CAPACITY, 64));
        }
    }

    /**
     * @return the next record's slot, valid until the next call; null when the journal (or the replay) ends.
     */
    public Slot next()
    {
        while (!exhausted && read - handed <= RingConsumerAgent.EARLY_DISTANCE)
        {
            final JournalRecord record = reader.next();
            if (record == null || record.position() >= end)
            {
                exhausted = true;
                break;
            }
            final int at = (int)(read++ & MASK);
            copy(slots[at], record, at);
            if (hinted(slots[at]))
            {
                shards[slots[at].shard].prefetchEarly(slots[at]);
            }
        }
        if (handed == read)
        {
            return null;
        }
        final long near = handed + RingConsumerAgent.PREFETCH_DISTANCE;
        if (near < read && hinted(slots[(int)(near & MASK)]))
        {
            final Slot slot = slots[(int)(near & MASK)];
            shards[slot.shard].prefetch(slot);
        }
        return slots[(int)(handed++ & MASK)];
    }

    private boolean hinted(final Slot slot)
    {
        return slot.type == SlotType.DATA && (onlyShard < 0 || slot.shard == onlyShard);
    }

    private void copy(final Slot slot, final JournalRecord record, final int at)
    {
        fillHeader(slot, record, shards.length);
        final int length = slot.length;
        UnsafeBuffer own = bytes[at];
        if (own.capacity() < length)
        {
            own = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.findNextPositivePowerOfTwo(length), 64));
            bytes[at] = own;
        }
        own.putBytes(0, record.buffer(), record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET, length);
        slot.buffer.wrap(own.addressOffset(), length);
    }

    /**
     * Sets a slot's fields (all but its bytes) from a journal record, as the ring's slot was when the record was journaled.
     */
    static void fillHeader(final Slot slot, final JournalRecord record, final int shardCount)
    {
        slot.type = record.type();
        slot.sourceId = record.sourceId();
        slot.partition = record.partition();
        slot.sourceOffset = record.sourceOffset();
        slot.timestamp = record.timestamp();
        slot.journalPosition = record.position();
        slot.ingressNanoTime = 0;
        final int payload = record.payloadOffset();
        slot.key = record.buffer().getLong(payload + EventRecordDescriptor.KEY_OFFSET);
        slot.length = record.payloadLength() - EventRecordDescriptor.EVENT_OFFSET;
        slot.shard = shardCount == 1 ? 0 : EventPublisher.shardOf(slot.key, shardCount);
        slot.journalTimeS = record.userField();
    }

    /**
     * Sets a slot from a journal record in place: its bytes are the record's, valid while the reader stays on it.
     */
    public static void fill(final Slot slot, final JournalRecord record, final int shardCount)
    {
        fillHeader(slot, record, shardCount);
        slot.buffer.wrap(record.buffer(), record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET, slot.length);
    }
}
