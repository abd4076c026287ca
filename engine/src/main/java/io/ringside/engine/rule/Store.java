package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.KeyedStore;
import org.agrona.MutableDirectBuffer;

/**
 * The rule's own keyed state: a fixed number of bytes per key, off-heap (a {@link KeyedStore}), snapshotted with the
 * rule. {@link #get} hands out the key's entry (zeroed when new) to read and write in place until the rule's callback
 * returns; one key at a time.
 */
public final class Store extends Operator
{
    private final KeyedStore store;
    private MutableDirectBuffer entry;
    private long key;

    Store(final Rule rule, final String name, final long expectedKeys, final int bytes)
    {
        super(rule, name);
        this.store = new KeyedStore(name, expectedKeys, bytes);
    }

    /**
     * @return the key's entry, made (zeroed) if absent: valid until the callback returns or another key is asked for.
     */
    public MutableDirectBuffer get(final long key)
    {
        if (entry != null)
        {
            if (this.key == key)
            {
                return entry;
            }
            release();
        }
        entry = store.acquire(key);
        this.key = key;
        return entry;
    }

    /**
     * Forgets the key.
     */
    public void remove(final long key)
    {
        if (entry != null && this.key == key)
        {
            entry = null;
            store.removeAcquired();
        }
        else
        {
            store.remove(key);
        }
    }

    /**
     * @return keys held.
     */
    public long size()
    {
        return store.size();
    }

    @Override
    void release()
    {
        if (entry != null)
        {
            entry = null;
            store.release();
        }
    }

    @Override
    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        store.writeSnapshot(out);
    }

    @Override
    void readSnapshot(final SnapshotReader in)
    {
        store.readSnapshot(in);
    }

    @Override
    void free()
    {
        release();
        store.close();
    }
}
