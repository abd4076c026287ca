package io.ringside.engine.state;

import java.util.Arrays;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Hopping windows by stream slicing: each key's pane (the aggregate of one advance of event time) is written once,
 * when it closes, to the log of its pane start; a hopping window is then computed from the logs of the panes it spans,
 * sequentially, without visiting any key's entry. A key with events in one pane costs one visit (the pane's close)
 * instead of one per hopping window holding it (five, for 5-minute windows every minute).
 * <p>
 * Each log is partitioned by the key's hash into buckets, each a chain of chunks of records
 * ({@code [key (int64)][the pane as a Window]}). A window end is emitted bucket by bucket: the records of one bucket in
 * the window's logs (oldest pane first) are merged per key in a small table that fits in cache, and each key's window
 * goes to the listener in the order the key first appears. A bucket is the unit of a slice: emitting a minute's
 * windows for a million keys is a sequence of buckets of a few dozen keys, between events.
 * <p>
 * Memory: the records live in off-heap blocks, made up front for a chunk per bucket and log and added (never moved)
 * only past that peak; the logs and their bucket arrays are reused. Steady state allocates nothing.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
final class PaneLogs implements AutoCloseable
{
    private static final int RECORDS_PER_CHUNK = 4;
    /** Chunks per block of memory: blocks are added as the logs grow, never moved. */
    private static final int BLOCK_SHIFT = 12;
    private static final int BLOCK_CHUNKS = 1 << BLOCK_SHIFT;
    private static final int NONE = -1;

    private final long sizeMs;
    private final long advanceMs;
    private final Aggregate[] aggregates;
    private final int paneLength;
    private final int recordLength;
    private final int chunkBytes;
    private final int buckets;
    private final int bucketMask;
    private final Log[] logs;
    private final Log[] freedLogs;
    private int logCount;

    // chunks: records in blocks of memory, fill and next chain in arrays; free chunks chained through next
    private OffHeapRegion[] blocks = new OffHeapRegion[16];
    private UnsafeBuffer[] blockBuffers = new UnsafeBuffer[16];
    private int blockCount;
    private int[] chunkFill = new int[BLOCK_CHUNKS];
    private int[] chunkNext = new int[BLOCK_CHUNKS];
    private int chunkCapacity;
    private int chunks;
    private int freeChunk = NONE;

    // emitting: the window end in progress (Long.MIN_VALUE: none) and the next bucket of it
    private long emittedThrough = Long.MIN_VALUE;
    private long jobEnd = Long.MIN_VALUE;
    private int jobBucket;
    private int emittedWindows;

    // the merge table of one bucket (scratch: rebuilt per bucket, never state)
    private long[] tableKeys = new long[64];
    private int[] tableIndex = new int[128];
    private int tableMask = 127;
    private int tableSize;
    private UnsafeBuffer tableWindows;
    private final Window result;
    private final Window pane;

    PaneLogs(final long sizeMs, final long advanceMs, final Aggregate[] aggregates, final long expectedKeys)
    {
        this.sizeMs = sizeMs;
        this.advanceMs = advanceMs;
        this.aggregates = aggregates;
        this.paneLength = Window.length(aggregates);
        this.recordLength = 8 + paneLength;
        this.chunkBytes = RECORDS_PER_CHUNK * recordLength;
        // about four records of a key's pane per bucket and log: a bucket (the unit of a slice) is a few dozen records
        this.buckets = BitUtil.findNextPositivePowerOfTwo((int)Math.max(16, Math.min(1 << 18, expectedKeys / 16)));
        this.bucketMask = buckets - 1;
        this.logs = new Log[(int)(sizeMs / advanceMs) + 4];
        this.freedLogs = new Log[logs.length];
        Arrays.fill(tableIndex, NONE);
        this.tableWindows = new UnsafeBuffer(new byte[64 * paneLength]);
        this.result = new Window(aggregates, sizeMs);
        this.pane = new Window(aggregates, advanceMs);
        // every log with its first chunk per bucket, and as many again for buckets that overflow, made up front: the
        // logs of a steady state fit without growing on the shard's path
        for (int i = 0; i < logs.length; i++)
        {
            logs[i] = new Log(buckets, reserveChunks(buckets));
            Arrays.fill(chunkNext, logs[i].firstChunk, logs[i].firstChunk + buckets, NONE);
        }
        final long expectedChunks = Math.min(1L << 28, 3L * buckets * logs.length / 2);
        while (chunkCapacity < expectedChunks)
        {
            addBlock();
        }
    }

    /**
     * Writes a closed pane of {@code key}: the {@link Window} at {@code offset} of {@code entry}, starting at its start.
     */
    void append(final long key, final DirectBuffer entry, final int offset)
    {
        final long paneStart = entry.getLong(offset + Window.START_OFFSET);
        final Log log = logFor(paneStart);
        final int bucket = EntryTable.hash(key) & bucketMask;
        int chunk = log.tail[bucket];
        if (chunkFill[chunk] == RECORDS_PER_CHUNK)
        {
            final int grown = newChunk();
            chunkNext[chunk] = grown;
            log.tail[bucket] = grown;
            chunk = grown;
        }
        final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
        final int at = (chunk & (BLOCK_CHUNKS - 1)) * chunkBytes + chunkFill[chunk]++ * recordLength;
        records.putLong(at, key);
        records.putBytes(at + 8, entry, offset, paneLength);
        log.records++;
    }

    /**
     * @return whether windows ending at or below {@code limit} wait to be emitted.
     */
    boolean due(final long limit)
    {
        final long end = nextEnd();
        return end != Long.MAX_VALUE && end <= limit;
    }

    /**
     * Emits the windows ending at or below {@code limit}, bucket by bucket, until {@code budget} records have been merged
     * (at least one bucket); the next call goes on where this one stopped.
     *
     * @return records merged (the budget used).
     */
    int emit(final long limit, final WindowListener listener, final int budget)
    {
        emittedWindows = 0;
        int used = 0;
        while (used < budget)
        {
            if (jobEnd == Long.MIN_VALUE)
            {
                final long end = nextEnd();
                if (end == Long.MAX_VALUE || end > limit)
                {
                    break;
                }
                jobEnd = end;
                jobBucket = 0;
            }
            used += emitBucket(listener);
            if (++jobBucket == buckets)
            {
                finishJob();
            }
        }
        return used;
    }

    /**
     * @return windows emitted by the last {@link #emit} (for the operator's count).
     */
    int emittedWindows()
    {
        return emittedWindows;
    }

    private int emitBucket(final WindowListener listener)
    {
        final long start = jobEnd - sizeMs;
        tableClear();
        int merged = 0;
        for (int i = 0; i < logCount; i++)
        {
            final Log log = logs[i];   // kept in pane-start order
            if (log.paneStart < start || log.paneStart >= jobEnd)
            {
                continue;
            }
            for (int chunk = log.firstChunk + jobBucket; chunk != NONE; chunk = chunkNext[chunk])
            {
                final int fill = chunkFill[chunk];
                final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
                for (int r = 0; r < fill; r++)
                {
                    final int at = (chunk & (BLOCK_CHUNKS - 1)) * chunkBytes + r * recordLength;
                    merge(records, records.getLong(at), at + 8);
                    merged++;
                }
            }
        }
        for (int t = 0; t < tableSize; t++)
        {
            result.wrap(tableWindows, t * paneLength);
            tableWindows.putLong(t * paneLength + Window.START_OFFSET, start);
            listener.onClose(tableKeys[t], result);
            emittedWindows++;
        }
        // an empty bucket costs a look at each log's head: 64 of them count as one unit of the budget, counted by the
        // bucket's place in the job (which a snapshot keeps), so a restored run slices as the run that went on
        return merged > 0 ? merged : (jobBucket & 63) == 63 ? 1 : 0;
    }

    private void merge(final UnsafeBuffer records, final long key, final int recordAt)
    {
        int slot = (EntryTable.hash(key) >>> 16) & tableMask;
        while (true)
        {
            final int index = tableIndex[slot];
            if (index == NONE)
            {
                if (tableSize == tableKeys.length)
                {
                    growTable();
                    merge(records, key, recordAt);
                    return;
                }
                final int t = tableSize++;
                tableIndex[slot] = t;
                tableKeys[t] = key;
                tableWindows.putBytes(t * paneLength, records, recordAt, paneLength);
                Window.putEventsAndFlags(tableWindows, t * paneLength, pane.wrap(records, recordAt).events(), 0);
                return;
            }
            if (tableKeys[index] == key)
            {
                final int to = index * paneLength;
                pane.wrap(records, recordAt);
                Window.putEvents(tableWindows, to, Window.eventsAt(tableWindows, to) + pane.events());
                int aggregateAt = Window.AGGREGATES_OFFSET;
                for (final Aggregate aggregate : aggregates)
                {
                    aggregate.merge(tableWindows, to + aggregateAt, records, recordAt + aggregateAt, false);
                    aggregateAt += aggregate.length();
                }
                return;
            }
            slot = (slot + 1) & tableMask;
        }
    }

    private void tableClear()
    {
        if (tableSize > 0)
        {
            Arrays.fill(tableIndex, NONE);
            tableSize = 0;
        }
    }

    private void growTable()
    {
        final int capacity = tableKeys.length * 2;
        tableKeys = Arrays.copyOf(tableKeys, capacity);
        final UnsafeBuffer grown = new UnsafeBuffer(new byte[capacity * paneLength]);
        grown.putBytes(0, tableWindows, 0, tableWindows.capacity());
        tableWindows = grown;
        tableIndex = new int[capacity * 2];
        tableMask = capacity * 2 - 1;
        Arrays.fill(tableIndex, NONE);
        for (int t = 0; t < tableSize; t++)
        {
            int slot = (EntryTable.hash(tableKeys[t]) >>> 16) & tableMask;
            while (tableIndex[slot] != NONE)
            {
                slot = (slot + 1) & tableMask;
            }
            tableIndex[slot] = t;
        }
    }

    private void finishJob()
    {
        emittedThrough = jobEnd;
        jobEnd = Long.MIN_VALUE;
        jobBucket = 0;
        // a pane's last window ends at its start plus the size: its log is done with
        int kept = 0;
        int freed = 0;
        for (int i = 0; i < logCount; i++)
        {
            final Log log = logs[i];
            if (log.paneStart + sizeMs <= emittedThrough)
            {
                freeLog(log);
                freedLogs[freed++] = log;
            }
            else
            {
                logs[kept++] = log;
            }
        }
        System.arraycopy(freedLogs, 0, logs, kept, freed);   // kept for reuse
        logCount = kept;
    }

    /**
     * @return the next window end to emit ({@link Long#MAX_VALUE}: none): the first end above what was emitted whose
     * window holds a logged pane.
     */
    private long nextEnd()
    {
        if (jobEnd != Long.MIN_VALUE)
        {
            return jobEnd;
        }
        if (logCount == 0)
        {
            return Long.MAX_VALUE;
        }
        final long first = logs[0].paneStart + advanceMs;
        return emittedThrough != Long.MIN_VALUE && emittedThrough + advanceMs > first ? emittedThrough + advanceMs : first;
    }

    private Log logFor(final long paneStart)
    {
        for (int i = logCount - 1; i >= 0; i--)
        {
            if (logs[i].paneStart == paneStart)
            {
                return logs[i];
            }
            if (logs[i].paneStart < paneStart)
            {
                return insertLog(i + 1, paneStart);
            }
        }
        return insertLog(0, paneStart);
    }

    private Log insertLog(final int at, final long paneStart)
    {
        if (logCount == logs.length)
        {
            throw new IllegalStateException("more than " + logs.length + " panes of " + advanceMs + " ms are open or waiting for their " +
                "windows: an event far ahead of the watermark? (pane " + paneStart + ")");
        }
        final Log log = logs[logCount];   // every log is made with the operator
        System.arraycopy(logs, at, logs, at + 1, logCount - at);
        logs[at] = log;
        logCount++;
        log.paneStart = paneStart;
        log.records = 0;
        return log;
    }

    private void freeLog(final Log log)
    {
        for (int bucket = 0; bucket < buckets; bucket++)
        {
            final int first = log.firstChunk + bucket;
            int chunk = chunkNext[first];
            while (chunk != NONE)
            {
                final int next = chunkNext[chunk];
                chunkNext[chunk] = freeChunk;
                freeChunk = chunk;
                chunk = next;
            }
            chunkNext[first] = NONE;
            chunkFill[first] = 0;
            log.tail[bucket] = first;
        }
        log.records = 0;
    }

    /**
     * Takes {@code count} chunks with consecutive numbers, never used before: a log's first chunk of every bucket, so
     * that merging bucket after bucket reads each log's memory in order.
     *
     * @return the first.
     */
    private int reserveChunks(final int count)
    {
        while (chunkCapacity - chunks < count)
        {
            addBlock();
        }
        final int first = chunks;
        chunks += count;
        return first;
    }

    private int newChunk()
    {
        final int chunk;
        if (freeChunk != NONE)
        {
            chunk = freeChunk;
            freeChunk = chunkNext[chunk];
        }
        else
        {
            if (chunks == chunkCapacity)
            {
                addBlock();
            }
            chunk = chunks++;
        }
        chunkFill[chunk] = 0;
        chunkNext[chunk] = NONE;
        return chunk;
    }

    private void addBlock()
    {
        if (chunkCapacity + BLOCK_CHUNKS < 0)
        {
            throw new IllegalStateException("the closed panes in flight outgrow 2^31 chunks");
        }
        final OffHeapRegion block = new OffHeapRegion((long)BLOCK_CHUNKS * chunkBytes);
        if (blockCount == blocks.length)
        {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
            blockBuffers = Arrays.copyOf(blockBuffers, blockCount * 2);
        }
        blocks[blockCount] = block;
        blockBuffers[blockCount++] = new UnsafeBuffer(block.address(), (int)block.length());
        chunkCapacity += BLOCK_CHUNKS;
        if (chunkCapacity > chunkFill.length)
        {
            // the chunks' fill and next grow by half at a time, not a block at a time: a copy of millions of ints per
            // block added would be a stall on the shard's path
            final int grown = Math.max(chunkCapacity, chunkFill.length + chunkFill.length / 2);
            chunkFill = Arrays.copyOf(chunkFill, grown);
            chunkNext = Arrays.copyOf(chunkNext, grown);
        }
    }

    /**
     * Writes the logs (each bucket's records in order) and where emitting stands.
     */
    void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(emittedThrough);
        out.writeLong(jobEnd);
        out.writeInt(jobBucket);
        out.writeInt(buckets);
        out.writeInt(logCount);
        for (int i = 0; i < logCount; i++)
        {
            final Log log = logs[i];
            out.writeLong(log.paneStart);
            out.writeLong(log.records);
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                for (int chunk = log.firstChunk + bucket; chunk != NONE; chunk = chunkNext[chunk])
                {
                    final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
                    for (int r = 0; r < chunkFill[chunk]; r++)
                    {
                        final int at = (chunk & (BLOCK_CHUNKS - 1)) * chunkBytes + r * recordLength;
                        for (int word = 0; word < recordLength; word += 8)
                        {
                            out.writeLong(records.getLong(at + word));
                        }
                    }
                }
            }
        }
    }

    /**
     * Replaces the logs with those of {@link #writeSnapshot}, on a fresh instance built the same way.
     */
    void readSnapshot(final SnapshotReader in, final MutableDirectBuffer scratch)
    {
        if (logCount != 0)
        {
            throw new IllegalStateException("read pane logs into a fresh instance");
        }
        emittedThrough = in.readLong();
        jobEnd = in.readLong();
        jobBucket = in.readInt();
        final int savedBuckets = in.readInt();
        final int count = in.readInt();
        if (savedBuckets != buckets || count < 0 || count > logs.length || jobBucket < 0 || jobBucket >= buckets)
        {
            throw new SnapshotCorruptedException("the snapshot's hopping panes are in " + savedBuckets + " buckets and " + count +
                " logs; this operator has " + buckets + " and room for " + logs.length + " (built for other expected keys?)");
        }
        for (int i = 0; i < count; i++)
        {
            final long paneStart = in.readLong();
            final long recordCount = in.readLong();
            if (recordCount < 1 || recordCount * recordLength > in.remaining())
            {
                throw new SnapshotCorruptedException("the snapshot's pane log at " + paneStart + " says " + recordCount + " records but holds " +
                    in.remaining() + " bytes");
            }
            for (long r = 0; r < recordCount; r++)
            {
                final long key = in.readLong();
                for (int word = 0; word < paneLength; word += 8)
                {
                    scratch.putLong(word, in.readLong());
                }
                if (scratch.getLong(Window.START_OFFSET) != paneStart)
                {
                    throw new SnapshotCorruptedException("the snapshot's pane log at " + paneStart + " holds a pane of " +
                        scratch.getLong(Window.START_OFFSET));
                }
                append(key, scratch, 0);
            }
        }
    }

    /**
     * @return records waiting in the logs.
     */
    long records()
    {
        long records = 0;
        for (int i = 0; i < logCount; i++)
        {
            records += logs[i].records;
        }
        return records;
    }

    int paneLength()
    {
        return paneLength;
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

    /**
     * The closed panes of one pane start: bucket b's chain starts at chunk {@code firstChunk + b}, the log's own for its
     * life (reused by the next pane start it serves), so a merge walks each log's first chunks in order.
     */
    private static final class Log
    {
        final int firstChunk;
        final int[] tail;
        long paneStart;
        long records;

        Log(final int buckets, final int firstChunk)
        {
            this.firstChunk = firstChunk;
            tail = new int[buckets];
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                tail[bucket] = firstChunk + bucket;
            }
        }
    }
}
