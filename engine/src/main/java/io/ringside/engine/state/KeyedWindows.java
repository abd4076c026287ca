package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.List;

import org.agrona.MutableDirectBuffer;

/**
 * Several kinds of event-time windows over one key, in ONE fixed-size {@link KeyedStore} entry: declare them with a
 * {@link Builder} (tumbling, hopping, sessions, and raw bytes of the caller's own), then per event {@link #acquire}
 * the key once, add the event to each declared window kind, read or write the caller's bytes, and {@link #release()}:
 * one map access per event, whatever the number of window kinds. Each key has one pending timer, the earliest end
 * among its open windows, so {@link #close} visits a key once, with one map access, and closes every window of every
 * kind due under the watermark (a hopping key's several due windows included), then re-arms the key for its next end.
 * Keys due at one deadline are visited in the order they were armed, or, when there are thousands (a minute boundary),
 * in the order of their entries in memory ({@link WindowTimers}); either is a function of the journal, and the timers
 * are written with the snapshot, so a restored shard closes in the same order. The entry is removed when the key's last window
 * closes (its caller bytes with it).
 * <p>
 * Closing can be sliced ({@link Builder#closeSlice}): {@link #close} then visits at most that many keys a call, and
 * {@link #closeDue()} goes on where it stopped, so a minute boundary's million due keys are closed a few dozen between
 * events rather than in one stall of the shard. Events never fall in a window that is due but not yet closed (such an
 * event is late against the watermark that made the window due), so slicing changes when outputs come, never what
 * they are. The end of input ({@link Long#MAX_VALUE}) closes everything at once.
 * <p>
 * Entry layout (all int64, little-endian as the map stores it):
 * <pre>
 *   0: the key's armed deadline (the earliest end among its open windows)
 *   8: armed (1 while the key has an open window, 0 in a new entry)
 *  16: one int64 per section (room for {@value #MAX_SECTIONS}): the earliest end among its open windows
 *      (Long.MAX_VALUE: none), so a visit reads only the sections that have a window due; with the header, the
 *      first cache line of the entry
 *  64: each declared section in declaration order:
 *      tumbling: slots x {@link Window}; a window opens in its home slot (its number modulo the slots) when that is
 *                free, so an event usually reads one slot
 *      hopping:  slots x open pane ({@link Window} of the advance), home slots likewise; nothing when its panes are
 *                a tumbling section's windows ({@link Builder#hopping(long, Tumbling, WindowListener)})
 *      sessions: a directory of slots x [first event time, last event time] (Long.MAX_VALUE first: a free slot), in
 *                one cache line of the entry for up to four slots, which an event's search and a visit read; then
 *                slots x ([last event time (int64)] then {@link Window} whose start is the first event time)
 *      bytes:    the caller's, zeroed when the entry is created
 * </pre>
 * An event in a window of a kind that has closed is refused by that kind's {@code add} (null or false) and counted in
 * {@link Section#lateEvents()}: the caller emits it as late; nothing is dropped silently.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's), but for {@link #read}, which any thread may call.
 */
public final class KeyedWindows implements AutoCloseable
{
    static final int DEADLINE_OFFSET = 0;
    static final int ARMED_OFFSET = 8;
    /** Window kinds one entry holds at most: their next ends share the entry's first cache line with its header. */
    static final int MAX_SECTIONS = 6;
    static final int NEXT_ENDS_OFFSET = 16;
    static final int SECTIONS_OFFSET = NEXT_ENDS_OFFSET + 8 * MAX_SECTIONS;
    /** Where an entry's bytes start within its cache line ({@link EntryTable}'s per-entry header). */
    static final int ENTRY_LINE_BIAS = EntryTable.ENTRY_HEADER;
    /** Marks the snapshot layout: entries (next ends in the header) with their handles, timers in visiting order, hopping pane logs in partitions (format 6). */
    static final long SNAPSHOT_FORMAT = 0x52494E474B570006L;

    private final String name;
    private final long allowedLatenessMs;
    private final Section[] sections;
    private final KeyedStore store;
    private final WindowTimers timers;
    private final WindowTimers.ArmedKey closeKey = new WindowTimers.ArmedKey()
    {
        public boolean onDue(final long key, final long handle, final long deadline, final long limit)
        {
            return closeKey(key, handle, deadline, limit);
        }

        public long prefetchHandle(final long handle)
        {
            return store.touch(handle);
        }

        public long keyOf(final long handle)
        {
            return store.keyOfHandle(handle);
        }

        public long prefetch(final long key, final long handle)
        {
            // the entry, and the index slot that removing it (when its last window closes) will probe
            return store.touch(handle) + store.prefetchIndex(key);
        }
    };
    private final int closeSlice;
    private MutableDirectBuffer entry;
    private long key;
    private long offered = Long.MAX_VALUE;
    private long closedThrough = Long.MIN_VALUE;
    private int closedWindows;
    private long visits;

    private KeyedWindows(final Builder builder)
    {
        this.name = builder.name;
        this.allowedLatenessMs = builder.allowedLatenessMs;
        this.sections = builder.sections.toArray(new Section[0]);
        this.closeSlice = builder.closeSlice;
        this.store = new KeyedStore(name, builder.expectedKeys, builder.length);
        try
        {
            this.timers = new WindowTimers(store.handleCapacity(), closeKey);
            for (int i = 0; i < sections.length; i++)
            {
                sections[i].owner = this;
                sections[i].nextAt = NEXT_ENDS_OFFSET + 8 * i;
                sections[i].build(builder.expectedKeys);   // off-heap state of its own (pane logs) only now: a builder never built holds none
            }
        }
        catch (final RuntimeException | Error ex)
        {
            for (final Section section : sections)
            {
                section.close();   // what was built is freed: a failed build leaks nothing
            }
            store.close();
            throw ex;
        }
    }

    /**
     * @param name              for diagnostics.
     * @param allowedLatenessMs how long after its end a window stays open for late-but-allowed events.
     * @param expectedKeys      keys with open windows at once (sizes the map once).
     */
    public static Builder builder(final String name, final long allowedLatenessMs, final long expectedKeys)
    {
        return new Builder(name, allowedLatenessMs, expectedKeys);
    }

    /**
     * Opens the key's entry (creating it if absent) for the declared sections' {@code add}s and the caller's bytes,
     * until {@link #release()}.
     *
     * @return the entry, for the caller's own bytes at the offsets {@link Builder#bytes} gave.
     */
    public MutableDirectBuffer acquire(final long key)
    {
        if (entry != null)
        {
            throw new IllegalStateException(name + ": key " + this.key + " is acquired: release it first");
        }
        final MutableDirectBuffer e = store.acquire(key);
        if (e.getLong(ARMED_OFFSET) == 0)
        {
            for (final Section section : sections)
            {
                e.putLong(section.nextAt, Long.MAX_VALUE);
                section.init(e);
            }
        }
        this.entry = e;
        this.key = key;
        this.offered = Long.MAX_VALUE;
        return e;
    }

    /**
     * The first stage of a hint for a key about to be acquired, further ahead than {@link #prefetch}: starts loading
     * the index slot that finds its entry. Changes nothing.
     *
     * @return what it read.
     */
    public long prefetchIndex(final long key)
    {
        return store.prefetchIndex(key);
    }

    /**
     * A hint for a key about to be acquired (a few events ahead): starts loading its entry. Changes nothing.
     *
     * @return what it read.
     */
    public long prefetch(final long key)
    {
        return store.prefetch(key);
    }

    /**
     * Lets go of the acquired key, arming its timer earlier if an {@code add} opened a window that ends before it.
     */
    public void release()
    {
        final MutableDirectBuffer e = checkAcquired();
        entry = null;
        final boolean wasArmed = e.getLong(ARMED_OFFSET) != 0;
        if (offered != Long.MAX_VALUE && (!wasArmed || offered < e.getLong(DEADLINE_OFFSET)))
        {
            e.putLong(DEADLINE_OFFSET, offered);
            e.putLong(ARMED_OFFSET, 1);
            timers.arm(key, store.handle(), offered);
        }
        else if (!wasArmed)
        {
            store.removeAcquired(); // acquired but nothing added: no window to keep it for
            return;
        }
        store.release();
    }

    /**
     * Closes the windows, of every kind, whose end plus the allowed lateness is at or below {@code watermark}
     * ({@link Long#MAX_VALUE}: all of them, at once), handing each to its section's listener, one visit per due key;
     * sliced ({@link Builder#closeSlice}), at most a slice of keys this call, the rest by later calls.
     *
     * @return how many windows closed.
     */
    public int close(final long watermark)
    {
        if (entry != null)
        {
            throw new IllegalStateException(name + ": release the acquired key first");
        }
        final long limit = WindowTimers.closeLimit(watermark, allowedLatenessMs);
        closedThrough = Math.max(closedThrough, limit);
        return closeSlice(watermark == Long.MAX_VALUE ? Integer.MAX_VALUE : closeSlice);
    }

    /**
     * Goes on closing what the last {@link #close} left due (a slice of keys at most).
     *
     * @return how many windows closed.
     */
    public int closeDue()
    {
        if (entry != null)
        {
            throw new IllegalStateException(name + ": release the acquired key first");
        }
        return closeSlice(closeSlice);
    }

    /**
     * @return whether windows are due that a sliced {@link #close} has not closed yet.
     */
    public boolean hasDue()
    {
        if (timers.due(closedThrough))
        {
            return true;
        }
        for (final Section section : sections)
        {
            if (section.hasJob(closedThrough))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Visits the due keys, then (once no key is due) runs the sections' bulk work (hopping windows from their panes),
     * {@code slice} units at most: a key visit or a pane merged is one.
     */
    private int closeSlice(final int slice)
    {
        closedWindows = 0;
        int left = slice;
        while (left > 0)
        {
            if (timers.due(closedThrough))
            {
                visits += timers.closeArmed(closedThrough, closeKey, left);
                left -= timers.consumed();
                continue;
            }
            boolean worked = false;
            for (final Section section : sections)
            {
                if (section.hasJob(closedThrough))
                {
                    left -= section.runJob(closedThrough, left);
                    worked = true;
                    break;
                }
            }
            if (!worked)
            {
                break;
            }
        }
        return closedWindows;
    }

    /**
     * @return keys visited to close windows since this was built (a key due once, with several windows, counts once).
     */
    public long visits()
    {
        return visits;
    }

    private boolean closeKey(final long key, final long handle, final long deadline, final long limit)
    {
        final MutableDirectBuffer e = store.acquireByHandle(handle, key);
        if (e == null)
        {
            return false; // a registration left behind: the key's windows have all closed
        }
        if (e.getLong(DEADLINE_OFFSET) != deadline)
        {
            store.release(); // a registration left behind when the key re-armed earlier
            return false;
        }
        long next = Long.MAX_VALUE;
        try
        {
            for (final Section section : sections)
            {
                long sectionNext = e.getLong(section.nextAt);
                if (sectionNext <= limit)
                {
                    sectionNext = section.close(e, key, limit);
                    e.putLong(section.nextAt, sectionNext);
                }
                next = Math.min(next, sectionNext);
            }
        }
        finally
        {
            if (next == Long.MAX_VALUE)
            {
                store.removeAcquired();
            }
            else
            {
                e.putLong(DEADLINE_OFFSET, next);
                timers.arm(key, store.handle(), next);
                store.release();
            }
        }
        return true;
    }

    /**
     * Writes every key's entry, how far windows have closed and the timers (what is due, and in which order it closes).
     * Shard thread, no key acquired.
     */
    public void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
    {
        if (entry != null)
        {
            throw new IllegalStateException(name + ": release the acquired key before a snapshot");
        }
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeLong(closedThrough);
        store.writeSnapshot(out);
        timers.writeSnapshot(out);
        for (final Section section : sections)
        {
            section.writeSnapshot(out);
        }
    }

    /**
     * Replaces the state with a snapshot written by {@link #writeSnapshot}, on an instance built the same way that has
     * seen no event.
     */
    public void readSnapshot(final io.ringside.engine.SnapshotReader in)
    {
        if (timers.ends() != 0)
        {
            throw new IllegalStateException(name + ": read a snapshot into a fresh instance, before any event");
        }
        final long format = in.readLong();
        if (format != SNAPSHOT_FORMAT)
        {
            throw new io.ringside.engine.SnapshotCorruptedException(name + ": the snapshot's windows are of format " + format +
                ", this version reads " + SNAPSHOT_FORMAT + " (written by another version: delete the snapshots to replay the journal)");
        }
        closedThrough = in.readLong();
        store.readSnapshot(in);
        timers.readSnapshot(in);
        for (final Section section : sections)
        {
            section.readSnapshot(in);
        }
    }

    /**
     * Copies a key's whole entry into {@code into} (from index 0), from any thread, under the map's read lock.
     *
     * @return false if the key has no open window.
     */
    public boolean read(final long key, final MutableDirectBuffer into)
    {
        return store.read(key, into);
    }

    /**
     * @return keys with at least one open window.
     */
    public long keys()
    {
        return store.size();
    }

    /**
     * @return bytes per entry.
     */
    public int entryLength()
    {
        return store.entryLength();
    }

    private MutableDirectBuffer checkAcquired()
    {
        if (entry == null)
        {
            throw new IllegalStateException(name + ": no key is acquired");
        }
        return entry;
    }

    private void offer(final long end)
    {
        if (end < offered)
        {
            offered = end;
        }
    }

    @Override
    public void close()
    {
        if (entry != null)
        {
            entry = null;
            store.release();
        }
        for (final Section section : sections)
        {
            section.close();
        }
        store.close();
    }

    /**
     * Declares the window kinds of a {@link KeyedWindows}, each returning the section the caller adds events through.
     */
    public static final class Builder
    {
        private final String name;
        private final long allowedLatenessMs;
        private final long expectedKeys;
        private final List<Section> sections = new ArrayList<>();
        private int length = SECTIONS_OFFSET;
        private int closeSlice = Integer.MAX_VALUE;
        private boolean built;

        private Builder(final String name, final long allowedLatenessMs, final long expectedKeys)
        {
            if (allowedLatenessMs < 0 || expectedKeys < 1)
            {
                throw new IllegalArgumentException(name + ": lateness must not be negative and expected keys at least 1; were " +
                    allowedLatenessMs + ", " + expectedKeys);
            }
            this.name = name;
            this.allowedLatenessMs = allowedLatenessMs;
            this.expectedKeys = expectedKeys;
        }

        /**
         * Tumbling windows aligned to the epoch ({@code start = t - floorMod(t, size)}).
         *
         * @param slots    open windows per key at most: {@code 1 + ceil((allowed lateness + max out-of-orderness) / size)}.
         * @param listener receives each window as it closes.
         */
        public Tumbling tumbling(final long sizeMs, final int slots, final WindowListener listener, final Aggregate... aggregates)
        {
            if (sizeMs < 1 || slots < 1 || slots > 64)
            {
                throw new IllegalArgumentException(name + ": tumbling size must be positive and slots 1 to 64; were " + sizeMs + ", " + slots);
            }
            return add(new Tumbling(length, sizeMs, slots, listener, aggregates.clone()));
        }

        /**
         * Hopping windows of {@code sizeMs} every {@code advanceMs} (size a multiple of advance), aligned to the epoch,
         * computed from panes of the advance's width: an event updates one pane; a window is the merge of its panes
         * (stream slicing: each closed pane is written once to a log, and windows are merged from the logs).
         *
         * @param slots open panes per key at most: {@code 1 + ceil((allowed lateness + max out-of-orderness) / advance)}.
         */
        public Hopping hopping(final long sizeMs, final long advanceMs, final int slots, final WindowListener listener, final Aggregate... aggregates)
        {
            if (advanceMs < 1 || sizeMs < advanceMs || sizeMs % advanceMs != 0 || sizeMs / advanceMs > 1024 || slots < 1 || slots > 64)
            {
                throw new IllegalArgumentException(name + ": the hopping size must be a positive multiple of the advance (at most 1024 " +
                    "advances) and slots 1 to 64; were " + sizeMs + ", " + advanceMs + ", " + slots);
            }
            return add(new Hopping(length, sizeMs, advanceMs, slots, listener, aggregates.clone()));
        }

        /**
         * Hopping windows of {@code sizeMs} whose panes are the windows of a tumbling section declared before (shared
         * panes, as slicing shares slices): every {@code panes.size()} ms, aligned to the epoch, with the tumbling's
         * aggregates. The section takes no bytes in the entry and has no {@code add} of its own: an event added to the
         * tumbling section is in both kinds' windows, and each tumbling window, as it closes (after its own listener),
         * is written to this section's pane logs, from which the hopping windows are merged as for
         * {@link #hopping(long, long, int, WindowListener, Aggregate...)}. The tumbling windows' flags are not carried
         * into the hopping windows.
         *
         * @param sizeMs a positive multiple of the tumbling size (at most 1024 of them).
         * @param panes  a tumbling section of this builder.
         */
        public Hopping hopping(final long sizeMs, final Tumbling panes, final WindowListener listener)
        {
            if (!sections.contains(panes))
            {
                throw new IllegalArgumentException(name + ": the panes of a hopping window must be a tumbling section declared before " +
                    "in this builder, were " + panes);
            }
            if (sizeMs < panes.sizeMs || sizeMs % panes.sizeMs != 0 || sizeMs / panes.sizeMs > 1024)
            {
                throw new IllegalArgumentException(name + ": the hopping size must be a positive multiple of its panes' tumbling size " +
                    "(at most 1024 of them); were " + sizeMs + " and " + panes.sizeMs);
            }
            return add(new Hopping(length, sizeMs, panes, listener));
        }

        /**
         * Session windows: a session spans {@code [first, last + gap)}; an event at {@code t} joins every open session it
         * falls into or bridges ({@code first - gap < t < last + gap}, strictly), merging them.
         *
         * @param slots open sessions per key at most.
         */
        public Sessions sessions(final long gapMs, final int slots, final WindowListener listener, final Aggregate... aggregates)
        {
            if (gapMs < 1 || slots < 1 || slots > 64)
            {
                throw new IllegalArgumentException(name + ": the gap must be positive and slots 1 to 64; were " + gapMs + ", " + slots);
            }
            final int inLine = (length + ENTRY_LINE_BIAS) % 64;
            if (slots <= Sessions.LINE_SLOTS && inLine + Sessions.DIRECTORY_SLOT * slots > 64)
            {
                // the sessions' directory (what an event's search and a visit read) in one cache line of the entry
                length += 64 - inLine;
            }
            return add(new Sessions(length, gapMs, slots, listener, aggregates.clone()));
        }

        /**
         * Reserves bytes of the caller's own in each entry (zeroed when the entry is created, removed with it).
         *
         * @param bytes a positive multiple of 8.
         * @return their offset in the entry {@link #acquire} returns.
         */
        public int bytes(final int bytes)
        {
            if (bytes < 8 || bytes % 8 != 0)
            {
                throw new IllegalArgumentException(name + ": caller bytes must be a positive multiple of 8, were " + bytes);
            }
            checkNotBuilt();   // bytes reserved after the build would lie past the built entry's end
            final int offset = length;
            length += bytes;
            return offset;
        }

        /**
         * Closes in slices of at most {@code keys} due keys a {@link KeyedWindows#close} or {@link KeyedWindows#closeDue()}
         * call, so no event waits behind more than one slice (default: everything due, at once).
         */
        public Builder closeSlice(final int keys)
        {
            if (keys < 1)
            {
                throw new IllegalArgumentException(name + ": a close slice is at least 1 key, was " + keys);
            }
            checkNotBuilt();
            this.closeSlice = keys;
            return this;
        }

        /**
         * @return the windows declared; once: the sections belong to the one {@link KeyedWindows} built.
         * @throws IllegalStateException if none was declared, or this builder built already.
         */
        public KeyedWindows build()
        {
            if (sections.isEmpty())
            {
                throw new IllegalStateException(name + ": declare at least one window kind");
            }
            checkNotBuilt();
            final KeyedWindows windows = new KeyedWindows(this);
            built = true;   // only once built: a build that failed (and freed what it made) may be tried again
            return windows;
        }

        private void checkNotBuilt()
        {
            if (built)
            {
                throw new IllegalStateException(name + ": this builder has built its KeyedWindows already (its sections belong to it): " +
                    "make a builder for each KeyedWindows");
            }
        }

        private <S extends Section> S add(final S section)
        {
            checkNotBuilt();
            if (sections.size() == MAX_SECTIONS)
            {
                throw new IllegalStateException(name + ": at most " + MAX_SECTIONS + " window kinds in one entry");
            }
            sections.add(section);
            length += section.length;
            return section;
        }
    }

    /**
     * One declared window kind: its place in the entry and how it closes.
     */
    public abstract static class Section
    {
        /** {@link #find}: no free slot. */
        static final int NO_SLOT = Integer.MAX_VALUE;
        final int offset;
        final int length;
        final Aggregate[] aggregates;
        WindowListener listener;
        KeyedWindows owner;
        int nextAt;
        long lateEvents;

        Section(final int offset, final int length, final WindowListener listener, final Aggregate[] aggregates)
        {
            this.offset = offset;
            this.length = length;
            this.listener = listener;
            this.aggregates = aggregates;
        }

        /**
         * Closes the key's windows ending at or below {@code limit}, handing each to the listener.
         *
         * @return the earliest end among the key's windows still open here, or {@link Long#MAX_VALUE} if none.
         */
        abstract long close(MutableDirectBuffer entry, long key, long limit);

        /**
         * Makes the section's own off-heap state, if any, as its {@link KeyedWindows} is built.
         */
        void build(final long expectedKeys)
        {
        }

        /**
         * @return whether bulk work of its own (beyond the keys' visits) is due at {@code limit}.
         */
        boolean hasJob(final long limit)
        {
            return false;
        }

        /**
         * Does up to {@code budget} units of its due bulk work.
         *
         * @return the units used (at least 1 if it had a job).
         */
        int runJob(final long limit, final int budget)
        {
            return 0;
        }

        /**
         * Looks for the open window starting at {@code start} in the section's slots (each a {@link Window} of
         * {@code slotLength} bytes).
         *
         * @return its offset; if absent, {@code -free - 1} where free is the offset of a free slot ({@code home} if it is
         * free, else the first) or {@link #NO_SLOT} if none is.
         */
        final int find(final MutableDirectBuffer entry, final long start, final int home, final Window view, final int slotLength,
            final int slots)
        {
            view.wrap(entry, home);
            int free = view.events() == 0 ? home : NO_SLOT;
            for (int slot = 0; slot < slots; slot++)
            {
                final int slotAt = offset + slot * slotLength;
                view.wrap(entry, slotAt);
                if (view.events() == 0)
                {
                    free = free == NO_SLOT ? slotAt : free;
                }
                else if (view.start() == start)
                {
                    return slotAt;
                }
            }
            return -free - 1;
        }

        /**
         * Prepares a new entry's bytes of this section (zeroed when called).
         */
        void init(final MutableDirectBuffer entry)
        {
        }

        void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
        {
        }

        void readSnapshot(final io.ringside.engine.SnapshotReader in)
        {
        }

        void close()
        {
        }

        final MutableDirectBuffer entry()
        {
            return owner.checkAcquired();
        }

        /**
         * A window of the acquired key opened, ending at {@code end}: the key's and this section's timers may move earlier.
         */
        final void opened(final MutableDirectBuffer entry, final long end)
        {
            if (end < entry.getLong(nextAt))
            {
                entry.putLong(nextAt, end);
            }
            owner.offer(end);
        }

        /**
         * @return events refused because every window of this kind that they fall in has closed (late events): the
         * caller emits them as late outputs; none is dropped silently.
         */
        public long lateEvents()
        {
            return lateEvents;
        }

        /**
         * Replaces the listener (the single-kind operators take one per close).
         */
        final void listener(final WindowListener listener)
        {
            this.listener = listener;
        }
    }

    /**
     * Tumbling windows of a {@link KeyedWindows}. Valid only once built; the acquired key's.
     */
    public static final class Tumbling extends Section
    {
        private final long sizeMs;
        private final int slots;
        private final int slotLength;
        private final Window window;
        /** The pane logs of the hopping sections whose panes are these windows ({@link Builder#hopping(long, Tumbling, WindowListener)}). */
        private PaneLogs[] sharedLogs = new PaneLogs[0];

        Tumbling(final int offset, final long sizeMs, final int slots, final WindowListener listener, final Aggregate[] aggregates)
        {
            super(offset, Window.length(aggregates) * slots, listener, aggregates);
            this.sizeMs = sizeMs;
            this.slots = slots;
            this.slotLength = Window.length(aggregates);
            this.window = new Window(aggregates, sizeMs);
        }

        private void share(final PaneLogs logs)
        {
            sharedLogs = java.util.Arrays.copyOf(sharedLogs, sharedLogs.length + 1);
            sharedLogs[sharedLogs.length - 1] = logs;
        }

        public long windowStart(final long eventTime)
        {
            return eventTime - Math.floorMod(eventTime, sizeMs);
        }

        /**
         * Adds an event to the acquired key's window holding {@code eventTime}, opening it if need be.
         *
         * @param values one value per aggregate, in order (not kept).
         * @return the window, updated, valid until the key is released: read its results, set its flags; null if it has
         * closed already (a late event, counted in {@link #lateEvents()}).
         */
        public Window add(final long eventTime, final long[] values)
        {
            final MutableDirectBuffer entry = entry();
            final long start = windowStart(eventTime);
            if (owner.closedThrough >= Long.MIN_VALUE + sizeMs && start <= owner.closedThrough - sizeMs)
            {
                lateEvents++;
                return null;
            }
            // a window opens in its home slot (its number modulo the slots) if that is free, so an event reads one slot;
            // else, or if the window sits elsewhere (its home was taken when it opened: a key's windows need not be
            // consecutive), look for it in every slot, else take a free one
            final int home = offset + (int)Math.floorMod(start / sizeMs, (long)slots) * slotLength;
            int at = home;
            window.wrap(entry, home);
            if (window.events() == 0 || window.start() != start)
            {
                at = find(entry, start, home, window, slotLength, slots);
            }
            if (at < 0)
            {
                final int free = -at - 1;
                if (free == NO_SLOT)
                {
                    throw new IllegalStateException(owner.name + ": key " + owner.key + " has more open windows than its " + slots +
                        " slots (tumbling window " + start + " finds them all open): give more slots");
                }
                at = free;
                window.wrap(entry, at);
                entry.setMemory(at, slotLength, (byte)0);
                entry.putLong(at + Window.START_OFFSET, start);
                opened(entry, start + sizeMs);
            }
            window.wrap(entry, at);
            window.add(values);
            return window;
        }

        /**
         * Finds the window starting at {@code windowStart} in a copy of an entry ({@link KeyedWindows#read}), any thread.
         *
         * @param view a window view of the caller's own (see {@link #newView()}).
         * @return the view over it, or null if the copy holds no such open window.
         */
        public Window find(final MutableDirectBuffer entryCopy, final long windowStart, final Window view)
        {
            for (int slot = 0; slot < slots; slot++)
            {
                view.wrap(entryCopy, offset + slot * slotLength);
                if (view.events() > 0 && view.start() == windowStart)
                {
                    return view;
                }
            }
            return null;
        }

        /**
         * @return a new window view for {@link #find}, for one reader thread.
         */
        public Window newView()
        {
            return new Window(aggregates, sizeMs);
        }

        @Override
        long close(final MutableDirectBuffer entry, final long key, final long limit)
        {
            // the key's due windows close earliest first, whatever slots they sit in
            while (true)
            {
                int due = -1;
                long dueEnd = Long.MAX_VALUE;
                long next = Long.MAX_VALUE;
                for (int slot = 0; slot < slots; slot++)
                {
                    final int at = offset + slot * slotLength;
                    window.wrap(entry, at);
                    if (window.events() == 0)
                    {
                        continue;
                    }
                    final long end = window.end();
                    if (end <= limit && end < dueEnd)
                    {
                        due = at;
                        dueEnd = end;
                    }
                    else if (end > limit)
                    {
                        next = Math.min(next, end);
                    }
                }
                if (due < 0)
                {
                    return next;
                }
                window.wrap(entry, due);
                listener.onClose(key, window);
                for (final PaneLogs logs : sharedLogs)
                {
                    logs.append(key, entry, due);   // a pane of hopping windows too: logged once, as a hopping section logs its own
                }
                Window.clear(entry, due);
                owner.closedWindows++;
            }
        }
    }

    /**
     * Hopping windows of a {@link KeyedWindows}, by stream slicing: an event updates its key's pane (the advance's width
     * of event time) in the entry; when the pane closes it is written once to the pane log of its start
     * ({@link PaneLogs}), and each window is computed from the logs of the panes it spans, sequentially, without visiting
     * the keys again. Windows are emitted once every key due through their end has been visited. Declared over a
     * tumbling section ({@link Builder#hopping(long, Tumbling, WindowListener)}), its panes are that section's windows,
     * logged by it as they close: the same windows, out of one update per event and no bytes of its own in the entry.
     */
    public static final class Hopping extends Section
    {
        private final long sizeMs;
        private final long advanceMs;
        private final int slots;
        private final int paneLength;
        private final Window pane;
        /** Made when the {@link KeyedWindows} is built ({@link #build}), not when the section is declared. */
        private PaneLogs logs;
        /** The tumbling section whose windows are the panes, or null if the panes are this section's own. */
        private final Tumbling panes;

        Hopping(final int offset, final long sizeMs, final long advanceMs, final int slots, final WindowListener listener,
            final Aggregate[] aggregates)
        {
            super(offset, Window.length(aggregates) * slots, listener, aggregates);
            this.sizeMs = sizeMs;
            this.advanceMs = advanceMs;
            this.slots = slots;
            this.paneLength = Window.length(aggregates);
            this.pane = new Window(aggregates, advanceMs);
            this.panes = null;
        }

        /**
         * Over a tumbling section's windows: no bytes in the entry, no pane of its own.
         */
        Hopping(final int offset, final long sizeMs, final Tumbling panes, final WindowListener listener)
        {
            super(offset, 0, listener, panes.aggregates);
            this.sizeMs = sizeMs;
            this.advanceMs = panes.sizeMs;
            this.slots = 0;
            this.paneLength = Window.length(panes.aggregates);
            this.pane = null;
            this.panes = panes;
        }

        @Override
        void build(final long expectedKeys)
        {
            logs = new PaneLogs(sizeMs, advanceMs, aggregates, expectedKeys);
            if (panes != null)
            {
                panes.share(logs);
            }
        }

        /**
         * Adds an event to the acquired key's pane holding {@code eventTime}.
         *
         * @param values one value per aggregate, in order (not kept).
         * @return false if a window holding it has closed already (a late event, counted in {@link #lateEvents()}).
         * @throws IllegalStateException if the panes are a tumbling section's: events go to that section.
         */
        public boolean add(final long eventTime, final long[] values)
        {
            if (panes != null)
            {
                throw new IllegalStateException(owner.name + ": these hopping windows' panes are a tumbling section's windows: add events " +
                    "to the tumbling section");
            }
            final MutableDirectBuffer entry = entry();
            final long paneStart = eventTime - Math.floorMod(eventTime, advanceMs);
            if (owner.closedThrough != Long.MIN_VALUE && paneStart + advanceMs <= owner.closedThrough)
            {
                lateEvents++;
                return false;
            }
            // a pane opens in its home slot if free; else, or if it sits elsewhere, look for it (as tumbling windows do)
            final int home = offset + (int)Math.floorMod(paneStart / advanceMs, (long)slots) * paneLength;
            int at = home;
            pane.wrap(entry, home);
            if (pane.events() == 0 || pane.start() != paneStart)
            {
                at = find(entry, paneStart, home, pane, paneLength, slots);
            }
            if (at < 0)
            {
                final int free = -at - 1;
                if (free == NO_SLOT)
                {
                    throw new IllegalStateException(owner.name + ": key " + owner.key + " has more open panes than its " + slots + " slots (pane " +
                        paneStart + " finds them all open): give more slots");
                }
                at = free;
                entry.setMemory(at, paneLength, (byte)0);
                entry.putLong(at + Window.START_OFFSET, paneStart);
                opened(entry, paneStart + advanceMs); // the pane closes with the first window holding it
            }
            pane.wrap(entry, at);
            pane.add(values);
            return true;
        }

        /**
         * @return whether the panes are a tumbling section's windows (then its {@link #lateEvents()} are that section's).
         */
        public boolean sharesPanes()
        {
            return panes != null;
        }

        /**
         * @return events refused as late: with shared panes, the tumbling section's count (an event late for its pane
         * is late for every hopping window holding it; it was refused once, by the tumbling section's {@code add}).
         */
        @Override
        public long lateEvents()
        {
            return panes != null ? panes.lateEvents() : lateEvents;
        }

        @Override
        long close(final MutableDirectBuffer entry, final long key, final long limit)
        {
            long next = Long.MAX_VALUE;   // with shared panes, no slot: the tumbling section logs them as they close
            for (int slot = 0; slot < slots; slot++)
            {
                final int at = offset + slot * paneLength;
                pane.wrap(entry, at);
                if (pane.events() == 0)
                {
                    continue;
                }
                final long end = pane.start() + advanceMs;
                if (end <= limit)
                {
                    logs.append(key, entry, at);
                    Window.clear(entry, at);
                }
                else
                {
                    next = Math.min(next, end);
                }
            }
            return next;
        }

        @Override
        boolean hasJob(final long limit)
        {
            return logs.due(limit);
        }

        @Override
        int runJob(final long limit, final int budget)
        {
            final int used = logs.emit(limit, listener, budget);
            owner.closedWindows += logs.emittedWindows();
            return used;
        }

        @Override
        void writeSnapshot(final io.ringside.engine.SnapshotWriter out) throws java.io.IOException
        {
            logs.writeSnapshot(out);
        }

        @Override
        void readSnapshot(final io.ringside.engine.SnapshotReader in)
        {
            logs.readSnapshot(in);
        }

        @Override
        void close()
        {
            if (logs != null)
            {
                logs.close();
            }
        }

        /**
         * @return closed panes waiting in the logs for the windows that hold them.
         */
        public long loggedPanes()
        {
            return logs.records();
        }
    }

    /**
     * Session windows of a {@link KeyedWindows}. Each session is a {@link Window} whose start is its first event
     * time; {@link #last(Window)} gives its last.
     */
    public static final class Sessions extends Section
    {
        /** Slots whose directory fits in one cache line. */
        static final int LINE_SLOTS = 4;
        static final int DIRECTORY_SLOT = 16;
        private static final int LAST_OFFSET = 0;
        private static final int WINDOW_OFFSET = 8;
        /** A free slot's start in the directory. */
        private static final long FREE = Long.MAX_VALUE;

        private final long gapMs;
        private final int slots;
        private final int slotLength;
        private final int slotsAt;
        private final Window session;
        private final Window other;

        Sessions(final int offset, final long gapMs, final int slots, final WindowListener listener, final Aggregate[] aggregates)
        {
            super(offset, (DIRECTORY_SLOT + WINDOW_OFFSET + Window.length(aggregates)) * slots, listener, aggregates);
            this.gapMs = gapMs;
            this.slots = slots;
            this.slotLength = WINDOW_OFFSET + Window.length(aggregates);
            this.slotsAt = offset + DIRECTORY_SLOT * slots;
            this.session = new Window(aggregates, 0);
            this.other = new Window(aggregates, 0);
        }

        /**
         * @return the session's last event time (its end is this plus the gap).
         */
        public static long last(final Window window)
        {
            return window.buffer().getLong(window.offset() - WINDOW_OFFSET + LAST_OFFSET);
        }

        @Override
        void init(final MutableDirectBuffer entry)
        {
            for (int slot = 0; slot < slots; slot++)
            {
                entry.putLong(offset + slot * DIRECTORY_SLOT, FREE);
            }
        }

        /**
         * Adds an event to the acquired key's sessions, merging those it bridges. The search reads only the directory
         * (each slot's first and last event time, in one cache line for up to {@value #LINE_SLOTS} slots), then the
         * session the event joins.
         *
         * @param values one value per aggregate, in order (not kept).
         * @return false if it joins no open session and its own would have closed already (a late event, counted in
         * {@link #lateEvents()}).
         */
        public boolean add(final long eventTime, final long[] values)
        {
            final MutableDirectBuffer entry = entry();
            int target = -1;
            for (int slot = 0; slot < slots; slot++)
            {
                final int dir = offset + slot * DIRECTORY_SLOT;
                final long first = entry.getLong(dir);
                if (first != FREE && first - gapMs < eventTime && eventTime < entry.getLong(dir + 8) + gapMs)
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
            if (target < 0 && owner.closedThrough >= Long.MIN_VALUE + gapMs && eventTime <= owner.closedThrough - gapMs)
            {
                lateEvents++; // it joins no open session, and its own would have closed already
                return false;
            }
            if (target < 0)
            {
                target = freeSlot(entry);
                final int at = slotsAt + target * slotLength;
                entry.setMemory(at, slotLength, (byte)0);
                entry.putLong(at + WINDOW_OFFSET + Window.START_OFFSET, eventTime);
                entry.putLong(at + LAST_OFFSET, eventTime);
                entry.putLong(offset + target * DIRECTORY_SLOT, eventTime);
                entry.putLong(offset + target * DIRECTORY_SLOT + 8, eventTime);
                opened(entry, eventTime + gapMs);
            }
            final int at = slotsAt + target * slotLength;
            final int dir = offset + target * DIRECTORY_SLOT;
            session.wrap(entry, at + WINDOW_OFFSET);
            if (eventTime < entry.getLong(dir))
            {
                entry.putLong(at + WINDOW_OFFSET + Window.START_OFFSET, eventTime);
                entry.putLong(dir, eventTime);
            }
            if (eventTime > entry.getLong(dir + 8))
            {
                entry.putLong(at + LAST_OFFSET, eventTime); // the session grew: its end moves later, past any armed deadline
                entry.putLong(dir + 8, eventTime);
            }
            session.add(values);
            return true;
        }

        private void merge(final MutableDirectBuffer entry, final int into, final int from)
        {
            final int intoAt = slotsAt + into * slotLength;
            final int fromAt = slotsAt + from * slotLength;
            final int intoDir = offset + into * DIRECTORY_SLOT;
            final int fromDir = offset + from * DIRECTORY_SLOT;
            session.wrap(entry, intoAt + WINDOW_OFFSET);
            other.wrap(entry, fromAt + WINDOW_OFFSET);
            final long first = Math.min(entry.getLong(intoDir), entry.getLong(fromDir));
            final long last = Math.max(entry.getLong(intoDir + 8), entry.getLong(fromDir + 8));
            entry.putLong(intoAt + WINDOW_OFFSET + Window.START_OFFSET, first);
            entry.putLong(intoAt + LAST_OFFSET, last);
            entry.putLong(intoDir, first);
            entry.putLong(intoDir + 8, last);
            int aggregateAt = Window.AGGREGATES_OFFSET;
            for (final Aggregate aggregate : aggregates)
            {
                aggregate.merge(entry, intoAt + WINDOW_OFFSET + aggregateAt, entry, fromAt + WINDOW_OFFSET + aggregateAt, false);
                aggregateAt += aggregate.length();
            }
            Window.putEventsAndFlags(entry, intoAt + WINDOW_OFFSET, session.events() + other.events(), session.flags() | other.flags());
            Window.clear(entry, fromAt + WINDOW_OFFSET);
            entry.putLong(fromDir, FREE);
        }

        private int freeSlot(final MutableDirectBuffer entry)
        {
            for (int slot = 0; slot < slots; slot++)
            {
                if (entry.getLong(offset + slot * DIRECTORY_SLOT) == FREE)
                {
                    return slot;
                }
            }
            throw new IllegalStateException(owner.name + ": key " + owner.key + " has more open sessions than its " + slots + " slots: give more slots");
        }

        @Override
        long close(final MutableDirectBuffer entry, final long key, final long limit)
        {
            long next = Long.MAX_VALUE;
            for (int slot = 0; slot < slots; slot++)
            {
                final int dir = offset + slot * DIRECTORY_SLOT;
                if (entry.getLong(dir) == FREE)
                {
                    continue;
                }
                final long end = entry.getLong(dir + 8) + gapMs;
                if (end <= limit)
                {
                    final int at = slotsAt + slot * slotLength;
                    session.wrap(entry, at + WINDOW_OFFSET);
                    listener.onClose(key, session);
                    Window.clear(entry, at + WINDOW_OFFSET);
                    entry.putLong(dir, FREE);
                    owner.closedWindows++;
                }
                else
                {
                    next = Math.min(next, end);
                }
            }
            return next;
        }
    }
}
