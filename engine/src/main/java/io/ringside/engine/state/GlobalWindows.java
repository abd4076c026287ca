package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One global window per key: it takes every event of the key, whatever its time, and closes only when triggered:
 * at the end of input ({@link #close(long, WindowListener)} with {@link Long#MAX_VALUE}), when it reaches the
 * trigger count (if one is given), or when the embedder calls {@link #fire}. A closed key's next event opens its
 * next window. Event time plays no part: no timers, and nothing is ever late.
 * <p>
 * {@link Window#start()} is the number of the window's first event among all the key's events (0 for its first
 * window); {@link Window#end()} is {@link Long#MAX_VALUE}. The window lives in one {@link KeyedStore} entry per
 * key, so an event is one map access. To close every window at the end of input without scanning the map, the keys
 * that have an entry are also listed on the heap (8 bytes a key); a key's entry stays until the end of input.
 * <p>
 * Entry layout: {@code [events of the key so far, int64]} then the window, laid out as a {@link Window}.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's), but for {@link #query}, which any thread may call.
 */
public final class GlobalWindows implements ListenedWindows
{
    private static final int SEEN_OFFSET = 0;
    private static final int WINDOW_OFFSET = 8;

    private final long triggerCount;
    private final int windowLength;
    private final Aggregate[] aggregates;
    private final KeyedStore store;
    private final LongArrayList keys = new LongArrayList();
    private final Window window;
    private final ThreadLocal<UnsafeBuffer> queryBuffers;
    private final ThreadLocal<Window> queryWindows;

    /**
     * @param name         for diagnostics.
     * @param triggerCount a window closes once it holds this many events; 0 for no count trigger.
     * @param expectedKeys keys at once (sizes the map once).
     * @param aggregates   what each window computes; {@link #add} takes one value per aggregate, in this order.
     */
    public GlobalWindows(final String name, final long triggerCount, final long expectedKeys, final Aggregate... aggregates)
    {
        if (triggerCount < 0)
        {
            throw new IllegalArgumentException(name + ": the trigger count must be 0 (none) or positive, was " + triggerCount);
        }
        this.triggerCount = triggerCount;
        this.aggregates = aggregates.clone();
        this.windowLength = Window.length(this.aggregates);
        this.store = new KeyedStore(name, expectedKeys, WINDOW_OFFSET + windowLength);
        this.window = new Window(this.aggregates, Long.MAX_VALUE);
        this.queryBuffers = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[WINDOW_OFFSET + windowLength]));
        this.queryWindows = ThreadLocal.withInitial(() -> new Window(this.aggregates, Long.MAX_VALUE));
    }

    /**
     * Adds an event to its key's window; if that makes the window reach the trigger count, it closes and goes to
     * {@code listener} (during this call).
     *
     * @param values one value per aggregate, in order (the array is not kept).
     * @return 1 if the window closed, else 0.
     */
    public int add(final long key, final long[] values, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        try
        {
            final long seen = entry.getLong(SEEN_OFFSET);
            window.wrap(entry, WINDOW_OFFSET);
            if (window.events() == 0)
            {
                entry.setMemory(WINDOW_OFFSET, windowLength, (byte)0);
                entry.putLong(WINDOW_OFFSET + Window.START_OFFSET, seen);
            }
            window.add(values);
            if (seen == 0)
            {
                keys.addLong(key);
            }
            entry.putLong(SEEN_OFFSET, seen + 1);
            if (triggerCount > 0 && window.events() >= triggerCount)
            {
                return emit(key, entry, listener);
            }
            return 0;
        }
        finally
        {
            store.release();
        }
    }

    /**
     * Closes the key's window now, if it holds events: the embedder's trigger.
     *
     * @return true if a window closed.
     */
    public boolean fire(final long key, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        try
        {
            return emit(key, entry, listener) == 1;
        }
        finally
        {
            if (entry.getLong(SEEN_OFFSET) == 0)
            {
                // the key had no entry: acquiring made one
                store.removeAcquired();
            }
            else
            {
                store.release();
            }
        }
    }

    private int emit(final long key, final MutableDirectBuffer entry, final WindowListener listener)
    {
        window.wrap(entry, WINDOW_OFFSET);
        if (window.events() == 0)
        {
            return 0;
        }
        listener.onClose(key, window);
        Window.clear(entry, WINDOW_OFFSET);
        return 1;
    }

    /**
     * Only the end of input ({@link Long#MAX_VALUE}) closes global windows: every key's open window goes to
     * {@code listener}, and every entry is freed.
     *
     * @return how many windows closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        if (watermark != Long.MAX_VALUE)
        {
            return 0;
        }
        int closed = 0;
        for (int i = 0; i < keys.size(); i++)
        {
            final MutableDirectBuffer entry = store.acquire(keys.getLong(i));
            try
            {
                closed += emit(keys.getLong(i), entry, listener);
            }
            finally
            {
                store.removeAcquired();
            }
        }
        keys.clear();
        return closed;
    }

    /**
     * Reads a key's open window from any thread (a copy taken under the map's read lock).
     *
     * @param resultsOut receives each aggregate's result, in order.
     * @return the events in the key's open window, or 0 if it has none.
     */
    public long query(final long key, final long[] resultsOut)
    {
        final UnsafeBuffer copy = queryBuffers.get();
        if (!store.read(key, copy))
        {
            return 0;
        }
        final Window view = queryWindows.get().wrap(copy, WINDOW_OFFSET);
        if (view.events() == 0)
        {
            return 0;
        }
        for (int i = 0; i < aggregates.length; i++)
        {
            resultsOut[i] = view.result(i);
        }
        return view.events();
    }

    /**
     * @return the keys that have an entry (every key seen since the last end of input).
     */
    public long keys()
    {
        return store.size();
    }

    /**
     * Writes every key's window state and the key list (its order is the close order at the end of input).
     */
    public void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        store.writeSnapshot(out);
        KeyedStore.writeKeys(out, keys);
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        store.readSnapshot(in);
        KeyedStore.readKeys(in, keys);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
