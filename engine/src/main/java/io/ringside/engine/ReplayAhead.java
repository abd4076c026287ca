package io.ringside.engine;

import io.ringside.engine.runtime.HintBatches;
import io.ringside.engine.runtime.ShardRunner;
import io.ringside.engine.runtime.Slot;
import io.ringside.engine.state.Prefetch;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The journal's records for a replay, read a few ahead of the one being replayed, so that replay hints the shards in
 * batches as the ring's consumer does live ({@link HintBatches}), the state classes' loads collected and issued back to
 * back on a {@link io.ringside.engine.state.PrefetchingThread}. Each record read ahead is copied into a
 * slot of its own (a record's bytes live in a segment's mapping, which the reader may leave). A failure to read a record
 * (a corrupt one) is kept and thrown when replay reaches it, so that everything before it is replayed, as without the
 * read-ahead. One thread.
 */
final class ReplayAhead implements HintBatches.Ahead
{
    private static final int BATCH = HintBatches.BATCH;
    private static final int SLOTS = 4 * BATCH;

    private final JournalReader reader;
    private final long end;
    private final ShardRunner[] shards;
    private final Slot[] slots = new Slot[SLOTS];
    private final UnsafeBuffer[] bytes = new UnsafeBuffer[SLOTS];
    private final Prefetch loads = Prefetch.ofCurrentThread();
    private long read;
    private long taken;
    private boolean exhausted;
    private RuntimeException failure;
    /** What the batched hints' loads read: kept, so that they are not optimised away. */
    private long prefetched;

    ReplayAhead(final JournalReader reader, final long end, final ShardRunner[] shards)
    {
        this.reader = reader;
        this.end = end;
        this.shards = shards;
        for (int i = 0; i < SLOTS; i++)
        {
            slots[i] = new Slot(new UnsafeBuffer(new byte[0]), 0, 0);
            bytes[i] = new UnsafeBuffer(new byte[256]);
        }
    }

    /**
     * @return the next record's slot (valid until the {@value #SLOTS}th call after), or null after the last record below
     * the end.
     * @throws RuntimeException what reading that record threw.
     */
    Slot next()
    {
        while (!exhausted && read - taken < 3 * BATCH)
        {
            readOne();
        }
        if (taken == read)
        {
            if (failure != null)
            {
                throw failure;
            }
            return null;
        }
        if (taken % BATCH == 0)
        {
            prefetched += HintBatches.run(this, loads, taken, read - 1);
        }
        return slots[(int)(taken++ % SLOTS)];
    }

    private void readOne()
    {
        final JournalRecord record;
        try
        {
            record = reader.next();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            exhausted = true;
            return;
        }
        if (record == null || record.position() >= end)
        {
            exhausted = true;
            return;
        }
        final int at = (int)(read % SLOTS);
        final Slot slot = slots[at];
        Engine.fill(slot, record, shards.length);
        UnsafeBuffer own = bytes[at];
        if (own.capacity() < slot.length)
        {
            own = new UnsafeBuffer(new byte[Math.max(slot.length, own.capacity() * 2)]);
            bytes[at] = own;
        }
        own.putBytes(0, slot.buffer, 0, slot.length);
        slot.buffer.wrap(own, 0, slot.length);
        read++;
    }

    @Override
    public Slot slotAt(final long sequence)
    {
        return slots[(int)(sequence % SLOTS)];
    }

    @Override
    public void hint(final Slot slot, final boolean early)
    {
        if (slot.type == SlotType.DATA)
        {
            shards[slot.shard].hint(slot, early);
        }
    }
}
