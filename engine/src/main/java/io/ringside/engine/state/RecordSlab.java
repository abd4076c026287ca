package io.ringside.engine.state;

import java.util.Arrays;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.UnsafeApi;

/**
 * Fixed-size records of int64 words off-heap, each named by a record number that stays its own until it is freed (so
 * records can link to each other by number: lists per key). Blocks of {@value #BLOCK_RECORDS} records are made up front
 * for the expected count and added (never moved) past it; freed numbers are handed out again, last freed first. Which
 * numbers come next is state too, written with the snapshot, so numbers held elsewhere (timer registrations) mean the
 * same after a restore.
 * <p>
 * <b>Thread safety:</b> one thread (the owner's).
 */
final class RecordSlab implements AutoCloseable
{
    static final int BLOCK_SHIFT = 12;
    static final int BLOCK_RECORDS = 1 << BLOCK_SHIFT;
    private static final int BLOCK_MASK = BLOCK_RECORDS - 1;

    private final int words;
    private final long recordLength;
    private OffHeapRegion[] blocks = new OffHeapRegion[16];
    private long[] blockAddresses = new long[16];
    private int blockCount;
    private int[] free = new int[1024];
    private int freeCount;
    private int fresh;
    private int live;

    /**
     * @param words    int64 words per record.
     * @param expected records held at once, made up front.
     */
    RecordSlab(final int words, final long expected)
    {
        if (words < 1 || expected < 0)
        {
            throw new IllegalArgumentException("a record of " + words + " words, " + expected + " expected");
        }
        this.words = words;
        this.recordLength = 8L * words;
        while ((long)blockCount * BLOCK_RECORDS < Math.min(expected, 1L << 30))
        {
            addBlock();
        }
    }

    private void addBlock()
    {
        if (blockCount == blocks.length)
        {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
            blockAddresses = Arrays.copyOf(blockAddresses, blockCount * 2);
        }
        final OffHeapRegion block = new OffHeapRegion(BLOCK_RECORDS * recordLength);
        blocks[blockCount] = block;
        blockAddresses[blockCount] = block.address();
        blockCount++;
    }

    /**
     * @return a record's number; its words are zero.
     */
    int allocate()
    {
        final int record;
        if (freeCount > 0)
        {
            record = free[--freeCount];
        }
        else
        {
            if (fresh == Integer.MAX_VALUE)
            {
                throw new IllegalStateException("a record slab of 2^31 records is full");
            }
            if (fresh >> BLOCK_SHIFT >= blockCount)
            {
                addBlock();
            }
            record = fresh++;
        }
        UnsafeApi.setMemory(address(record), recordLength, (byte)0);
        live++;
        return record;
    }

    void release(final int record)
    {
        if (freeCount == free.length)
        {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = record;
        live--;
    }

    long get(final int record, final int word)
    {
        return UnsafeApi.getLong(address(record) + 8L * word);
    }

    void put(final int record, final int word, final long value)
    {
        UnsafeApi.putLong(address(record) + 8L * word, value);
    }

    private long address(final int record)
    {
        return blockAddresses[record >>> BLOCK_SHIFT] + (record & BLOCK_MASK) * recordLength;
    }

    /**
     * @return records in use.
     */
    int live()
    {
        return live;
    }

    /**
     * Writes the numbers handed out, the free list in order and every record handed out (freed ones too: their words are
     * not read back as state, but writing them whole keeps the format one copy).
     */
    void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeInt(words);
        out.writeInt(fresh);
        out.writeInt(freeCount);
        for (int i = 0; i < freeCount; i++)
        {
            out.writeInt(free[i]);
        }
        for (int record = 0; record < fresh; record++)
        {
            for (int w = 0; w < words; w++)
            {
                out.writeLong(get(record, w));
            }
        }
    }

    /**
     * Replaces every record with those of {@link #writeSnapshot}.
     */
    void readSnapshot(final SnapshotReader in)
    {
        final int written = in.readInt();
        final int handedOut = in.readInt();
        final int freed = in.readInt();
        if (written != words || handedOut < 0 || freed < 0 || freed > handedOut ||
            freed * 4L + (long)handedOut * recordLength > in.remaining())
        {
            throw new SnapshotCorruptedException("the snapshot's records are " + written + " words, " + handedOut + " handed out, " + freed +
                " free, in " + in.remaining() + " bytes; this slab's are " + words + " words");
        }
        if (free.length < freed)
        {
            free = new int[freed];
        }
        for (int i = 0; i < freed; i++)
        {
            free[i] = in.readInt();
        }
        freeCount = freed;
        while ((long)blockCount * BLOCK_RECORDS < handedOut)
        {
            addBlock();
        }
        fresh = handedOut;
        for (int record = 0; record < handedOut; record++)
        {
            for (int w = 0; w < words; w++)
            {
                put(record, w, in.readLong());
            }
        }
        live = handedOut - freed;
    }

    @Override
    public void close()
    {
        for (int i = 0; i < blockCount; i++)
        {
            blocks[i].free();
        }
        blockCount = 0;
    }
}
