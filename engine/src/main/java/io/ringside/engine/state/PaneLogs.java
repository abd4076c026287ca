package io.ringside.engine.state;

import java.util.Arrays;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Hopping windows by stream slicing: each key's pane (the aggregate of one advance of event time) is written once,
 * when it closes, to the log of its pane start; a hopping window is then computed from the logs of the panes it spans,
 * sequentially, without visiting any key's entry. A key with events in one pane costs one visit (the pane's close)
 * instead of one per hopping window holding it (five, for 5-minute windows every minute).
 * <p>
 * Keys are spread by their hash over {@code buckets} buckets (a few keys each), the unit of a slice: a window end is
 * emitted bucket by bucket, the records of one bucket in the window's logs (oldest pane first) merged per key in a small
 * table that fits in cache, each key's window going to the listener in the order the key first appears. So that neither
 * a pane's append nor a bucket's merge is a random access to memory:
 * <ul>
 *     <li>a log is cut into (at most 256) partitions, ranges of buckets; a record
 *     ({@code [key (int64)][the pane as a Window]}) is appended to its partition's chain of chunks, so the appends of a
 *     minute boundary write 256 sequential streams whose tails stay in the cache;</li>
 *     <li>the first time a window end reaches a partition of a log (the log is complete by then: its panes' ends are at
 *     or below the window's), the partition's records are put in bucket order by one counting sort (stable: a bucket's
 *     records keep their order), a unit of the budget of its own; the log's next windows find it sorted;</li>
 *     <li>a bucket's records are then the next ones of each log's partition, read in order.</li>
 * </ul>
 * <p>
 * Memory: the records live in off-heap blocks of chunks, made up front for about four records per bucket and log and
 * added (never moved) only past that peak; a sort's chunks replace the ones it read, which go back to the pool. Steady
 * state allocates nothing.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
final class PaneLogs implements AutoCloseable
{
    private static final int RECORDS_PER_CHUNK = 32;
    /** Chunks per block of memory: blocks are added as the logs grow, never moved. */
    private static final int BLOCK_SHIFT = 10;
    private static final int BLOCK_CHUNKS = 1 << BLOCK_SHIFT;
    private static final int MAX_PARTITION_BITS = 8;
    private static final int NONE = -1;

    private final long sizeMs;
    private final long advanceMs;
    private final Aggregate[] aggregates;
    private final int paneLength;
    private final int recordLength;
    private final int chunkBytes;
    private final int buckets;
    private final int bucketMask;
    /** A bucket's partition is its number shifted right by this; its place in the partition, the bits below. */
    private final int subBits;
    private final int subMask;
    private final int partitions;
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

    // sorting a partition (scratch, never state): records per bucket, then where each bucket's next record goes;
    // the chunks the sorted records go to
    private final int[] sortAt;
    private int[] sortChunks = new int[64];

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
        final int bucketBits = Integer.numberOfTrailingZeros(buckets);
        this.subBits = Math.max(0, bucketBits - MAX_PARTITION_BITS);
        this.subMask = (1 << subBits) - 1;
        this.partitions = buckets >>> subBits;
        this.sortAt = new int[(1 << subBits) + 1];
        this.logs = new Log[(int)(sizeMs / advanceMs) + 4];
        this.freedLogs = new Log[logs.length];
        Arrays.fill(tableIndex, NONE);
        this.tableWindows = new UnsafeBuffer(new byte[64 * paneLength]);
        this.result = new Window(aggregates, sizeMs);
        this.pane = new Window(aggregates, advanceMs);
        for (int i = 0; i < logs.length; i++)
        {
            logs[i] = new Log(partitions, buckets);
        }
        // about four records per bucket and log, and a chunk per partition and log, made up front: the logs of a
        // steady state fit without growing on the shard's path
        final long expectedChunks = Math.min(1L << 28, 4L * buckets * logs.length / RECORDS_PER_CHUNK + (long)partitions * logs.length);
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
        final int partition = partitionOf(key);
        if (log.sorted[partition])
        {
            throw new IllegalStateException("a pane of " + paneStart + " closed after its first window was emitted (key " + key + ")");
        }
        final int chunk = tailWithRoom(log, partition);
        final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
        final int at = recordAt(chunk, chunkFill[chunk]++);
        records.putLong(at, key);
        records.putBytes(at + 8, entry, offset, paneLength);
        log.count[partition]++;
        log.records++;
    }

    /**
     * @return the partition's tail chunk, a new one chained after it if it is full (or the first if it has none).
     */
    private int tailWithRoom(final Log log, final int partition)
    {
        final int chunk = log.tail[partition];
        if (chunk != NONE && chunkFill[chunk] < RECORDS_PER_CHUNK)
        {
            return chunk;
        }
        final int grown = newChunk();
        if (chunk == NONE)
        {
            log.head[partition] = grown;
        }
        else
        {
            chunkNext[chunk] = grown;
        }
        log.tail[partition] = grown;
        return grown;
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
        final int partition = jobBucket >>> subBits;
        final int sub = jobBucket & subMask;
        int sorted = 0;
        if (sub == 0)
        {
            // a partition's first bucket: each log's records of the partition in bucket order (once a log), read from the start
            for (int i = 0; i < logCount; i++)
            {
                final Log log = logs[i];
                if (log.paneStart >= start && log.paneStart < jobEnd)
                {
                    if (!log.sorted[partition])
                    {
                        sorted += sort(log, partition);
                    }
                    log.cursorChunk = log.head[partition];
                    log.cursorRecord = 0;
                }
            }
        }
        tableClear();
        int merged = 0;
        for (int i = 0; i < logCount; i++)
        {
            final Log log = logs[i];   // kept in pane-start order
            if (log.paneStart < start || log.paneStart >= jobEnd)
            {
                continue;
            }
            // the bucket's records are the log's next ones in the partition
            int chunk = log.cursorChunk;
            int r = log.cursorRecord;
            for (int left = subBits == 0 ? log.count[partition] : log.bucketRecords[jobBucket]; left > 0; left--)
            {
                if (r == chunkFill[chunk])
                {
                    chunk = chunkNext[chunk];
                    r = 0;
                }
                final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
                final int at = recordAt(chunk, r);
                merge(records, records.getLong(at), at + 8);
                merged++;
                r++;
            }
            log.cursorChunk = chunk;
            log.cursorRecord = r;
        }
        for (int t = 0; t < tableSize; t++)
        {
            result.wrap(tableWindows, t * paneLength);
            tableWindows.putLong(t * paneLength + Window.START_OFFSET, start);
            listener.onClose(tableKeys[t], result);
            emittedWindows++;
        }
        // an empty bucket costs a look at each log's cursor: 64 of them count as one unit of the budget, counted by the
        // bucket's place in the job (which a snapshot keeps), so a restored run slices as the run that went on
        return sorted + (merged > 0 ? merged : (jobBucket & 63) == 63 ? 1 : 0);
    }

    /**
     * Puts a log's records of one partition in bucket order: a counting sort into new chunks, stable, that replace
     * the partition's chain.
     *
     * @return records sorted (the budget used).
     */
    private int sort(final Log log, final int partition)
    {
        log.sorted[partition] = true;
        final int count = log.count[partition];
        if (subBits == 0)
        {
            return 1;   // one bucket a partition: in order as appended
        }
        Arrays.fill(sortAt, 0);
        for (int chunk = log.head[partition]; chunk != NONE; chunk = chunkNext[chunk])
        {
            final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
            final int base = recordAt(chunk, 0);
            for (int r = 0, fill = chunkFill[chunk]; r < fill; r++)
            {
                sortAt[(EntryTable.hash(records.getLong(base + r * recordLength)) & subMask) + 1]++;
            }
        }
        final int first = partition << subBits;
        for (int bucket = 1; bucket < sortAt.length; bucket++)
        {
            log.bucketRecords[first + bucket - 1] = sortAt[bucket];
            sortAt[bucket] += sortAt[bucket - 1];
        }
        if (count < 2)
        {
            return 1;   // no record or one: in order as appended (the buckets' counts set above)
        }
        final int sortedChunks = (count + RECORDS_PER_CHUNK - 1) / RECORDS_PER_CHUNK;
        if (sortedChunks > sortChunks.length)
        {
            sortChunks = new int[Math.max(sortedChunks, sortChunks.length * 2)];
        }
        for (int c = 0; c < sortedChunks; c++)
        {
            final int chunk = newChunk();
            sortChunks[c] = chunk;
            chunkFill[chunk] = c < sortedChunks - 1 ? RECORDS_PER_CHUNK : count - c * RECORDS_PER_CHUNK;
            if (c > 0)
            {
                chunkNext[sortChunks[c - 1]] = chunk;
            }
        }
        int chunk = log.head[partition];
        while (chunk != NONE)
        {
            final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
            final int base = recordAt(chunk, 0);
            for (int r = 0, fill = chunkFill[chunk]; r < fill; r++)
            {
                final int from = base + r * recordLength;
                final int index = sortAt[EntryTable.hash(records.getLong(from)) & subMask]++;
                final int to = sortChunks[index / RECORDS_PER_CHUNK];
                blockBuffers[to >>> BLOCK_SHIFT].putBytes(recordAt(to, index % RECORDS_PER_CHUNK), records, from, recordLength);
            }
            final int next = chunkNext[chunk];
            chunkNext[chunk] = freeChunk;
            freeChunk = chunk;
            chunk = next;
        }
        log.head[partition] = sortChunks[0];
        log.tail[partition] = sortChunks[sortedChunks - 1];
        return count;
    }

    /**
     * @return where a chunk's record starts in its block's buffer ({@code blockBuffers[chunk >>> BLOCK_SHIFT]}).
     */
    private int recordAt(final int chunk, final int record)
    {
        return (chunk & (BLOCK_CHUNKS - 1)) * chunkBytes + record * recordLength;
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
        for (int partition = 0; partition < partitions; partition++)
        {
            int chunk = log.head[partition];
            while (chunk != NONE)
            {
                final int next = chunkNext[chunk];
                chunkNext[chunk] = freeChunk;
                freeChunk = chunk;
                chunk = next;
            }
            log.head[partition] = NONE;
            log.tail[partition] = NONE;
            log.count[partition] = 0;
            log.sorted[partition] = false;
        }
        log.records = 0;
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
     * Writes the logs (each partition's records in their order, and whether they are sorted) and where emitting stands.
     */
    void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(emittedThrough);
        out.writeLong(jobEnd);
        out.writeInt(jobBucket);
        out.writeInt(buckets);
        out.writeInt(partitions);
        out.writeInt(logCount);
        for (int i = 0; i < logCount; i++)
        {
            final Log log = logs[i];
            out.writeLong(log.paneStart);
            out.writeLong(log.records);
            for (int partition = 0; partition < partitions; partition++)
            {
                out.writeBoolean(log.sorted[partition]);
                out.writeInt(log.count[partition]);
                for (int chunk = log.head[partition]; chunk != NONE; chunk = chunkNext[chunk])
                {
                    final UnsafeBuffer records = blockBuffers[chunk >>> BLOCK_SHIFT];
                    for (int r = 0; r < chunkFill[chunk]; r++)
                    {
                        out.writeBytes(records, recordAt(chunk, r), recordLength);
                    }
                }
            }
        }
    }

    /**
     * Replaces the logs with those of {@link #writeSnapshot}, on a fresh instance built the same way: the same records
     * in the same order, sorted where they were, and an emission under way goes on where it stopped. A partition's
     * records are copied a chunk at a time straight from the snapshot's bytes, then checked in place (their pane, their
     * partition, and bucket order where sorted: a sorted partition was written in it, so it is not sorted again).
     */
    void readSnapshot(final SnapshotReader in)
    {
        if (logCount != 0)
        {
            throw new IllegalStateException("read pane logs into a fresh instance");
        }
        emittedThrough = in.readLong();
        jobEnd = in.readLong();
        jobBucket = in.readInt();
        final int savedBuckets = in.readInt();
        final int savedPartitions = in.readInt();
        final int count = in.readInt();
        if (savedBuckets != buckets || savedPartitions != partitions || count < 0 || count > logs.length || jobBucket < 0 ||
            jobBucket >= buckets)
        {
            throw new SnapshotCorruptedException("the snapshot's hopping panes are in " + savedBuckets + " buckets, " + savedPartitions +
                " partitions and " + count + " logs; this operator has " + buckets + ", " + partitions + " and room for " + logs.length +
                " (built for other expected keys?)");
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
            final Log log = logFor(paneStart);
            for (int partition = 0; partition < partitions; partition++)
            {
                final boolean sorted = in.readBoolean();
                final int records = in.readInt();
                if (records < 0 || (long)records * recordLength > in.remaining())
                {
                    throw new SnapshotCorruptedException("the snapshot's pane log at " + paneStart + " says " + records + " records in partition " +
                        partition + " but holds " + in.remaining() + " bytes");
                }
                readPartition(in, log, partition, records, sorted && subBits != 0);
                log.sorted[partition] = sorted;
            }
            if (log.records != recordCount)
            {
                throw new SnapshotCorruptedException("the snapshot's pane log at " + paneStart + " says " + recordCount + " records, its " +
                    "partitions hold " + log.records);
            }
        }
        if (jobEnd != Long.MIN_VALUE && (jobBucket & subMask) != 0)
        {
            // in the middle of a partition: each log's cursor past the buckets already emitted
            final int partition = jobBucket >>> subBits;
            final int sub = jobBucket & subMask;
            for (int i = 0; i < logCount; i++)
            {
                final Log log = logs[i];
                if (log.paneStart < jobEnd - sizeMs || log.paneStart >= jobEnd)
                {
                    continue;
                }
                if (!log.sorted[partition])
                {
                    throw new SnapshotCorruptedException("the snapshot's pane log at " + log.paneStart + " is not sorted in partition " +
                        partition + ", which its window ending at " + jobEnd + " is emitting");
                }
                int chunk = log.head[partition];
                int r = 0;
                for (int bucket = partition << subBits; bucket < jobBucket; bucket++)
                {
                    r += log.bucketRecords[bucket];
                }
                while (r > RECORDS_PER_CHUNK)
                {
                    chunk = chunkNext[chunk];
                    r -= RECORDS_PER_CHUNK;
                }
                log.cursorChunk = chunk;
                log.cursorRecord = r;
            }
        }
    }

    /**
     * Appends a partition's records from a snapshot to its chain, a chunk's worth per copy, and checks them in place.
     *
     * @param ordered whether they must be in bucket order.
     */
    private void readPartition(final SnapshotReader in, final Log log, final int partition, final int records, final boolean ordered)
    {
        int left = records;
        int lastSub = 0;
        final int firstBucket = partition << subBits;
        if (ordered)
        {
            Arrays.fill(log.bucketRecords, firstBucket, firstBucket + subMask + 1, 0);   // counted again as the records are checked
        }
        while (left > 0)
        {
            final int chunk = tailWithRoom(log, partition);
            final int n = Math.min(left, RECORDS_PER_CHUNK - chunkFill[chunk]);
            final UnsafeBuffer buffer = blockBuffers[chunk >>> BLOCK_SHIFT];
            final int first = recordAt(chunk, chunkFill[chunk]);
            in.readBytes(buffer, first, n * recordLength);
            for (int at = first, end = first + n * recordLength; at < end; at += recordLength)
            {
                final long key = buffer.getLong(at);
                final int hash = EntryTable.hash(key);
                final int sub = hash & subMask;
                if (buffer.getLong(at + 8 + Window.START_OFFSET) != log.paneStart || ((hash & bucketMask) >>> subBits) != partition ||
                    (ordered && sub < lastSub))
                {
                    throw new SnapshotCorruptedException("the snapshot's pane log at " + log.paneStart + ", partition " + partition +
                        ", holds a pane of " + buffer.getLong(at + 8 + Window.START_OFFSET) + " of key " + key +
                        (ordered && sub < lastSub ? " out of bucket order" : ""));
                }
                lastSub = sub;
                if (ordered)
                {
                    log.bucketRecords[firstBucket + sub]++;
                }
            }
            chunkFill[chunk] += n;
            left -= n;
        }
        log.count[partition] += records;
        log.records += records;
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

    int buckets()
    {
        return buckets;
    }

    int partitions()
    {
        return partitions;
    }

    int partitionOf(final long key)
    {
        return (EntryTable.hash(key) & bucketMask) >>> subBits;
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
     * The closed panes of one pane start, in partitions: each a chain of chunks, in the order appended until sorted;
     * and where the window being emitted reads next in the current partition.
     */
    private static final class Log
    {
        final int[] head;
        final int[] tail;
        final int[] count;
        final boolean[] sorted;
        /** Once its partition is sorted, each bucket's records (when a partition holds several buckets). */
        final int[] bucketRecords;
        long paneStart;
        long records;
        int cursorChunk = NONE;
        int cursorRecord;

        Log(final int partitions, final int buckets)
        {
            bucketRecords = new int[partitions == buckets ? 0 : buckets];
            head = new int[partitions];
            tail = new int[partitions];
            count = new int[partitions];
            sorted = new boolean[partitions];
            Arrays.fill(head, NONE);
            Arrays.fill(tail, NONE);
        }
    }
}
