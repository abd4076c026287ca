package io.ringside.engine.state;

import java.util.function.Function;

/**
 * What {@link TumblingWindows}, {@link HoppingWindows} and {@link SessionWindows} share: a {@link KeyedWindows} with
 * one section, closed with a listener per call, counted, snapshotted.
 *
 * @param <S> the section's kind.
 */
abstract class OneKindWindows<S extends KeyedWindows.Section> implements AutoCloseable
{
    static final WindowListener NONE = (key, window) -> { };

    final KeyedWindows windows;
    final S section;

    OneKindWindows(final KeyedWindows.Builder builder, final Function<KeyedWindows.Builder, S> declare)
    {
        this.section = declare.apply(builder);
        this.windows = builder.build();
    }

    /**
     * Closes every window whose end plus the allowed lateness is at or below {@code watermark} ({@link Long#MAX_VALUE}:
     * all of them), handing each to {@code listener}, one visit per key due.
     *
     * @return how many windows closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        section.listener(listener);
        return windows.close(watermark);
    }

    /**
     * @return keys with at least one open window.
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
        return section.lateEvents();
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
