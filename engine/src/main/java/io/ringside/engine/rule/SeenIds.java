package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Dedup;

/**
 * Remembers ids for a time to live of event time (a {@link Dedup}, forgotten bucket by
 * bucket as the watermark moves): {@link #add} answers whether an id is new. It judges no lateness: a late duplicate is
 * still a duplicate, so check it before the windows (which judge lateness).
 */
public final class SeenIds extends Operator
{
    private final Dedup ids;

    SeenIds(final Rule rule, final String name, final long ttlMs, final long bucketMs, final long expectedIdsPerBucket)
    {
        super(rule, name);
        this.ids = new Dedup(name, ttlMs, bucketMs, expectedIdsPerBucket);
    }

    /**
     * @return true if the id is new (now remembered), false if it was seen within the time to live: a duplicate.
     */
    public boolean add(final long id, final long eventTime)
    {
        return !ids.isDuplicate(id, eventTime);
    }

    /**
     * A hint for an id about to be checked (from {@link io.ringside.engine.ShardHandler#prefetch}).
     */
    public long prefetch(final long id, final long eventTime)
    {
        return ids.prefetch(id, eventTime);
    }

    @Override
    void close(final long watermark)
    {
        ids.expire(watermark);
    }

    @Override
    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        ids.writeSnapshot(out);
    }

    @Override
    void readSnapshot(final SnapshotReader in)
    {
        ids.readSnapshot(in);
    }

    @Override
    void free()
    {
        ids.close();
    }
}
