package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;

/**
 * Tumbling event-time windows per key, aligned to the epoch ({@code start = t - floorMod(t, size)}), with any
 * {@link Aggregate}s. All of a key's open windows live in one fixed-size {@link KeyedStore} entry of
 * {@code slots} windows, so an event costs one map access: {@link #add} acquires the entry, updates the window
 * in place and hands it back for the caller's rules (which may read its results and set its flags), and
 * {@link #release()} lets it go. {@link #close} closes, through a timer index of window ends, every window whose
 * end plus the allowed lateness is at or below the watermark, and hands each to a {@link WindowListener}.
 * <p>
 * An event whose window has closed already (its end plus the allowed lateness at or below the watermark of a
 * {@link #close}) is late: {@link #add} changes nothing, counts it ({@link #lateEvents()}) and returns null, so that
 * the caller reports it (a LATE output, {@code ShardContext.late()}); it is never dropped silently. A key needs
 * {@code 1 + ceil((allowed lateness + max out-of-orderness) / size)} slots, plus one for an event far ahead of the
 * watermark (it arrives while the older windows are still open); the entry is removed when
 * its last window closes.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's), but for {@link #query}, which any thread may call.
 */
public final class TumblingWindows implements AutoCloseable
{
    private final String name;
    private final long sizeMs;
    private final long allowedLatenessMs;
    private final int slots;
    private final int slotLength;
    private final KeyedStore store;
    private final WindowTimers timers = new WindowTimers();
    private final Window window;
    private final Aggregate[] aggregates;
    private final ThreadLocal<org.agrona.concurrent.UnsafeBuffer> queryBuffers;
    private final ThreadLocal<Window> queryWindows;
    private final WindowTimers.DueKey closeKey = this::closeKey;
    private long closedThrough = Long.MIN_VALUE;
    private long lateEvents;
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
        if (sizeMs < 1 || allowedLatenessMs < 0 || slots < 1 || slots > 64)
        {
            throw new IllegalArgumentException(name + ": size must be positive, lateness not negative and slots 1 to 64; were " +
                sizeMs + ", " + allowedLatenessMs + ", " + slots);
        }
        this.name = name;
        this.sizeMs = sizeMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.slots = slots;
        this.aggregates = aggregates.clone();
        this.slotLength = Window.length(this.aggregates);
        this.store = new KeyedStore(name, expectedKeys, slotLength * slots);
        this.window = new Window(this.aggregates, sizeMs);
        this.queryBuffers = ThreadLocal.withInitial(() -> new org.agrona.concurrent.UnsafeBuffer(new byte[slotLength * slots]));
        this.queryWindows = ThreadLocal.withInitial(() -> new Window(this.aggregates, sizeMs));
    }

    /**
     * @return the start of the window that holds {@code eventTime}.
     */
    public long windowStart(final long eventTime)
    {
        return eventTime - Math.floorMod(eventTime, sizeMs);
    }

    /**
     * Adds an event to the key's window that holds {@code eventTime}, opening the window if need be. The key's
     * entry stays acquired until {@link #release()}: read the returned window, set its flags, then release.
     *
     * @param values one value per aggregate, in the order the aggregates were given (the array is not kept).
     * @return the window, updated; null if the window has closed already (a late event: nothing changed, nothing is
     * acquired; report it).
     * @throws IllegalStateException if the key has more open windows than slots.
     */
    public Window add(final long key, final long eventTime, final long[] values)
    {
        final long start = windowStart(eventTime);
        if (closedThrough >= Long.MIN_VALUE + sizeMs && start <= closedThrough - sizeMs)
        {
            lateEvents++;
            return null;
        }
        final MutableDirectBuffer entry = store.acquire(key);
        acquired = true;
        // a window may sit in any slot: the key's windows need not be consecutive (an event far ahead of the
        // watermark arrives before the older windows close), so look for it, else take a free slot
        int slot = -1;
        int free = -1;
        for (int i = 0; i < slots; i++)
        {
            window.wrap(entry, i * slotLength);
            if (window.events() == 0)
            {
                free = free < 0 ? i : free;
            }
            else if (window.start() == start)
            {
                slot = i;
                break;
            }
        }
        if (slot < 0)
        {
            if (free < 0)
            {
                release();
                throw new IllegalStateException(name + ": key " + key + " has more open windows than its " + slots + " slots (window " + start +
                    " finds them all open): give more slots");
            }
            slot = free;
            entry.setMemory(slot * slotLength, slotLength, (byte)0);
            entry.putLong(slot * slotLength + Window.START_OFFSET, start);
            timers.add(start + sizeMs, key);
        }
        window.wrap(entry, slot * slotLength);
        window.add(values);
        return window;
    }

    /**
     * Lets go of the entry acquired by {@link #add}.
     */
    public void release()
    {
        if (acquired)
        {
            acquired = false;
            store.release();
        }
    }

    /**
     * Closes every window whose end plus the allowed lateness is at or below {@code watermark} ({@link Long#MAX_VALUE}:
     * all of them), handing each to {@code listener}, earliest end first.
     *
     * @return how many windows closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        final long limit = WindowTimers.closeLimit(watermark, allowedLatenessMs);
        closedThrough = Math.max(closedThrough, limit);
        return timers.closeDue(limit, closeKey, listener);
    }

    private int closeKey(final long key, final long end, final long limit, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        int closed = 0;
        int open = 0;
        try
        {
            // the due windows, earliest first (a window may sit in any slot)
            while (true)
            {
                int earliest = -1;
                long earliestStart = Long.MAX_VALUE;
                for (int slot = 0; slot < slots; slot++)
                {
                    window.wrap(entry, slot * slotLength);
                    if (window.events() > 0 && window.end() <= limit && window.start() <= earliestStart)
                    {
                        earliest = slot;
                        earliestStart = window.start();
                    }
                }
                if (earliest < 0)
                {
                    break;
                }
                window.wrap(entry, earliest * slotLength);
                listener.onClose(key, window);
                entry.putLong(earliest * slotLength + Window.EVENTS_OFFSET, 0);
                closed++;
            }
            for (int slot = 0; slot < slots; slot++)
            {
                if (entry.getLong(slot * slotLength + Window.EVENTS_OFFSET) != 0)
                {
                    open++;
                }
            }
        }
        finally
        {
            if (open == 0)
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
     * Reads a key's open window from any thread (a copy taken under the map's read lock).
     *
     * @param resultsOut receives each aggregate's result, in order.
     * @return the window's event count, or 0 if the key has no open window at that start.
     */
    public long query(final long key, final long windowStart, final long[] resultsOut)
    {
        final org.agrona.concurrent.UnsafeBuffer copy = queryBuffers.get();
        if (!store.read(key, copy))
        {
            return 0;
        }
        final Window view = queryWindows.get();
        for (int slot = 0; slot < slots; slot++)
        {
            view.wrap(copy, slot * slotLength);
            if (view.events() > 0 && view.start() == windowStart)
            {
                for (int i = 0; i < aggregates.length; i++)
                {
                    resultsOut[i] = view.result(i);
                }
                return view.events();
            }
        }
        return 0;
    }

    /**
     * @return events refused so far because their window had closed.
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    /**
     * @return keys with at least one open window.
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
        out.writeLong(closedThrough);
        store.writeSnapshot(out);
        timers.writeSnapshot(out);
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        closedThrough = in.readLong();
        store.readSnapshot(in);
        timers.readSnapshot(in);
    }

    @Override
    public void close()
    {
        release();
        store.close();
    }
}
