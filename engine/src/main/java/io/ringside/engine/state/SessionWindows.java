package io.ringside.engine.state;

/**
 * Session windows per key: a session spans {@code [first, last + gap)}; an event at {@code t} joins every open
 * session of its key that it falls into or bridges ({@code first - gap < t < last + gap}, strictly), merging them
 * into one; otherwise it starts a new session. A session closes when {@code last + gap} plus the allowed lateness
 * is at or below the watermark. A {@link KeyedWindows} of one kind: all of a key's open sessions live in one entry of
 * {@code slots} sessions (one map access per event); the key's one pending timer is its earliest session end, re-armed
 * at the real end when a session has grown.
 * <p>
 * Each session is a {@link Window} whose start is {@code first}; {@link #last(Window)} gives {@code last}. The
 * caller filters late events first.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class SessionWindows implements AutoCloseable
{
    private static final WindowListener NONE = (key, window) -> { };

    private final KeyedWindows windows;
    private final KeyedWindows.Sessions sessions;

    public SessionWindows(
        final String name, final long gapMs, final long allowedLatenessMs, final int slots, final long expectedKeys, final Aggregate... aggregates)
    {
        final KeyedWindows.Builder builder = KeyedWindows.builder(name, allowedLatenessMs, expectedKeys);
        this.sessions = builder.sessions(gapMs, slots, NONE, aggregates);
        this.windows = builder.build();
    }

    /**
     * @return the session's last event time (its end is this plus the gap).
     */
    public static long last(final Window window)
    {
        return KeyedWindows.Sessions.last(window);
    }

    /**
     * Adds an event to its key's sessions, merging those it bridges.
     *
     * @param values one value per aggregate, in order.
     * @throws IllegalStateException if the key has more open sessions than slots.
     */
    public boolean add(final long key, final long eventTime, final long[] values)
    {
        windows.acquire(key);
        try
        {
            return sessions.add(eventTime, values);
        }
        finally
        {
            windows.release();
        }
    }

    /**
     * Closes every session whose {@code last + gap} plus the allowed lateness is at or below {@code watermark}
     * ({@link Long#MAX_VALUE}: all).
     *
     * @return how many sessions closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        sessions.listener(listener);
        return windows.close(watermark);
    }

    /**
     * @return keys with at least one open session.
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
        return sessions.lateEvents();
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
