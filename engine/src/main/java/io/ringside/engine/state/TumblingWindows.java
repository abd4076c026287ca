package io.ringside.engine.state;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Tumbling event-time windows per key, aligned to the epoch ({@code start = t - floorMod(t, size)}), with any
 * {@link Aggregate}s: a {@link KeyedWindows} of one kind. All of a key's open windows live in one fixed-size entry of
 * {@code slots} windows, so an event costs one map access: {@link #add} acquires the entry, updates the window in place
 * and hands it back for the caller's rules (which may read its results and set its flags), and {@link #release()}
 * lets it go. {@link #close} closes every window whose end plus the allowed lateness is at or below the watermark,
 * visiting each due key once (one pending timer per key), and hands each to a {@link WindowListener}.
 * <p>
 * An event whose window has closed is refused and counted ({@link #lateEvents()}): the caller emits it as late. A key needs
 * {@code 1 + ceil((allowed lateness + max out-of-orderness) / size)} slots at most; the entry is removed when
 * its last window closes. To keep several window kinds of a key in one entry, use {@link KeyedWindows} directly.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's), but for {@link #query}, which any thread may call.
 */
public final class TumblingWindows extends OneKindWindows<KeyedWindows.Tumbling>
{
    private final int aggregateCount;
    private final ThreadLocal<UnsafeBuffer> queryBuffers;
    private final ThreadLocal<Window> queryWindows;
    private boolean acquired;

    /**
     * @param name              for diagnostics.
     * @param sizeMs            the window size.
     * @param allowedLatenessMs how long after its end a window stays open for late-but-allowed events.
     * @param slots             open windows per key at most.
     * @param expectedKeys      keys with open windows at once (sizes the map once).
     * @param aggregates        what each window computes; {@link #add} takes one value per aggregate, in this order.
     */
    public TumblingWindows(
        final String name, final long sizeMs, final long allowedLatenessMs, final int slots, final long expectedKeys, final Aggregate... aggregates)
    {
        super(KeyedWindows.builder(name, allowedLatenessMs, expectedKeys), b -> b.tumbling(sizeMs, slots, NONE, aggregates));
        this.aggregateCount = aggregates.length;
        final int length = windows.entryLength();
        this.queryBuffers = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[length]));
        this.queryWindows = ThreadLocal.withInitial(section::newView);
    }

    /**
     * @return the start of the window that holds {@code eventTime}.
     */
    public long windowStart(final long eventTime)
    {
        return section.windowStart(eventTime);
    }

    /**
     * Adds an event to the key's window that holds {@code eventTime}, opening the window if need be. The key's
     * entry stays acquired until {@link #release()}: read the returned window, set its flags, then release.
     *
     * @param values one value per aggregate, in the order the aggregates were given (the array is not kept).
     * @return the window, updated; null if it has closed already (a late event: counted in {@link #lateEvents()}, nothing
     * is changed and nothing stays acquired).
     * @throws IllegalStateException    if the key has more open windows than slots.
     */
    public Window add(final long key, final long eventTime, final long[] values)
    {
        windows.acquire(key);
        acquired = true;
        try
        {
            final Window window = section.add(eventTime, values);
            if (window == null)
            {
                release();
            }
            return window;
        }
        catch (final RuntimeException ex)
        {
            release();
            throw ex;
        }
    }

    /**
     * Lets go of the entry acquired by {@link #add}.
     */
    public void release()
    {
        if (acquired)
        {
            acquired = false;
            windows.release();
        }
    }

    /**
     * Reads a key's open window from any thread (a copy taken under the map's read lock).
     *
     * @param resultsOut receives each aggregate's result, in order.
     * @return the window's event count, or 0 if the key has no open window at that start.
     */
    public long query(final long key, final long windowStart, final long[] resultsOut)
    {
        final UnsafeBuffer copy = queryBuffers.get();
        if (!windows.read(key, copy))
        {
            return 0;
        }
        final Window view = section.find(copy, windowStart, queryWindows.get());
        if (view == null)
        {
            return 0;
        }
        for (int i = 0; i < aggregateCount; i++)
        {
            resultsOut[i] = view.result(i);
        }
        return view.events();
    }

    @Override
    public void close()
    {
        release();
        super.close();
    }
}
