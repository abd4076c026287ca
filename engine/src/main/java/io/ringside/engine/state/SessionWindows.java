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
public final class SessionWindows extends OneKindWindows<KeyedWindows.Sessions>
{
    public SessionWindows(
        final String name, final long gapMs, final long allowedLatenessMs, final int slots, final long expectedKeys, final Aggregate... aggregates)
    {
        super(KeyedWindows.builder(name, allowedLatenessMs, expectedKeys), b -> b.sessions(gapMs, slots, NONE, aggregates));
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
            return section.add(eventTime, values);
        }
        finally
        {
            windows.release();
        }
    }
}
