package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Count windows per key: a window holds {@code size} consecutive events of its key, in arrival order, and a new
 * window starts every {@code slide} events of the key ({@code slide == size}: tumbling; a smaller slide, with
 * {@code size} a multiple of it: sliding). Window {@code k} of a key holds the key's events number
 * {@code k * slide} to {@code k * slide + size - 1} (counting from 0), so {@link Window#start()} is the number of
 * its first event and {@link Window#end()} is start plus size. Event time plays no part: a window closes, and goes
 * to the {@link WindowListener}, inside the {@link #add} of its last event; no timers, and nothing is ever late.
 * <p>
 * Sliding windows are computed from panes of {@code slide} events (one copy of each event's values, not one per
 * window): an event updates only its pane, a closing window is the merge of its {@code size / slide} panes. All of
 * a key's panes and its event count live in one {@link KeyedStore} entry, so an event is one map access.
 * <p>
 * At the end of input ({@link #close(long, WindowListener)} with {@link Long#MAX_VALUE}) every window that holds
 * events but is not full closes too, earliest first: its {@link Window#events()} is then below the size. To find
 * them without scanning the map, the keys that have an entry are also listed on the heap (8 bytes a key).
 * <p>
 * Entry layout: {@code [events of the key so far, int64]} then {@code size / slide} panes, each laid out as a
 * {@link Window} (its first event's number, events, flags, aggregate states); pane {@code p} is in slot
 * {@code p % (size / slide)}.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's), but for {@link #query}, which any thread may call.
 */
public final class CountWindows implements ListenedWindows
{
    private static final int SEEN_OFFSET = 0;
    private static final int PANES_OFFSET = 8;

    private final long size;
    private final long slide;
    private final int panes;
    private final int paneLength;
    private final Aggregate[] aggregates;
    private final KeyedStore store;
    private final LongArrayList keys = new LongArrayList();
    private final Window pane;
    private final Window result;
    private final UnsafeBuffer resultBuffer;
    private final ThreadLocal<UnsafeBuffer> queryBuffers;
    private final ThreadLocal<Window> queryPanes;
    private final ThreadLocal<UnsafeBuffer> queryMerged;
    private final ThreadLocal<Window> queryResults;

    /**
     * @param name         for diagnostics.
     * @param size         events per window.
     * @param slide        events between the starts of consecutive windows: {@code size} for tumbling windows; else
     *                     {@code size} must be a multiple of it, with at most 256 panes per window.
     * @param expectedKeys keys at once (sizes the map once; count windows keep a key's entry until the end of input).
     * @param aggregates   what each window computes; {@link #add} takes one value per aggregate, in this order.
     */
    public CountWindows(final String name, final long size, final long slide, final long expectedKeys, final Aggregate... aggregates)
    {
        if (slide < 1 || size < slide || size % slide != 0 || size / slide > 256)
        {
            throw new IllegalArgumentException(name + ": the size must be a positive multiple of the slide, at most 256 slides; were " +
                size + " and " + slide);
        }
        this.size = size;
        this.slide = slide;
        this.panes = (int)(size / slide);
        this.aggregates = aggregates.clone();
        this.paneLength = Window.length(this.aggregates);
        this.store = new KeyedStore(name, expectedKeys, PANES_OFFSET + panes * paneLength);
        this.pane = new Window(this.aggregates, slide);
        this.result = new Window(this.aggregates, size);
        this.resultBuffer = new UnsafeBuffer(new byte[paneLength]);
        this.queryBuffers = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[PANES_OFFSET + panes * paneLength]));
        this.queryPanes = ThreadLocal.withInitial(() -> new Window(this.aggregates, slide));
        this.queryMerged = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[paneLength]));
        this.queryResults = ThreadLocal.withInitial(() -> new Window(this.aggregates, size));
    }

    /**
     * Adds the key's next event; if it is the last event of a window, that window closes and goes to {@code listener}
     * (during this call, while the key's entry is held).
     *
     * @param values one value per aggregate, in order (the array is not kept).
     * @return 1 if a window closed, else 0.
     */
    public int add(final long key, final long[] values, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        try
        {
            final long seen = entry.getLong(SEEN_OFFSET);
            final int at = PANES_OFFSET + (int)((seen / slide) % panes) * paneLength;
            pane.wrap(entry, at);
            if (seen % slide == 0)
            {
                entry.setMemory(at, paneLength, (byte)0);
                entry.putLong(at + Window.START_OFFSET, seen);
            }
            pane.add(values);
            if (seen == 0)
            {
                keys.addLong(key);
            }
            final long now = seen + 1;
            entry.putLong(SEEN_OFFSET, now);
            if (now % slide == 0 && now >= size)
            {
                emit(key, entry, now - size, now, listener);
                return 1;
            }
            return 0;
        }
        finally
        {
            store.release();
        }
    }

    /**
     * Merges the panes holding events {@code start} to {@code seen - 1} into one window and hands it over.
     */
    private void emit(final long key, final MutableDirectBuffer entry, final long start, final long seen, final WindowListener listener)
    {
        resultBuffer.setMemory(0, paneLength, (byte)0);
        result.wrap(resultBuffer, 0);
        long events = 0;
        long flags = 0;
        for (long first = start; first < seen; first += slide)
        {
            final int at = PANES_OFFSET + (int)((first / slide) % panes) * paneLength;
            pane.wrap(entry, at);
            int offset = Window.AGGREGATES_OFFSET;
            for (final Aggregate aggregate : aggregates)
            {
                aggregate.merge(resultBuffer, offset, entry, at + offset, events == 0);
                offset += aggregate.length();
            }
            flags |= pane.flags();
            events += pane.events();
        }
        resultBuffer.putLong(Window.START_OFFSET, start);
        Window.putEventsAndFlags(resultBuffer, 0, events, flags);
        listener.onClose(key, result);
    }

    /**
     * Count windows ignore event time; only the end of input ({@link Long#MAX_VALUE}) closes them: every window that
     * holds events and is not full goes to {@code listener} (earliest first per key), and every entry is freed.
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
            final long key = keys.getLong(i);
            final MutableDirectBuffer entry = store.acquire(key);
            try
            {
                final long seen = entry.getLong(SEEN_OFFSET);
                if (seen == 0)
                {
                    continue;
                }
                // open windows: starts a multiple of the slide, at or below the last event, not yet full
                final long lastStart = (seen - 1) - (seen - 1) % slide;
                for (long start = Math.max(0, lastStart - (panes - 1) * slide); start <= lastStart; start += slide)
                {
                    if (start + size > seen)
                    {
                        emit(key, entry, start, seen, listener);
                        closed++;
                    }
                }
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
     * @param windowStart the number of the window's first event (a multiple of the slide).
     * @param resultsOut  receives each aggregate's result, in order.
     * @return the events in the window so far, or 0 if the key has no such open window.
     */
    public long query(final long key, final long windowStart, final long[] resultsOut)
    {
        final UnsafeBuffer copy = queryBuffers.get();
        if (windowStart < 0 || windowStart % slide != 0 || !store.read(key, copy))
        {
            return 0;
        }
        final long seen = copy.getLong(SEEN_OFFSET);
        if (windowStart >= seen || windowStart + size <= seen)
        {
            return 0;
        }
        final Window view = queryPanes.get();
        final UnsafeBuffer merged = queryMerged.get();
        merged.setMemory(0, paneLength, (byte)0);
        long events = 0;
        for (long first = windowStart; first < seen; first += slide)
        {
            final int at = PANES_OFFSET + (int)((first / slide) % panes) * paneLength;
            view.wrap(copy, at);
            int offset = Window.AGGREGATES_OFFSET;
            for (final Aggregate aggregate : aggregates)
            {
                aggregate.merge(merged, offset, copy, at + offset, events == 0);
                offset += aggregate.length();
            }
            events += view.events();
        }
        final Window total = queryResults.get().wrap(merged, 0);
        for (int i = 0; i < aggregates.length; i++)
        {
            resultsOut[i] = total.result(i);
        }
        return events;
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
