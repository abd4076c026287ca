package io.ringside.engine.state;

import java.io.IOException;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sliding windows per key in Kafka Streams' sense: a window per event, {@code [t - size, t]} (both ends inclusive) for
 * an event at {@code t}, holding every event of the key whose time lies in it: the "last 10 minutes" figure as of each
 * event. Events of a key at the same time share their window. A window closes, and goes to the {@link WindowListener}
 * with the key's events in it, once the watermark reaches its end plus the allowed lateness
 * ({@code end <= watermark - lateness}), so an event that arrives out of order but not late still counts in every
 * window it falls in. Windows close in the order of their ends, then of their keys, whatever order the events came in
 * ({@link DeadlineQueue}); the end of input ({@link Long#MAX_VALUE}) closes every open window.
 * <p>
 * Unlike Kafka Streams, no "right window" (the one that starts just after an event, made when a later event comes) is
 * made: a window ends at an event's time. {@link Window#start()} is the end minus the size; {@link Window#end()} is the
 * event's time, inclusive. Flags are not kept: a window is computed as it is read.
 * <p>
 * State: the key's recent events themselves, at most {@code eventsPerKey} of them, in time order, in one
 * {@link KeyedStore} entry; a window is computed when it closes (or is read, {@link #current}) from the events it
 * holds, so any {@link Aggregate} works and an event is stored once, not once per window. An event is kept while a
 * window that may still close needs it: while it is above the earliest open window's end, or the close limit, minus the
 * size. So a key needs room for its events within {@code size + allowed lateness + the watermark's lag} behind its
 * newest; an event that finds no room is refused with an {@link IllegalStateException} naming the key (give more
 * events per key). A key's entry goes once its last window has closed and its newest event is older than the close
 * limit minus the size (a timer at that time, rounded up to a 64th of the size at most so that keys share timers), so
 * idle keys cost nothing. A key has at most one window timer (its earliest open window's end) and one expiry timer
 * pending, besides the registrations an event out of order leaves stale (skipped when they come due). Per event: one
 * map access, an insertion in time order (a shift of the later events, for one out of order), a timer registration for
 * its window; per closed window: one access by handle and a pass over the events it holds. Nothing is allocated in
 * steady state.
 * <pre>
 *   entry:  0: the key's window timer: its earliest open window's end (Long.MAX_VALUE: none armed)
 *           8: the end of the key's last closed window (Long.MIN_VALUE: none yet)
 *          16: events kept (int32)   20: the ring's head (int32)
 *          24: the key's expiry timer (Long.MAX_VALUE: none armed)
 *          32: eventsPerKey x event, a ring in time order from the head:
 *              [event time (int64)] [one int64 value per aggregate]
 * </pre>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class SlidingWindows implements AutoCloseable
{
    /** Marks the snapshot layout (format 1). */
    static final long SNAPSHOT_FORMAT = 0x52494E47534C0001L;
    private static final int WINDOW_DEADLINE_OFFSET = 0;
    private static final int CLOSED_OFFSET = 8;
    private static final int COUNT_OFFSET = 16;
    private static final int HEAD_OFFSET = 20;
    private static final int EXPIRY_DEADLINE_OFFSET = 24;
    private static final int EVENTS_OFFSET = 32;
    private static final long NONE = Long.MAX_VALUE;

    private final String name;
    private final long sizeMs;
    private final long allowedLatenessMs;
    private final int eventsPerKey;
    private final int eventLength;
    private final int closeSlice;
    private final long expiryGrainMs;
    private final Aggregate[] aggregates;
    private final KeyedStore store;
    private final DeadlineQueue deadlines = new DeadlineQueue();
    private final WindowListener listener;
    private final DeadlineQueue.Visitor closeKey = this::closeKey;
    private final long[] values;
    private final UnsafeBuffer windowBuffer;
    private final Window window;
    private long closedThrough = Long.MIN_VALUE;
    private long lateEvents;

    /**
     * @param name              for diagnostics.
     * @param sizeMs            the window's reach back from its event, inclusive: {@code [t - size, t]}; positive.
     * @param allowedLatenessMs how long after its end a window stays open for out-of-order events.
     * @param eventsPerKey      events a key keeps at most (1 to 4096): its events within size, lateness and the
     *                          watermark's lag.
     * @param expectedKeys      keys at once (sizes the map once).
     * @param closeSlice        windows closed at most per {@link #close}/{@link #closeDue} (the end of input closes all).
     * @param listener          receives each window as it closes.
     * @param aggregates        what each window computes; {@link #add} takes one value per aggregate, in this order.
     */
    public SlidingWindows(final String name, final long sizeMs, final long allowedLatenessMs, final int eventsPerKey, final long expectedKeys,
        final int closeSlice, final WindowListener listener, final Aggregate... aggregates)
    {
        if (sizeMs < 1 || allowedLatenessMs < 0 || eventsPerKey < 1 || eventsPerKey > 4096 || closeSlice < 1)
        {
            throw new IllegalArgumentException(name + ": the size must be positive, the lateness not negative, events per key 1 to 4096 " +
                "and the close slice positive; were " + sizeMs + ", " + allowedLatenessMs + ", " + eventsPerKey + ", " + closeSlice);
        }
        this.name = name;
        this.sizeMs = sizeMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.eventsPerKey = eventsPerKey;
        this.closeSlice = closeSlice;
        this.expiryGrainMs = Long.highestOneBit(Math.max(1, sizeMs >> 6));
        this.listener = listener;
        this.aggregates = aggregates.clone();
        this.eventLength = 8 + 8 * this.aggregates.length;
        this.values = new long[this.aggregates.length];
        this.windowBuffer = new UnsafeBuffer(new byte[Window.length(this.aggregates)]);
        this.window = new Window(this.aggregates, sizeMs);
        this.store = new KeyedStore(name, expectedKeys, EVENTS_OFFSET + eventsPerKey * eventLength);
    }

    /**
     * Adds an event of {@code key} at {@code eventTime} to the windows it falls in: its own and those of the key's
     * later events within the size, if still open.
     *
     * @param values one value per aggregate, in order (the array is not kept).
     * @return false, changing nothing, if the event's own window would have closed already (a late event, counted).
     * @throws IllegalStateException if the key keeps {@code eventsPerKey} events already, all still needed.
     */
    public boolean add(final long key, final long eventTime, final long[] values)
    {
        if (closedThrough != Long.MIN_VALUE && eventTime <= closedThrough)
        {
            lateEvents++;
            return false;
        }
        final MutableDirectBuffer entry = store.acquire(key);
        try
        {
            int count = entry.getInt(COUNT_OFFSET);
            if (count == 0)
            {
                entry.putLong(WINDOW_DEADLINE_OFFSET, NONE);
                entry.putLong(EXPIRY_DEADLINE_OFFSET, NONE);
                entry.putLong(CLOSED_OFFSET, Long.MIN_VALUE);
                entry.putInt(HEAD_OFFSET, 0);
            }
            count = expire(entry, count, horizon(entry, count));
            if (count == eventsPerKey)
            {
                throw new IllegalStateException(name + ": key " + key + " keeps " + eventsPerKey + " events within " + sizeMs +
                    " ms plus the lateness and the watermark's lag, all still needed by open windows: give more events per key");
            }
            insert(entry, count, eventTime, values);
            if (DeadlineQueue.deadline(eventTime, 0) < entry.getLong(WINDOW_DEADLINE_OFFSET))
            {
                arm(key, entry, WINDOW_DEADLINE_OFFSET, eventTime);
            }
            return true;
        }
        finally
        {
            store.release();
        }
    }

    /**
     * The window ending at {@code eventTime} as it stands: the key's events in {@code [eventTime - size, eventTime]}
     * added so far (after an {@link #add}, the figure to act on at once; the final one goes to the listener at close).
     *
     * @return the window, valid until the next call; its {@link Window#events()} is 0 if the key keeps none of them.
     */
    public Window current(final long key, final long eventTime)
    {
        final MutableDirectBuffer entry = store.acquireIfPresent(key);
        if (entry == null)
        {
            return compute(null, 0, eventTime);
        }
        try
        {
            return compute(entry, entry.getInt(COUNT_OFFSET), eventTime);
        }
        finally
        {
            store.release();
        }
    }

    /**
     * The watermark moved: closes the windows whose end is at or below {@code watermark - lateness}, a slice of them
     * (all at the end of input, {@link Long#MAX_VALUE}), in the order of their ends, then keys.
     *
     * @return timer registrations visited (windows closed, keys expired, stale registrations).
     */
    public int close(final long watermark)
    {
        closedThrough = Math.max(closedThrough, WindowTimers.closeLimit(watermark, allowedLatenessMs));
        return deadlines.drain(closedThrough, closeKey, watermark == Long.MAX_VALUE ? Integer.MAX_VALUE : closeSlice);
    }

    /**
     * Goes on closing what the last {@link #close} left due, a slice at most.
     */
    public int closeDue()
    {
        return deadlines.drain(closedThrough, closeKey, closeSlice);
    }

    /**
     * @return whether windows are due that a sliced {@link #close} has not closed yet.
     */
    public boolean hasDue()
    {
        return deadlines.due(closedThrough);
    }

    /**
     * @return events refused because their own window had closed.
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    /**
     * @return keys that keep events.
     */
    public long keys()
    {
        return store.size();
    }

    /**
     * A key's registration came due: its earliest open window's end (the window closes), or the time its events expire
     * (they go, and the entry with them if none is left); anything else is stale (re-armed since).
     */
    private void closeKey(final long key, final long handle, final long deadline)
    {
        final MutableDirectBuffer entry = store.acquireByHandle(handle, key);
        if (entry == null)
        {
            return;
        }
        final boolean window = entry.getLong(WINDOW_DEADLINE_OFFSET) == deadline;
        final boolean expiry = entry.getLong(EXPIRY_DEADLINE_OFFSET) == deadline;
        if (!window && !expiry)
        {
            store.release();   // re-armed since: a stale registration
            return;
        }
        int count = entry.getInt(COUNT_OFFSET);
        if (expiry)
        {
            entry.putLong(EXPIRY_DEADLINE_OFFSET, NONE);
        }
        if (window)
        {
            entry.putLong(WINDOW_DEADLINE_OFFSET, NONE);
            final int open = firstOpen(entry, count);
            if (open < count && time(entry, open) <= deadline)
            {
                // the key's earliest open window: computed before its end is marked closed
                final long end = time(entry, open);
                final Window closing = compute(entry, count, end);
                entry.putLong(CLOSED_OFFSET, end);
                listener.onClose(key, closing);
            }
        }
        count = expire(entry, count, horizon(entry, count));
        if (count == 0)
        {
            store.removeAcquired();   // registrations still pending find no entry, or a new one that names other deadlines
            return;
        }
        final int next = firstOpen(entry, count);
        if (next < count)
        {
            if (entry.getLong(WINDOW_DEADLINE_OFFSET) == NONE)
            {
                arm(key, entry, WINDOW_DEADLINE_OFFSET, time(entry, next));
            }
        }
        else if (entry.getLong(EXPIRY_DEADLINE_OFFSET) == NONE)
        {
            // one expiry pending at most: an earlier one still pending re-arms for the later time when it comes due
            arm(key, entry, EXPIRY_DEADLINE_OFFSET, expiry(time(entry, count - 1)));
        }
        store.release();
    }

    private void arm(final long key, final MutableDirectBuffer entry, final int field, final long deadline)
    {
        final long at = DeadlineQueue.deadline(deadline, 0);
        entry.putLong(field, at);
        deadlines.arm(key, store.handle(), at);
    }

    /**
     * @return when an event at {@code time} is needed by no window that may still close (every window ending above the
     * close limit starts above it): its time plus the size, rounded up to a grain of a 64th of the size at most (a
     * power of two), so that keys share deadlines; saturating.
     */
    private long expiry(final long time)
    {
        final long at = DeadlineQueue.deadline(time, sizeMs);
        final long rounded = DeadlineQueue.deadline(at, expiryGrainMs - 1) & -expiryGrainMs;
        return Math.max(at, rounded);
    }

    /**
     * @return the earliest end a window of the key that may still close can have: its earliest open window's, or just
     * above the close limit (an event not late is above it).
     */
    private long horizon(final MutableDirectBuffer entry, final int count)
    {
        return Math.min(firstOpenEnd(entry, count), IntervalJoin.saturatedAdd(closedThrough, 1));
    }

    /**
     * Drops the events below {@code horizon - size}: no window ending at or after the horizon holds them (all of them
     * at a horizon of {@link Long#MAX_VALUE}).
     *
     * @return events kept.
     */
    private int expire(final MutableDirectBuffer entry, final int count, final long horizon)
    {
        if (horizon < Long.MIN_VALUE + sizeMs)
        {
            return count;
        }
        // Long.MAX_VALUE: nothing is open and the end of input has come; no window will ever need them
        final boolean all = horizon == Long.MAX_VALUE;
        final long oldest = horizon - sizeMs;
        int head = entry.getInt(HEAD_OFFSET);
        int kept = count;
        while (kept > 0 && (all || entry.getLong(EVENTS_OFFSET + head * eventLength) < oldest))
        {
            head = head + 1 == eventsPerKey ? 0 : head + 1;
            kept--;
        }
        entry.putInt(HEAD_OFFSET, kept == 0 ? 0 : head);
        entry.putInt(COUNT_OFFSET, kept);
        return kept;
    }

    /**
     * Inserts in time order, after the events of the same time (a shift of the later ones, for an event out of order).
     */
    private void insert(final MutableDirectBuffer entry, final int count, final long eventTime, final long[] eventValues)
    {
        int at = count;
        while (at > 0 && time(entry, at - 1) > eventTime)
        {
            entry.putBytes(offset(entry, at), entry, offset(entry, at - 1), eventLength);
            at--;
        }
        final int offset = offset(entry, at);
        entry.putLong(offset, eventTime);
        for (int i = 0; i < aggregates.length; i++)
        {
            entry.putLong(offset + 8 + 8 * i, eventValues[i]);
        }
        entry.putInt(COUNT_OFFSET, count + 1);
    }

    /**
     * @return the index of the first kept event above the key's last closed window's end (count if none).
     */
    private int firstOpen(final MutableDirectBuffer entry, final int count)
    {
        final long closed = entry.getLong(CLOSED_OFFSET);
        int at = count;
        while (at > 0 && time(entry, at - 1) > closed)
        {
            at--;
        }
        return at;
    }

    private long firstOpenEnd(final MutableDirectBuffer entry, final int count)
    {
        final int open = firstOpen(entry, count);
        return open < count ? time(entry, open) : Long.MAX_VALUE;
    }

    /**
     * Computes the window {@code [end - size, end]} over the kept events into the one reused window.
     */
    private Window compute(final MutableDirectBuffer entry, final int count, final long end)
    {
        windowBuffer.setMemory(0, windowBuffer.capacity(), (byte)0);
        windowBuffer.putLong(Window.START_OFFSET, end < Long.MIN_VALUE + sizeMs ? Long.MIN_VALUE : end - sizeMs);
        window.wrap(windowBuffer, 0);
        final long start = windowBuffer.getLong(Window.START_OFFSET);
        for (int i = 0; i < count; i++)
        {
            final int offset = offset(entry, i);
            final long time = entry.getLong(offset);
            if (time > end)
            {
                break;
            }
            if (time >= start)
            {
                for (int v = 0; v < values.length; v++)
                {
                    values[v] = entry.getLong(offset + 8 + 8 * v);
                }
                window.add(values);
            }
        }
        return window;
    }

    private long time(final MutableDirectBuffer entry, final int index)
    {
        return entry.getLong(offset(entry, index));
    }

    /**
     * @return where the {@code index}th kept event (in time order) lives in the entry.
     */
    private int offset(final MutableDirectBuffer entry, final int index)
    {
        int slot = entry.getInt(HEAD_OFFSET) + index;
        if (slot >= eventsPerKey)
        {
            slot -= eventsPerKey;
        }
        return EVENTS_OFFSET + slot * eventLength;
    }

    /**
     * Writes the configuration, how far windows have closed, every key's events and the timers. Shard thread.
     */
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeLong(sizeMs);
        out.writeLong(allowedLatenessMs);
        out.writeInt(eventsPerKey);
        out.writeInt(aggregates.length);
        out.writeLong(closedThrough);
        out.writeLong(lateEvents);
        store.writeSnapshot(out);
        deadlines.writeSnapshot(out);
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}, on an instance built the same way that has
     * seen nothing.
     */
    public void readSnapshot(final SnapshotReader in)
    {
        final long format = in.readLong();
        if (format != SNAPSHOT_FORMAT)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's sliding windows are of format " + Long.toHexString(format) +
                ", this version reads " + Long.toHexString(SNAPSHOT_FORMAT));
        }
        final long size = in.readLong();
        final long lateness = in.readLong();
        final int events = in.readInt();
        final int values = in.readInt();
        if (size != sizeMs || lateness != allowedLatenessMs || events != eventsPerKey || values != aggregates.length)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's sliding windows have size " + size + ", lateness " + lateness + ", " +
                events + " events per key and " + values + " aggregates; these " + sizeMs + ", " + allowedLatenessMs + ", " + eventsPerKey +
                " and " + aggregates.length);
        }
        closedThrough = in.readLong();
        lateEvents = in.readLong();
        store.readSnapshot(in);
        deadlines.readSnapshot(in);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
