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
public final class HoppingWindows extends OneKindWindows<KeyedWindows.Hopping>
{

    /**
     * @param slots panes per key at most: {@code size / advance + ceil((allowed lateness + max out-of-orderness) / advance) + 1}.
     */
    public HoppingWindows(
        final String name, final long sizeMs, final long advanceMs, final long allowedLatenessMs, final int slots, final long expectedKeys,
        final Aggregate... aggregates)
    {
        super(KeyedWindows.builder(name, allowedLatenessMs, expectedKeys), b -> b.hopping(sizeMs, advanceMs, slots, NONE, aggregates));
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
            return section.add(eventTime, values);
        }
        finally
        {
            windows.release();
        }
    }
}
