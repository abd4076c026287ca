package io.ringside.engine.state;

/**
 * Hopping (sliding) event-time windows per key: size S, advance A (S a multiple of A), aligned to the epoch,
 * computed from shared panes of width A, not from one copy per overlapping window: a {@link KeyedWindows} of one kind.
 * An event updates only its pane (one map access); a window's results are the merge of its S / A panes when it
 * closes (end plus the allowed lateness at or below the watermark). A window exists, and is handed to the
 * {@link WindowListener} once, if any of its panes holds an event. A key has one pending timer, so closing visits it
 * once per watermark step, emitting every window of the key then due. A pane is freed when the last window holding
 * it closes.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class HoppingWindows implements AutoCloseable
{
    private static final WindowListener NONE = (key, window) -> { };

    private final KeyedWindows windows;
    private final KeyedWindows.Hopping hopping;

    /**
     * @param slots panes per key at most: {@code size / advance + ceil((allowed lateness + max out-of-orderness) / advance) + 1}.
     */
    public HoppingWindows(
        final String name, final long sizeMs, final long advanceMs, final long allowedLatenessMs, final int slots, final long expectedKeys,
        final Aggregate... aggregates)
    {
        final KeyedWindows.Builder builder = KeyedWindows.builder(name, allowedLatenessMs, expectedKeys);
        this.hopping = builder.hopping(sizeMs, advanceMs, slots, NONE, aggregates);
        this.windows = builder.build();
    }

    /**
     * Adds an event to its pane.
     *
     * @param values one value per aggregate, in order.
     * @return false if a window holding it has closed already (a late event, counted in {@link #lateEvents()}: nothing changes).
     * @throws IllegalStateException    if the key has more open panes than slots.
     */
    public boolean add(final long key, final long eventTime, final long[] values)
    {
        windows.acquire(key);
        try
        {
            return hopping.add(eventTime, values);
        }
        finally
        {
            windows.release();
        }
    }

    /**
     * Closes every window whose end plus the allowed lateness is at or below {@code watermark} ({@link Long#MAX_VALUE}: all).
     *
     * @return how many windows closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        hopping.listener(listener);
        return windows.close(watermark);
    }

    /**
     * @return keys with at least one open pane.
     */
    public long keys()
    {
        return windows.keys();
    }

    /**
     * @return events refused because their window had closed (late): report them, none is dropped silently.
     */
    public long lateEvents()
    {
        return hopping.lateEvents();
    }

    /**
     * Writes every key's windows (see {@link KeyedWindows#writeSnapshot}). Shard thread, no window held.
     */
    public void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        windows.writeSnapshot(out);
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}, on a fresh instance.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        windows.readSnapshot(in);
    }

    @Override
    public void close()
    {
        windows.close();
    }
}
