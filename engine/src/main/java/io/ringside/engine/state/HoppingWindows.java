package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Hopping (sliding) event-time windows per key: size S, advance A (S a multiple of A), aligned to the epoch,
 * computed from shared panes of width A, not from one copy per overlapping window. An event updates only its
 * pane (one map access); a window's results are the merge of its S / A panes when it closes (end plus the allowed
 * lateness at or below the watermark). A window exists, and is handed to the {@link WindowListener} once, if any
 * of its panes holds an event.
 * <p>
 * An event that falls in a window that has closed already is late: {@link #add} changes nothing, counts it
 * ({@link #lateEvents()}) and returns false, so that the caller reports it; it is never dropped silently.
 * <p>
 * Entry layout: {@code [emitted through end int64][has emitted int64]} then {@code slots} panes, each laid out as a {@link Window}
 * (pane start, events, flags, aggregate states). A pane is freed when the last window holding it closes.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class HoppingWindows implements AutoCloseable
{
    private static final int EMITTED_OFFSET = 0;
    private static final int HAS_EMITTED_OFFSET = 8;
    private static final int PANES_OFFSET = 16;

    private final String name;
    private final long sizeMs;
    private final long advanceMs;
    private final long allowedLatenessMs;
    private final int panesPerWindow;
    private final int slots;
    private final int paneLength;
    private final Aggregate[] aggregates;
    private final KeyedStore store;
    private final WindowTimers timers = new WindowTimers();
    private final Window pane;
    private final Window result;
    private final UnsafeBuffer resultBuffer;
    private final WindowTimers.DueKey closeWindow = this::closeWindow;
    private long closedThrough = Long.MIN_VALUE;
    private long lateEvents;

    /**
     * @param slots panes per key at most: {@code size / advance + ceil((allowed lateness + max out-of-orderness) / advance) + 1}.
     */
    public HoppingWindows(
        final String name, final long sizeMs, final long advanceMs, final long allowedLatenessMs, final int slots, final long expectedKeys,
        final Aggregate... aggregates)
    {
        if (advanceMs < 1 || sizeMs < advanceMs || sizeMs % advanceMs != 0 || allowedLatenessMs < 0 || slots < sizeMs / advanceMs || slots > 256)
        {
            throw new IllegalArgumentException(name + ": the size must be a positive multiple of the advance, lateness not negative, and " +
                "slots at least size / advance (at most 256); were " + sizeMs + ", " + advanceMs + ", " + allowedLatenessMs + ", " + slots);
        }
        this.name = name;
        this.sizeMs = sizeMs;
        this.advanceMs = advanceMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.panesPerWindow = (int)(sizeMs / advanceMs);
        this.slots = slots;
        this.aggregates = aggregates.clone();
        this.paneLength = Window.length(this.aggregates);
        this.store = new KeyedStore(name, expectedKeys, PANES_OFFSET + paneLength * slots);
        this.pane = new Window(this.aggregates, advanceMs);
        this.result = new Window(this.aggregates, sizeMs);
        this.resultBuffer = new UnsafeBuffer(new byte[paneLength]);
    }

    /**
     * Adds an event to its pane.
     *
     * @param values one value per aggregate, in order.
     * @return true if added; false if a window holding it has closed already (a late event: nothing changed, it is
     * counted in {@link #lateEvents()}; report it).
     * @throws IllegalStateException if the key has more open panes than slots.
     */
    public boolean add(final long key, final long eventTime, final long[] values)
    {
        final long paneStart = eventTime - Math.floorMod(eventTime, advanceMs);
        if (closedThrough != Long.MIN_VALUE && paneStart + advanceMs <= closedThrough)
        {
            lateEvents++;
            return false;
        }
        final MutableDirectBuffer entry = store.acquire(key);
        try
        {
            // a pane may sit in any slot: the key's panes need not be consecutive (an event far ahead of the
            // watermark arrives before the older windows close), so look for it, else take a free slot
            int at = -1;
            int free = -1;
            for (int slot = 0; slot < slots; slot++)
            {
                final int slotAt = PANES_OFFSET + slot * paneLength;
                pane.wrap(entry, slotAt);
                if (pane.events() == 0)
                {
                    free = free < 0 ? slotAt : free;
                }
                else if (pane.start() == paneStart)
                {
                    at = slotAt;
                    break;
                }
            }
            if (at < 0)
            {
                if (free < 0)
                {
                    throw new IllegalStateException(name + ": key " + key + " has more open panes than its " + slots + " slots (pane " + paneStart +
                        " finds them all open): give more slots");
                }
                at = free;
                entry.setMemory(at, paneLength, (byte)0);
                entry.putLong(at + Window.START_OFFSET, paneStart);
                for (int i = 0; i < panesPerWindow; i++)
                {
                    // the windows holding this pane start at paneStart - i * advance and end size later
                    timers.add(paneStart - i * advanceMs + sizeMs, key);
                }
            }
            pane.wrap(entry, at);
            pane.add(values);
        }
        finally
        {
            store.release();
        }
        return true;
    }

    /**
     * Closes every window whose end plus the allowed lateness is at or below {@code watermark} ({@link Long#MAX_VALUE}: all).
     *
     * @return how many windows closed.
     */
    public int close(final long watermark, final WindowListener listener)
    {
        final long limit = WindowTimers.closeLimit(watermark, allowedLatenessMs);
        closedThrough = Math.max(closedThrough, limit);
        return timers.closeDue(limit, closeWindow, listener);
    }

    /**
     * Emits the key's window ending at {@code end} (once, whichever pane registered it), then frees the panes no open
     * window holds any more.
     */
    private int closeWindow(final long key, final long end, final long limit, final WindowListener listener)
    {
        final MutableDirectBuffer entry = store.acquire(key);
        int emitted = 0;
        boolean remove = false;
        try
        {
            if (entry.getLong(HAS_EMITTED_OFFSET) != 0 && end <= entry.getLong(EMITTED_OFFSET))
            {
                return 0;
            }
            final long start = end - sizeMs;
            resultBuffer.setMemory(0, paneLength, (byte)0);
            result.wrap(resultBuffer, 0);
            long events = 0;
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = PANES_OFFSET + slot * paneLength;
                pane.wrap(entry, at);
                if (pane.events() > 0 && pane.start() >= start && pane.start() < end)
                {
                    mergeInto(entry, at, events == 0);
                    events += pane.events();
                }
            }
            if (events > 0)
            {
                resultBuffer.putLong(Window.START_OFFSET, start);
                resultBuffer.putLong(Window.EVENTS_OFFSET, events);
                listener.onClose(key, result);
                emitted = 1;
            }
            entry.putLong(EMITTED_OFFSET, end);
            entry.putLong(HAS_EMITTED_OFFSET, 1);
            int open = 0;
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = PANES_OFFSET + slot * paneLength;
                pane.wrap(entry, at);
                if (pane.events() > 0)
                {
                    // the last window holding a pane ends at paneStart + size
                    if (pane.start() + sizeMs <= end)
                    {
                        entry.putLong(at + Window.EVENTS_OFFSET, 0);
                    }
                    else
                    {
                        open++;
                    }
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
        return emitted;
    }

    private void mergeInto(final MutableDirectBuffer entry, final int paneAt, final boolean first)
    {
        int offset = Window.AGGREGATES_OFFSET;
        for (final Aggregate aggregate : aggregates)
        {
            aggregate.merge(resultBuffer, offset, entry, paneAt + offset, first);
            offset += aggregate.length();
        }
    }

    /**
     * @return events refused so far because a window holding them had closed.
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    /**
     * @return keys with at least one open pane.
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
        store.close();
    }
}
