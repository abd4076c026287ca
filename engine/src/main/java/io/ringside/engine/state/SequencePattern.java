package io.ringside.engine.state;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.MutableDirectBuffer;

/**
 * An event-time sequence per key, "step 0 followed by step 1 ... followed by step n-1 within T" (Esper's {@code ->},
 * Flink CEP's {@code followedBy ... within}), decided when the watermark makes the answer final, so that it does not
 * depend on the order events arrive in. With two steps it is "A followed by B within T".
 * <p>
 * The caller says which step an event is ({@link #add}; an event may be added as several steps). An event of the last
 * step, the trigger B, is decided once the watermark reaches {@code B.time + allowedLateness}: by then any event earlier
 * than B that arrives is late. The match is chosen backwards from B by a declared rule: for each step from n-2 down to
 * 0, the event of that step strictly earlier than the one chosen after it with the <b>largest time, ties the smallest
 * id</b>, and every chosen event at or after {@code B.time - T}. If each step has one, the listener gets the ids, one per
 * step. Events of earlier steps are not consumed: one may be part of several matches. (Choosing the most recent at each
 * step never misses a match: an earlier choice would leave fewer candidates for the steps before it.)
 * <p>
 * The same operator decides an absence, "A <b>not</b> followed by B within T" ({@link #notFollowedBy}): there A is the
 * trigger, decided once the watermark reaches {@code A.time + T + allowedLateness}, and it matches (the listener gets
 * {@code [A.id, -1]}) when no B of its key has {@code A.time < B.time <= A.time + T}; the Bs are kept in the list an
 * earlier step's events would be, for as long.
 * <p>
 * Decisions come out in order of the trigger's time, then its id ({@link DeadlineQueue}); closing is sliced like
 * {@link KeyedWindows}: {@link #close(long)}, {@link #closeDue()}, {@link #hasDue()}; the end of input
 * ({@link Long#MAX_VALUE}) decides everything at once. An event of an earlier step is kept while a trigger could still
 * use it: until the watermark passes {@code time + T + allowedLateness}, T rounded up to a whole second (every trigger
 * that could use it is then decided: expiries run only once no decision is due).
 * <p>
 * State, off-heap: per key, one list per earlier step, newest first (time descending, then id ascending), of records in
 * a {@link RecordSlab}; the heads and tails in a {@link KeyedStore} entry per key, removed when the key's lists are
 * empty. A trigger is only a timer registration (its id, its key, its time as the deadline). Per event: one look-up and
 * an insertion that walks past the key's events newer than it (few: events arrive nearly in time order); per decision:
 * one look-up and a walk from the newest event of each step to the first older than the bound. Nothing is allocated.
 * <pre>
 *   key entry:  per earlier step s: 16 * s: head record + 1 (0: empty)   16 * s + 8: tail record + 1
 *   record:     0: time   8: id   16: key   24: previous record + 1   32: next record + 1   40: its list (a step)
 * </pre>
 * <b>Thread safety:</b> one thread (the shard's).
 */
public final class SequencePattern implements AutoCloseable
{
    /** Marks the snapshot layout (format 1). */
    static final long SNAPSHOT_FORMAT = 0x52494E4753510001L;
    private static final int NONE = -1;
    private static final int TIME = 0;
    private static final int ID = 1;
    private static final int KEY = 2;
    private static final int PREV = 3;
    private static final int NEXT = 4;
    private static final int LIST = 5;
    private static final int RECORD_WORDS = 6;
    /** Expiries are due at whole multiples of this (see {@link #expiry}). */
    static final long EXPIRY_GRANULARITY_MS = 1_000;

    /** Receives a match. */
    @FunctionalInterface
    public interface MatchListener
    {
        /**
         * @param ids {@code ids[s]} is the id of the event chosen for step s, the last one the trigger's; valid during
         *            the call only.
         */
        void onMatch(long key, long[] ids);
    }

    private final String name;
    private final int steps;
    private final boolean absence;
    private final long withinMs;
    private final long allowedLatenessMs;
    private final int closeSlice;
    private final MatchListener listener;
    private final KeyedStore heads;
    private final RecordSlab records;
    private final DeadlineQueue decisions = new DeadlineQueue();
    private final WindowTimers expiries = new WindowTimers();
    private final long[] ids;
    private final DeadlineQueue.Visitor decide;
    private final WindowTimers.ArmedKey expire = (id, record, deadline, limit) -> expire((int)record);
    private long closedThrough = Long.MIN_VALUE;
    private long matches;

    /**
     * @param steps             events in the sequence, at least 2 (the last is the trigger).
     * @param withinMs          T: every chosen event at or after {@code trigger.time - T}; not negative.
     * @param allowedLatenessMs how long after its time a trigger may still be joined by earlier events.
     * @param expectedKeys      keys holding events of earlier steps at once.
     * @param expectedEvents    events of earlier steps held at once (made up front).
     * @param closeSlice        decisions and expiries at most per {@link #close}/{@link #closeDue}.
     */
    public SequencePattern(final String name, final int steps, final long withinMs, final long allowedLatenessMs, final long expectedKeys,
        final long expectedEvents, final int closeSlice, final MatchListener listener)
    {
        this(name, steps, false, withinMs, allowedLatenessMs, expectedKeys, expectedEvents, closeSlice, listener);
    }

    /**
     * "A not followed by B within T": A (step 0) matches, decided once the watermark reaches
     * {@code A.time + T + allowedLatenessMs}, when no B (step 1) of its key has {@code A.time < B.time <= A.time + T};
     * the listener gets {@code [A.id, -1]}. The other parameters are the constructor's.
     */
    public static SequencePattern notFollowedBy(final String name, final long withinMs, final long allowedLatenessMs, final long expectedKeys,
        final long expectedEvents, final int closeSlice, final MatchListener listener)
    {
        return new SequencePattern(name, 2, true, withinMs, allowedLatenessMs, expectedKeys, expectedEvents, closeSlice, listener);
    }

    private SequencePattern(final String name, final int steps, final boolean absence, final long withinMs, final long allowedLatenessMs,
        final long expectedKeys, final long expectedEvents, final int closeSlice, final MatchListener listener)
    {
        if (steps < 2 || steps > 64 || withinMs < 0 || allowedLatenessMs < 0 || closeSlice < 1)
        {
            throw new IllegalArgumentException(name + ": 2 to 64 steps, T and lateness not negative, a positive slice; were " + steps + ", " +
                withinMs + ", " + allowedLatenessMs + ", " + closeSlice);
        }
        this.name = name;
        this.steps = steps;
        this.absence = absence;
        this.decide = absence ? this::decideAbsence : this::decide;
        this.withinMs = withinMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.closeSlice = closeSlice;
        this.listener = listener;
        this.ids = new long[steps];
        this.heads = new KeyedStore(name, expectedKeys, 16 * (steps - 1));
        RecordSlab slab = null;
        try
        {
            slab = new RecordSlab(RECORD_WORDS, expectedEvents);
        }
        finally
        {
            if (slab == null)
            {
                heads.close();
            }
        }
        this.records = slab;
    }

    /**
     * Adds an event of {@code step} (0 .. steps - 1) for {@code key}. The last step is decided once final; an earlier
     * step's event is kept for the triggers that may use it.
     */
    public void add(final long key, final int step, final long id, final long time)
    {
        if (step < 0 || step >= steps)
        {
            throw new IllegalArgumentException(name + ": step " + step + " of a sequence of " + steps);
        }
        if (time == Long.MAX_VALUE)
        {
            throw new IllegalArgumentException(name + ": an event at Long.MAX_VALUE, the end of input's watermark");
        }
        if (absence && step == 0)
        {
            final int trigger = records.allocate();   // its time and key, for the decision at time + T
            records.put(trigger, TIME, time);
            records.put(trigger, ID, id);
            records.put(trigger, KEY, key);
            decisions.arm(id, trigger, DeadlineQueue.deadline(time, withinMs));
            return;
        }
        if (!absence && step == steps - 1)
        {
            decisions.arm(id, key, time);
            return;
        }
        final int list = absence ? 0 : step;
        final int record = records.allocate();
        records.put(record, TIME, time);
        records.put(record, ID, id);
        records.put(record, KEY, key);
        records.put(record, LIST, list);
        final MutableDirectBuffer entry = heads.acquire(key);
        try
        {
            insert(entry, list, record, time, id);
        }
        finally
        {
            heads.release();
        }
        expiries.arm(id, record, expiry(time));
    }

    /**
     * @return when an event kept at {@code time} may go: {@code time + T}, rounded up to a whole
     * {@value #EXPIRY_GRANULARITY_MS} ms. Only memory depends on it (a decision checks every bound itself), and whole
     * seconds keep the timers' deadlines few: {@code T} is often beyond the timing wheel's span, and each distinct
     * deadline there is an entry of its overflow heap.
     */
    private long expiry(final long time)
    {
        final long deadline = DeadlineQueue.deadline(time, withinMs);
        if (deadline < Long.MIN_VALUE + EXPIRY_GRANULARITY_MS || deadline > Long.MAX_VALUE - 1 - EXPIRY_GRANULARITY_MS)
        {
            return deadline;
        }
        final long rest = Math.floorMod(deadline, EXPIRY_GRANULARITY_MS);
        return rest == 0 ? deadline : deadline - rest + EXPIRY_GRANULARITY_MS;
    }

    /**
     * Links the record into the step's list, newest first: after every record with a larger time, or the same time and a
     * smaller id.
     */
    private void insert(final MutableDirectBuffer entry, final int step, final int record, final long time, final long id)
    {
        int previous = NONE;
        int current = (int)entry.getLong(16 * step) - 1;
        while (current != NONE)
        {
            final long currentTime = records.get(current, TIME);
            if (currentTime < time || (currentTime == time && records.get(current, ID) > id))
            {
                break;
            }
            previous = current;
            current = (int)records.get(current, NEXT) - 1;
        }
        records.put(record, PREV, previous + 1L);
        records.put(record, NEXT, current + 1L);
        if (previous == NONE)
        {
            entry.putLong(16 * step, record + 1L);
        }
        else
        {
            records.put(previous, NEXT, record + 1L);
        }
        if (current == NONE)
        {
            entry.putLong(16 * step + 8, record + 1L);
        }
        else
        {
            records.put(current, PREV, record + 1L);
        }
    }

    private void unlink(final MutableDirectBuffer entry, final int step, final int record)
    {
        final int previous = (int)records.get(record, PREV) - 1;
        final int next = (int)records.get(record, NEXT) - 1;
        if (previous == NONE)
        {
            entry.putLong(16 * step, next + 1L);
        }
        else
        {
            records.put(previous, NEXT, next + 1L);
        }
        if (next == NONE)
        {
            entry.putLong(16 * step + 8, previous + 1L);
        }
        else
        {
            records.put(next, PREV, previous + 1L);
        }
    }

    private void decide(final long id, final long key, final long time)
    {
        final MutableDirectBuffer entry = heads.acquireIfPresent(key);
        if (entry == null)
        {
            return;
        }
        boolean found = true;
        try
        {
            final long lower = IntervalJoin.saturatedAdd(time, -withinMs);
            long upper = time;
            for (int step = steps - 2; step >= 0; step--)
            {
                int current = (int)entry.getLong(16 * step) - 1;
                while (current != NONE && records.get(current, TIME) >= upper)
                {
                    current = (int)records.get(current, NEXT) - 1;
                }
                if (current == NONE || records.get(current, TIME) < lower)
                {
                    found = false;
                    break;
                }
                ids[step] = records.get(current, ID);
                upper = records.get(current, TIME);
            }
        }
        finally
        {
            heads.release();
        }
        if (found)
        {
            ids[steps - 1] = id;
            matches++;
            listener.onMatch(key, ids);
        }
    }

    /**
     * An absence's trigger A, now final: a match unless a B of its key lies in (A.time, A.time + T].
     */
    private void decideAbsence(final long id, final long trigger, final long deadline)
    {
        final int record = (int)trigger;
        final long key = records.get(record, KEY);
        final long time = records.get(record, TIME);
        records.release(record);
        final MutableDirectBuffer entry = heads.acquireIfPresent(key);
        boolean followed = false;
        if (entry != null)
        {
            final long upper = IntervalJoin.saturatedAdd(time, withinMs);
            int current = (int)entry.getLong(0) - 1;
            while (current != NONE && records.get(current, TIME) > upper)
            {
                current = (int)records.get(current, NEXT) - 1;
            }
            followed = current != NONE && records.get(current, TIME) > time;
            heads.release();
        }
        if (!followed)
        {
            ids[0] = id;
            ids[1] = -1;
            matches++;
            listener.onMatch(key, ids);
        }
    }

    private boolean expire(final int record)
    {
        final long key = records.get(record, KEY);
        final MutableDirectBuffer entry = heads.acquireIfPresent(key);
        if (entry == null)
        {
            throw new IllegalStateException(name + ": key " + key + " of a held event has no lists");
        }
        unlink(entry, (int)records.get(record, LIST), record);
        records.release(record);
        for (int step = 0; step < steps - 1; step++)
        {
            if (entry.getLong(16 * step) != 0)
            {
                heads.release();
                return true;
            }
        }
        heads.removeAcquired();
        return true;
    }

    /**
     * The watermark moved: decides the triggers it made final ({@code time + lateness <= watermark}), then drops the
     * events no trigger can use any more; a slice of them, all at the end of input ({@link Long#MAX_VALUE}).
     *
     * @return decisions and expiries done.
     */
    public int close(final long watermark)
    {
        closedThrough = Math.max(closedThrough, WindowTimers.closeLimit(watermark, allowedLatenessMs));
        return closeSlice(watermark == Long.MAX_VALUE ? Integer.MAX_VALUE : closeSlice);
    }

    /**
     * Goes on with what the last {@link #close} left due, a slice at most.
     */
    public int closeDue()
    {
        return closeSlice(closeSlice);
    }

    /**
     * @return whether decisions or expiries are due that a sliced {@link #close} has not done yet.
     */
    public boolean hasDue()
    {
        return decisions.due(closedThrough) || expiries.due(closedThrough);
    }

    private int closeSlice(final int budget)
    {
        int done = 0;
        while (done < budget)
        {
            if (decisions.due(closedThrough))
            {
                done += decisions.drain(closedThrough, decide, budget - done);
            }
            else if (expiries.due(closedThrough))
            {
                // every decision due is done: no trigger that could use these events is left undecided
                expiries.closeArmed(closedThrough, expire, budget - done);
                done += expiries.consumed();
            }
            else
            {
                break;
            }
        }
        return done;
    }

    /**
     * @return events of earlier steps held now.
     */
    public long heldEvents()
    {
        return records.live();
    }

    /**
     * @return matches since this was built (not snapshotted: diagnostics).
     */
    public long matches()
    {
        return matches;
    }

    /**
     * Writes the pattern's shape, how far it has decided, the keys' lists, the held events and the timers. Shard thread.
     */
    public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeInt(steps);
        out.writeBoolean(absence);
        out.writeLong(withinMs);
        out.writeLong(allowedLatenessMs);
        out.writeLong(closedThrough);
        heads.writeSnapshot(out);
        records.writeSnapshot(out);
        decisions.writeSnapshot(out);
        expiries.writeSnapshot(out);
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
            throw new SnapshotCorruptedException(name + ": the snapshot's pattern is of format " + format + ", this version reads " +
                SNAPSHOT_FORMAT);
        }
        final int writtenSteps = in.readInt();
        final boolean writtenAbsence = in.readBoolean();
        final long within = in.readLong();
        final long lateness = in.readLong();
        if (writtenSteps != steps || writtenAbsence != absence || within != withinMs || lateness != allowedLatenessMs)
        {
            throw new SnapshotCorruptedException(name + ": the snapshot's pattern has " + writtenSteps + " steps within " + within +
                " ms, lateness " + lateness + "; this one " + steps + ", " + withinMs + ", " + allowedLatenessMs);
        }
        closedThrough = in.readLong();
        heads.readSnapshot(in);
        records.readSnapshot(in);
        decisions.readSnapshot(in);
        expiries.readSnapshot(in);
    }

    @Override
    public void close()
    {
        try
        {
            heads.close();
        }
        finally
        {
            records.close();
        }
    }
}
