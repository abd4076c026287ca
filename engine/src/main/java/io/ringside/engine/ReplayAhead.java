package io.ringside.engine;

import io.ringside.engine.runtime.ShardRunner;
import io.ringside.engine.runtime.Slot;
import io.ringside.engine.state.Prefetch;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The journal's records for a replay, read a few ahead of the one being replayed, so that replay hints the shards as
 * the ring's consumer does live ({@code RingConsumerAgent}): at every {@value #BATCH}th record, the early stage for the
 * records two batches ahead, then the second stage for those one batch ahead, the state classes' loads collected and
 * issued back to back on a {@link io.ringside.engine.state.PrefetchingThread}. Each record read ahead is copied into a
 * slot of its own (a record's bytes live in a segment's mapping, which the reader may leave). A failure to read a record
 * (a corrupt one) is kept and thrown when replay reaches it, so that everything before it is replayed, as without the
 * read-ahead. One thread.
 */
final class ReplayAhead
{
    static final int BATCH = 8;
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
            hint();
        }
        return slots[(int)(taken++ % SLOTS)];
    }

    /**
     * @return what the hints' collected loads read (kept so that they are not optimised away).
     */
    long prefetched()
    {
        return prefetched;
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

    private void hint()
    {
        final Prefetch loads = this.loads;
        long sum = 0;
        if (loads != null)
        {
            loads.begin();
        }
        for (long s = taken + 2 * BATCH; s < taken + 3 * BATCH && s < read; s++)
        {
            hint(slots[(int)(s % SLOTS)], true);
        }
        if (loads != null)
        {
            sum += loads.end();
            loads.begin();
        }
        for (long s = taken + BATCH; s < taken + 2 * BATCH && s < read; s++)
        {
            hint(slots[(int)(s % SLOTS)], false);
        }
        if (loads != null)
        {
            sum += loads.end();
        }
        prefetched += sum;
    }

    private void hint(final Slot slot, final boolean early)
    {
        if (slot.type == SlotType.DATA)
        {
            if (early)
            {
                shards[slot.shard].prefetchEarly(slot);
            }
            else
            {
                shards[slot.shard].prefetch(slot);
            }
        }
    }
}
