package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;

/**
 * Session windows per key: a session spans {@code [first, last + gap)}; an event at {@code t} joins every open
 * session of its key that it falls into or bridges ({@code first - gap < t < last + gap}, strictly), merging them
 * into one; otherwise it starts a new session. A session closes when {@code last + gap} plus the allowed lateness
 * is at or below the watermark. All of a key's open sessions live in one {@link KeyedStore} entry of
 * {@code slots} sessions (one map access per event); closing goes through a timer index of session ends, re-armed
 * when a session grows.
 * <p>
 * Each session is a {@link Window} whose start is {@code first}; {@link #last(Window)} gives {@code last}.
 * <p>
 * An event that joins no open session, and whose own session {@code [t, t + gap)} would have closed already (its end
 * plus the allowed lateness at or below the watermark of a {@link #close}), is late: {@link #add} changes nothing,
 * counts it ({@link #lateEvents()}) and returns false, so that the caller reports it; it is never dropped silently.
 * An event that falls into an open session joins it, however old (as in Flink: the merged session decides).
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class SessionWindows implements AutoCloseable
{
    private static final int LAST_OFFSET = 0;
    private static final int WINDOW_OFFSET = 8;

    private final String name;
    private final long gapMs;
    private final long allowedLatenessMs;
    private final int slots;
    private final int slotLength;
    private final Aggregate[] aggregates;
    private final KeyedStore store;
    private final WindowTimers timers = new WindowTimers();
    private final Window session;
    private final Window other;
    private final WindowTimers.DueKey closeKey = this::closeKey;
    private long closedThrough = Long.MIN_VALUE;
    private long lateEvents;

    public SessionWindows(
        final String name, final long gapMs, final long allowedLatenessMs, final int slots, final long expectedKeys, final Aggregate... aggregates)
    {
        if (gapMs < 1 || allowedLatenessMs < 0 || slots < 1 || slots > 64)
        {
            throw new IllegalArgumentException(name + ": gap must be positive, lateness not negative and slots 1 to 64; were " +
                gapMs + ", " + allowedLatenessMs + ", " + slots);
        }
        this.name = name;
        this.gapMs = gapMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.slots = slots;
        this.aggregates = aggregates.clone();
        this.slotLength = WINDOW_OFFSET + Window.length(this.aggregates);
        this.store = new KeyedStore(name, expectedKeys, slotLength * slots);
        this.session = new Window(this.aggregates, 0);
        this.other = new Window(this.aggregates, 0);
    }

    /**
     * @return the session's last event time (its end is this plus the gap).
     */
    public static long last(final Window window)
    {
        return window.buffer().getLong(window.offset() - WINDOW_OFFSET + LAST_OFFSET);
    }

    /**
     * Adds an event to its key's sessions, merging those it bridges.
     *
     * @param values one value per aggregate, in order.
     * @return true if added; false if late (it joins no open session and its own would have closed: nothing changed).
     * @throws IllegalStateException if the key has more open sessions than slots.
     */
    public boolean add(final long key, final long eventTime, final long[] values)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        boolean remove = false;
        try
        {
            int target = -1;
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = slot * slotLength;
                session.wrap(entry, at + WINDOW_OFFSET);
                if (session.events() == 0)
                {
                    continue;
                }
                final long first = session.start();
                final long last = entry.getLong(at + LAST_OFFSET);
                if (first - gapMs < eventTime && eventTime < last + gapMs)
                {
                    if (target < 0)
                    {
                        target = slot;
                    }
                    else
                    {
                        merge(entry, target, slot);
                    }
                }
            }
            if (target < 0 && closedThrough >= Long.MIN_VALUE + gapMs && eventTime <= closedThrough - gapMs)
            {
                lateEvents++;
                // acquiring made an entry for a key with no open session: leave none behind
                remove = !hasSession(entry);
                return false;
            }
            if (target < 0)
            {
                target = freeSlot(entry, key);
                final int at = target * slotLength;
                entry.setMemory(at, slotLength, (byte)0);
                entry.putLong(at + WINDOW_OFFSET + Window.START_OFFSET, eventTime);
                entry.putLong(at + LAST_OFFSET, eventTime);
                timers.add(eventTime + gapMs, key);
            }
            final int at = target * slotLength;
            session.wrap(entry, at + WINDOW_OFFSET);
            if (eventTime < session.start())
            {
                entry.putLong(at + WINDOW_OFFSET + Window.START_OFFSET, eventTime);
            }
            if (eventTime > entry.getLong(at + LAST_OFFSET))
            {
                entry.putLong(at + LAST_OFFSET, eventTime);
            }
            session.add(values);
            return true;
        }
        finally
        {
            if (remove)
            {
                store.removeAcquired();
            }
            else
            {
                store.release();
            }
        }
    }

    private boolean hasSession(final MutableDirectBuffer entry)
    {
        for (int slot = 0; slot < slots; slot++)
        {
            if (entry.getLong(slot * slotLength + WINDOW_OFFSET + Window.EVENTS_OFFSET) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Merges session {@code from} into session {@code into} and frees {@code from}.
     */
    private void merge(final MutableDirectBuffer entry, final int into, final int from)
    {
        final int intoAt = into * slotLength;
        final int fromAt = from * slotLength;
        session.wrap(entry, intoAt + WINDOW_OFFSET);
        other.wrap(entry, fromAt + WINDOW_OFFSET);
        entry.putLong(intoAt + WINDOW_OFFSET + Window.START_OFFSET, Math.min(session.start(), other.start()));
        entry.putLong(intoAt + LAST_OFFSET, Math.max(entry.getLong(intoAt + LAST_OFFSET), entry.getLong(fromAt + LAST_OFFSET)));
        int offset = Window.AGGREGATES_OFFSET;
        for (final Aggregate aggregate : aggregates)
        {
            aggregate.merge(entry, intoAt + WINDOW_OFFSET + offset, entry, fromAt + WINDOW_OFFSET + offset, false);
            offset += aggregate.length();
        }
        entry.putLong(intoAt + WINDOW_OFFSET + Window.EVENTS_OFFSET, session.events() + other.events());
        entry.putLong(intoAt + WINDOW_OFFSET + Window.FLAGS_OFFSET, session.flags() | other.flags());
        entry.putLong(fromAt + WINDOW_OFFSET + Window.EVENTS_OFFSET, 0);
    }

    private int freeSlot(final MutableDirectBuffer entry, final long key)
    {
        for (int slot = 0; slot < slots; slot++)
        {
            if (entry.getLong(slot * slotLength + WINDOW_OFFSET + Window.EVENTS_OFFSET) == 0)
            {
                return slot;
            }
        }
        throw new IllegalStateException(name + ": key " + key + " has more open sessions than its " + slots + " slots: give more slots");
    }

    /**
     * Closes every session whose {@code last + gap} plus the allowed lateness is at or below {@code watermark}
     * ({@link Long#MAX_VALUE}: all).
     *
     * @return how many sessions closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        final long limit = WindowTimers.closeLimit(watermark, allowedLatenessMs);
        closedThrough = Math.max(closedThrough, limit);
        return timers.closeDue(limit, closeKey, listener);
    }

    private int closeKey(final long key, final long dueEnd, final long limit, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        int closed = 0;
        boolean remove = false;
        try
        {
            int open = 0;
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = slot * slotLength;
                session.wrap(entry, at + WINDOW_OFFSET);
                if (session.events() == 0)
                {
                    continue;
                }
                final long sessionEnd = entry.getLong(at + LAST_OFFSET) + gapMs;
                if (sessionEnd <= limit)
                {
                    listener.onClose(key, session);
                    entry.putLong(at + WINDOW_OFFSET + Window.EVENTS_OFFSET, 0);
                    closed++;
                }
                else
                {
                    // the session grew since its timer was set: wait for its real end
                    timers.add(sessionEnd, key);
                    open++;
                }
            }
            remove = open == 0;
        }
        finally
        {
            if (remove)
            {
                store.removeAcquired();
            }
            else
            {
                store.release();
            }
        }
        return closed;
    }

    /**
     * @return events refused so far as late.
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    /**
     * @return keys with at least one open session.
     */
    public long keys()
    {
        return store.size();
    }

    /**
     * Writes every key's windows and the close timers. Shard thread, no window held.
     */
    public void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        store.writeSnapshot(out);
        timers.writeSnapshot(out);
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        store.readSnapshot(in);
        timers.readSnapshot(in);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
