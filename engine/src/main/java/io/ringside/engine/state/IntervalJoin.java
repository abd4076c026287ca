package io.ringside.engine.state;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;

/**
 * An interval join of two sides of one key, with a left outer output: a left side (an authorization) opens under its
 * own id with its event time and a few int64s of payload; a right side (its capture) names the left's id and matches it
 * when {@code lower <= right.time - left.time <= upper} (both bounds inclusive); the left is then no longer open. A
 * right side finds no match ({@link #NO_OPEN_LEFT}) when no open left of its key has the id (never opened, opened under
 * another key, already matched, or closed) and {@link #OUT_OF_BOUNDS} when it lies outside the bounds (the left stays
 * open). A left never matched is handed to the {@link UnmatchedListener} once the watermark passes
 * {@code left.time + upper + allowedLateness} (no right side within the bounds can arrive after that without being late),
 * and is closed.
 * <p>
 * Closing follows the operators' shape ({@link KeyedWindows}): {@link #close(long)} takes the watermark and closes a
 * slice ({@link #closeSlice}), {@link #closeDue()} goes on, {@link #hasDue()} says there is more; the end of input
 * ({@link Long#MAX_VALUE}) closes every open left at once. Unmatched lefts come out in order of event time, then id, at
 * every watermark step ({@link DeadlineQueue}). A left due but not yet closed by a slice is closed already for a right
 * side ({@link #NO_OPEN_LEFT}), so slicing changes when outputs come, never which.
 * <p>
 * State: the open lefts in a {@link KeyedStore} keyed by left id (ids are unique among a shard's open lefts, as event
 * ids are), one timer registration per left. Per left and per right: one look-up, nothing allocated. Deadlines are
 * computed saturating, never wrapping ({@link DeadlineQueue#deadline}).
 * <pre>
 *   entry (keyed by left id):  0: key   8: left event time   16: payload x int64
 * </pre>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class IntervalJoin implements AutoCloseable
{
    /** {@link #matchRight}: the left was open and within the bounds; it is matched and no longer open. */
    public static final int MATCHED = 0;
    /** {@link #matchRight}: no open left of this key has the id. */
    public static final int NO_OPEN_LEFT = 1;
    /** {@link #matchRight}: the left is open, but the right side lies outside the bounds; the left stays open. */
    public static final int OUT_OF_BOUNDS = 2;

    /** Marks the snapshot layout (format 1). */
    static final long SNAPSHOT_FORMAT = 0x52494E474A4E0001L;
    private static final int KEY_OFFSET = 0;
    private static final int TIME_OFFSET = 8;
    private static final int PAYLOAD_OFFSET = 16;

    /** Receives a left closed without a match. */
    @FunctionalInterface
    public interface UnmatchedListener
    {
        /**
         * @param left valid during the call only.
         */
        void onUnmatched(Left left);
    }

    /**
     * A left side as the join gives it back: a copy, valid until the join's next call.
     */
    public static final class Left
    {
        private final long[] payload;
        private long key;
        private long id;
        private long time;

        Left(final int payloadFields)
        {
            this.payload = new long[payloadFields];
        }

        public long key()
        {
            return key;
        }

        public long id()
        {
            return id;
        }

        public long time()
        {
            return time;
        }

        public long payload(final int i)
        {
            return payload[i];
        }

        void load(final long id, final MutableDirectBuffer entry)
        {
            this.id = id;
            this.key = entry.getLong(KEY_OFFSET);
            this.time = entry.getLong(TIME_OFFSET);
            for (int i = 0; i < payload.length; i++)
            {
                payload[i] = entry.getLong(PAYLOAD_OFFSET + i * 8);
            }
        }
    }

    private final String name;
    private final long lowerMs;
    private final long upperMs;
    private final long allowedLatenessMs;
    private final int payloadFields;
    private final int closeSlice;
    private final UnmatchedListener listener;
    private final KeyedStore lefts;
    private final DeadlineQueue deadlines = new DeadlineQueue();
    private final Left matched;
    private final Left unmatched;
    private final DeadlineQueue.Visitor closeLeft = this::closeLeft;
    private long closedThrough = Long.MIN_VALUE;
    private long opened;
    private long matches;

    /**
     * @param lowerMs           the smallest {@code right.time - left.time} that matches (inclusive).
     * @param upperMs           the largest (inclusive), at least {@code lowerMs}.
     * @param allowedLatenessMs how long after {@code left.time + upper} a right side may still arrive.
     * @param expectedOpen      lefts open at once (the store's hot tier).
     * @param payloadFields     int64s kept with each left, 0 or more.
     * @param closeSlice        lefts closed at most per {@link #close}/{@link #closeDue} (the end of input closes all).
     */
    public IntervalJoin(final String name, final long lowerMs, final long upperMs, final long allowedLatenessMs, final long expectedOpen,
        final int payloadFields, final int closeSlice, final UnmatchedListener listener)
    {
        if (upperMs < lowerMs || allowedLatenessMs < 0 || payloadFields < 0 || closeSlice < 1)
        {
            throw new IllegalArgumentException(name + ": bounds must be in order, lateness and payload not negative, the slice positive; were [" +
                lowerMs + ", " + upperMs + "], " + allowedLatenessMs + ", " + payloadFields + ", " + closeSlice);
        }
        this.name = name;
        this.lowerMs = lowerMs;
        this.upperMs = upperMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.payloadFields = payloadFields;
        this.closeSlice = closeSlice;
        this.listener = listener;
        this.matched = new Left(payloadFields);
        this.unmatched = new Left(payloadFields);
        this.lefts = new KeyedStore(name, expectedOpen, PAYLOAD_OFFSET + 8 * payloadFields);
    }

    /**
     * Opens a left side.
     *
     * @param payload {@code payload[0, payloadFields)} is kept with it (null when there are none).
     * @return false, changing nothing, if a left with this id is open already.
     */
    public boolean openLeft(final long key, final long id, final long time, final long[] payload)
    {
        final long before = lefts.size();
        final MutableDirectBuffer entry = lefts.acquire(id);   // one look-up: a new id's entry makes the store one larger
        if (lefts.size() == before)
        {
            lefts.release();
            return false;
        }
        try
        {
            entry.putLong(KEY_OFFSET, key);
            entry.putLong(TIME_OFFSET, time);
            for (int i = 0; i < payloadFields; i++)
            {
                entry.putLong(PAYLOAD_OFFSET + i * 8, payload[i]);
            }
            deadlines.arm(id, lefts.handle(), deadline(time));
        }
        finally
        {
            lefts.release();
        }
        opened++;
        return true;
    }

    /**
     * A right side of {@code key} at {@code time} for the left {@code leftId}.
     *
     * @return {@link #MATCHED} ({@link #matched()} then holds the left), {@link #NO_OPEN_LEFT} or {@link #OUT_OF_BOUNDS}.
     */
    public int matchRight(final long key, final long leftId, final long time)
    {
        final MutableDirectBuffer entry = lefts.acquireIfPresent(leftId);
        if (entry == null)
        {
            return NO_OPEN_LEFT;
        }
        final long leftTime = entry.getLong(TIME_OFFSET);
        if (entry.getLong(KEY_OFFSET) != key || deadline(leftTime) <= closedThrough)
        {
            lefts.release();   // another key's, or due: closed for matching, its unmatched output on its way
            return NO_OPEN_LEFT;
        }
        if (time < saturatedAdd(leftTime, lowerMs) || time > saturatedAdd(leftTime, upperMs))
        {
            lefts.release();
            return OUT_OF_BOUNDS;
        }
        matched.load(leftId, entry);
        lefts.removeAcquired();   // its timer registration is left behind, stale: the visit finds no entry
        matches++;
        return MATCHED;
    }

    /**
     * @return the left of the last {@link #matchRight} that answered {@link #MATCHED}, until the next call.
     */
    public Left matched()
    {
        return matched;
    }

    /**
     * A hint for a left id about to be matched: starts loading its entry. Changes nothing.
     */
    public long prefetch(final long leftId)
    {
        return lefts.prefetch(leftId);
    }

    /**
     * The watermark moved: closes the lefts it passed ({@code time + upper + lateness <= watermark}), a slice of them,
     * all at the end of input ({@link Long#MAX_VALUE}).
     *
     * @return lefts visited (closed, or stale registrations of matched ones).
     */
    public int close(final long watermark)
    {
        closedThrough = Math.max(closedThrough, WindowTimers.closeLimit(watermark, allowedLatenessMs));
        return deadlines.drain(closedThrough, closeLeft, watermark == Long.MAX_VALUE ? Integer.MAX_VALUE : closeSlice);
    }

    /**
     * Goes on closing what the last {@link #close} left due, a slice at most.
     */
    public int closeDue()
    {
        return deadlines.drain(closedThrough, closeLeft, closeSlice);
    }

    /**
     * @return whether lefts are due that a sliced {@link #close} has not closed yet.
     */
    public boolean hasDue()
    {
        return deadlines.due(closedThrough);
    }

    private void closeLeft(final long id, final long handle, final long deadline)
    {
        final MutableDirectBuffer entry = lefts.acquireByHandle(handle, id);
        if (entry == null)
        {
            return;   // matched before its deadline
        }
        if (deadline(entry.getLong(TIME_OFFSET)) != deadline)
        {
            lefts.release();   // the id was matched and opened again since: its own registration closes it
            return;
        }
        unmatched.load(id, entry);
        lefts.removeAcquired();
        listener.onUnmatched(unmatched);
    }

    private long deadline(final long leftTime)
    {
        return DeadlineQueue.deadline(leftTime, upperMs);
    }

    static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0)
        {
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * @return lefts open now.
     */
    public long open()
    {
        return lefts.size();
    }

    /**
     * @return lefts opened and matched since this was built (not snapshotted: diagnostics).
     */
    public long opened()
    {
        return opened;
    }

    public long matches()
    {
        return matches;
    }

    /**
     * Writes the bounds, how far lefts have closed, every open left (with its handle) and the timers. Shard thread.
     */
    public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeLong(lowerMs);
        out.writeLong(upperMs);
        out.writeLong(allowedLatenessMs);
        out.writeInt(payloadFields);
        out.writeLong(closedThrough);
        lefts.writeSnapshot(out);
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
            throw new SnapshotCorruptedException(name + ": the snapshot's join is of format " + format + ", this version reads " + SNAPSHOT_FORMAT);
        }
        final long lower = in.readLong();
        final long upper = in.readLong();
        final long lateness = in.readLong();
        final int payload = in.readInt();
        if (lower != lowerMs || upper != upperMs || lateness != allowedLatenessMs || payload != payloadFields)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's join has bounds [" + lower + ", " + upper + "], lateness " + lateness +
                " and " + payload + " payload fields; this one [" + lowerMs + ", " + upperMs + "], " + allowedLatenessMs + " and " + payloadFields);
        }
        closedThrough = in.readLong();
        lefts.readSnapshot(in);
        deadlines.readSnapshot(in);
    }

    @Override
    public void close()
    {
        lefts.close();
    }
}
