package io.ringside.engine.state;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;

/**
 * The table side of a stream-table join: one row of {@code fields} int64s per key, off-heap in a {@link KeyedStore},
 * upserted and deleted (a tombstone removes the row) by the table's own events, and read by the stream's events of the
 * same key <em>as of arrival</em>: a read sees the last upsert or delete that reached the shard before it, whatever the
 * event times of the two (a table is not windowed; order in the journal decides, so replay reads the same rows).
 * <p>
 * Both sides of the join must be keyed the same way (co-partitioned: the table's key is the stream's), so that a key's
 * rows live in the shard that handles its events. Per call: one look-up, nothing allocated.
 * <pre>
 *   row: fields x int64, in the order the caller gave them
 * </pre>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class KeyedTable implements AutoCloseable
{
    /** Marks the snapshot layout (format 1). */
    static final long SNAPSHOT_FORMAT = 0x52494E474B540001L;

    private final String name;
    private final int fields;
    private final KeyedStore rows;

    /**
     * @param name         for diagnostics.
     * @param expectedKeys rows held at once (the store's hot tier; more spill to its cold tier, slower).
     * @param fields       int64 values per row, at least 1.
     */
    public KeyedTable(final String name, final long expectedKeys, final int fields)
    {
        if (fields < 1)
        {
            throw new IllegalArgumentException(name + ": a row has at least one field, not " + fields);
        }
        this.name = name;
        this.fields = fields;
        this.rows = new KeyedStore(name, expectedKeys, 8 * fields);
    }

    /**
     * Sets the key's row to {@code values[0, fields)}, replacing any earlier one.
     */
    public void upsert(final long key, final long[] values)
    {
        checkLength(values);
        final MutableDirectBuffer row = rows.acquire(key);
        try
        {
            for (int i = 0; i < fields; i++)
            {
                row.putLong(i * 8, values[i]);
            }
        }
        finally
        {
            rows.release();
        }
    }

    /**
     * A tombstone: removes the key's row.
     *
     * @return whether it had one.
     */
    public boolean delete(final long key)
    {
        if (rows.acquireIfPresent(key) == null)
        {
            return false;
        }
        rows.removeAcquired();
        return true;
    }

    /**
     * Reads the key's row, as the table holds it now, into {@code into[0, fields)}.
     *
     * @return false (and {@code into} untouched) if the key has no row.
     */
    public boolean get(final long key, final long[] into)
    {
        checkLength(into);
        final MutableDirectBuffer row = rows.acquireIfPresent(key);
        if (row == null)
        {
            return false;
        }
        for (int i = 0; i < fields; i++)
        {
            into[i] = row.getLong(i * 8);
        }
        rows.release();
        return true;
    }

    /**
     * A hint for a key about to be read or written (a few events ahead): starts loading its row. Changes nothing.
     *
     * @return what it read.
     */
    public long prefetch(final long key)
    {
        return rows.prefetch(key);
    }

    /**
     * @return rows held.
     */
    public long size()
    {
        return rows.size();
    }

    public int fields()
    {
        return fields;
    }

    /**
     * Writes every row. Shard thread.
     */
    public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeInt(fields);
        rows.writeSnapshot(out);
    }

    /**
     * Replaces every row with those of a snapshot written by {@link #writeSnapshot}.
     */
    public void readSnapshot(final SnapshotReader in)
    {
        final long format = in.readLong();
        if (format != SNAPSHOT_FORMAT)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's table is of format " + format + ", this version reads " +
                SNAPSHOT_FORMAT);
        }
        final int written = in.readInt();
        if (written != fields)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's rows have " + written + " fields, this table's " + fields);
        }
        rows.readSnapshot(in);
    }

    private void checkLength(final long[] values)
    {
        if (values.length < fields)
        {
            throw new IllegalArgumentException(name + ": a row has " + fields + " fields, the array " + values.length);
        }
    }

    @Override
    public void close()
    {
        rows.close();
    }
}
