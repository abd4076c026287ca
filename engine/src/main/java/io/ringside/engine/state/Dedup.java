package io.ringside.engine.state;

import java.util.ArrayDeque;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Drops re-sent events: remembers each event's id for a TTL of event time. Ids are filed under the time bucket
 * of their event time (a re-sent event carries the same bytes, so the same time), so a check is one insert into
 * one bucket, and ids expire in bulk: a bucket is cleared whole once every id in it is older than the watermark
 * minus the TTL, never by scanning ids. Each bucket is an {@link OffHeapLongSet}: a primitive open-addressing set in
 * one off-heap buffer, so a check is a hash and a probe or two, and a clear is one pass of zeroes over the buffer
 * (milliseconds, where clearing a Chronicle Map of 600,000 ids stalled the shard for about a second). Cleared
 * buckets are kept for reuse, so steady state allocates nothing.
 * <p>
 * An id is remembered at least while its event time is above {@code watermark - ttl}; an event already older
 * than that when it arrives is not remembered (a duplicate of it can no longer be told apart).
 * <p>
 * <b>Thread safety:</b> one thread, the shard's.
 */
public final class Dedup implements AutoCloseable
{
    /** First of the fields: a JVM without the flags gets a refusal that names them, before any other field is made. */
    private final boolean flagsChecked = io.ringside.engine.JvmFlags.requireForState("Dedup (off-heap id sets)");
    /** Starts a snapshot: version 2 writes each bucket's slots as they lie (version 1, without this word, its ids one by one). */
    static final long SNAPSHOT_FORMAT = 0x52494E4744440002L;
    private final String name;
    private final long ttlMs;
    private final long bucketMs;
    private final long expectedIdsPerBucket;
    private final Long2ObjectHashMap<OffHeapLongSet> buckets = new Long2ObjectHashMap<>();
    private final ArrayDeque<OffHeapLongSet> spare = new ArrayDeque<>();
    private long watermark = Long.MIN_VALUE;

    /**
     * @param name                 for diagnostics.
     * @param ttlMs                how long ids are remembered, in event time.
     * @param bucketMs             the width of a time bucket; ids expire up to one bucket later than the TTL.
     * @param expectedIdsPerBucket how many ids one bucket holds at most (the maps are sized once).
     */
    public Dedup(final String name, final long ttlMs, final long bucketMs, final long expectedIdsPerBucket)
    {
        if (ttlMs < 1 || bucketMs < 1 || bucketMs > ttlMs || expectedIdsPerBucket < 1)
        {
            throw new IllegalArgumentException(name + ": TTL and bucket width must be positive with bucket <= TTL, and the bucket size at least 1; were " +
                ttlMs + ", " + bucketMs + ", " + expectedIdsPerBucket);
        }
        this.name = name;
        this.ttlMs = ttlMs;
        this.bucketMs = bucketMs;
        this.expectedIdsPerBucket = expectedIdsPerBucket;
        // the buckets a TTL spans, made now: allocating and zeroing one (16 MiB at the standard size) when its first id
        // comes stalled the shard tens of milliseconds once a minute of event time
        for (long i = 0, n = Math.min(64, ttlMs / bucketMs + 2); i < n; i++)
        {
            spare.add(newBucket());
        }
    }

    /**
     * @return true if the id was seen before and is still remembered (a duplicate); otherwise remembers it and returns false.
     */
    public boolean isDuplicate(final long id, final long eventTime)
    {
        if (watermark != Long.MIN_VALUE && eventTime <= watermark - ttlMs)
        {
            return false;
        }
        final long bucket = Math.floorDiv(eventTime, bucketMs);
        OffHeapLongSet store = buckets.get(bucket);
        if (store == null)
        {
            store = spare.isEmpty() ? newBucket() : spare.poll();
            buckets.put(bucket, store);
        }
        return !store.add(id);
    }

    /**
     * A hint for an id about to be checked (a few events ahead): starts loading its slot. Changes nothing.
     *
     * @return what it read.
     */
    public long prefetch(final long id, final long eventTime)
    {
        final OffHeapLongSet store = buckets.get(Math.floorDiv(eventTime, bucketMs));
        return store == null ? 0 : store.touch(id);
    }

    private OffHeapLongSet newBucket()
    {
        return new OffHeapLongSet(expectedIdsPerBucket);
    }

    /**
     * The watermark moved: clears the buckets whose every id is at or below {@code watermark - ttl}.
     */
    public void expire(final long watermark)
    {
        this.watermark = Math.max(this.watermark, watermark);
        if (buckets.isEmpty() || this.watermark == Long.MIN_VALUE)
        {
            return;
        }
        final long horizon = this.watermark == Long.MAX_VALUE ? Long.MAX_VALUE : this.watermark - ttlMs;
        // bucket b holds event times in [b * bucketMs, (b + 1) * bucketMs): all forgettable once (b + 1) * bucketMs - 1 <= horizon;
        // there are few buckets (about ttl / bucket), so finding the oldest is a short walk over their numbers
        while (!buckets.isEmpty())
        {
            long oldest = Long.MAX_VALUE;
            for (final Long2ObjectHashMap<OffHeapLongSet>.KeyIterator keys = buckets.keySet().iterator(); keys.hasNext(); )
            {
                oldest = Math.min(oldest, keys.nextLong());
            }
            if (endOf(oldest) > horizon)
            {
                break;
            }
            final OffHeapLongSet store = buckets.remove(oldest);
            store.clear();
            spare.add(store);
        }
    }

    private long endOf(final long bucket)
    {
        final long start = bucket * bucketMs;
        return start > Long.MAX_VALUE - bucketMs ? Long.MAX_VALUE : start + bucketMs - 1;
    }

    /**
     * @return buckets holding ids now.
     */
    public int liveBuckets()
    {
        return buckets.size();
    }

    /**
     * @return ids remembered now.
     */
    public long size()
    {
        long size = 0;
        for (final OffHeapLongSet store : buckets.values())
        {
            size += store.size();
        }
        return size;
    }

    /**
     * Writes the watermark and every live bucket (number and slots), oldest first.
     */
    public void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeLong(ttlMs);
        out.writeLong(bucketMs);
        out.writeLong(watermark);
        final long[] numbers = new long[buckets.size()];
        int n = 0;
        for (final Long2ObjectHashMap<OffHeapLongSet>.KeyIterator keys = buckets.keySet().iterator(); keys.hasNext(); )
        {
            numbers[n++] = keys.nextLong();
        }
        java.util.Arrays.sort(numbers);
        out.writeInt(n);
        for (final long number : numbers)
        {
            out.writeLong(number);
            buckets.get(number).writeSnapshot(out);
        }
    }

    /**
     * Replaces the remembered ids with those of a snapshot written by {@link #writeSnapshot}.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        final long format = in.readLong();
        if (format != SNAPSHOT_FORMAT)
        {
            throw new io.ringside.engine.SnapshotCorruptedException(name + ": the snapshot's ids are not of format " +
                Long.toHexString(SNAPSHOT_FORMAT) + " (written by another version, an older one lists them one by one: move the " +
                "snapshots aside to replay the journal)");
        }
        final long ttl = in.readLong();
        final long bucket = in.readLong();
        if (ttl != ttlMs || bucket != bucketMs)
        {
            throw new io.ringside.engine.SnapshotCorruptedException(name + ": the snapshot was taken with TTL " + ttl + " ms and buckets of " +
                bucket + " ms; this dedup has " + ttlMs + " and " + bucketMs);
        }
        watermark = in.readLong();
        for (final OffHeapLongSet store : buckets.values())
        {
            store.clear();
            spare.add(store);
        }
        buckets.clear();
        final int count = in.readInt();
        for (int i = 0; i < count; i++)
        {
            final long number = in.readLong();
            final OffHeapLongSet store = spare.isEmpty() ? newBucket() : spare.poll();
            buckets.put(number, store);
            store.readSnapshot(in);
        }
    }

    @Override
    public String toString()
    {
        return "Dedup[" + name + ", " + buckets.size() + " buckets]";
    }

    @Override
    public void close()
    {
        for (final OffHeapLongSet store : buckets.values())
        {
            store.close();
        }
        for (final OffHeapLongSet store : spare)
        {
            store.close();
        }
        buckets.clear();
        spare.clear();
    }
}
