package io.ringside.engine.state;

import java.util.Arrays;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * Items (an id and a handle each) due at event-time deadlines, visited earliest deadline first and, at one deadline, in
 * the order of their ids: the order a join's unmatched sides or a pattern's decisions are emitted in ("event time, then
 * id"), whatever order they arrived in. Built on {@link WindowTimers} (a timing wheel and an overflow heap): one deadline's
 * registrations are taken off it whole into a staging array, sorted by id there (insertion sort for the few a
 * millisecond holds, heapsort past {@value #INSERTION_SORT_MAX}; neither allocates), then visited a budget at a time
 * ({@link #drain}), so that a slice between two events is bounded whatever the deadline holds.
 * <p>
 * A registration may be stale (its item went before its deadline, matched or removed): the visitor tells it by the handle
 * and says so; it costs a unit of the budget like any other. The staging array grows (an allocation) only past its peak.
 * <p>
 * <b>Thread safety:</b> one thread (the owning operator's).
 */
final class DeadlineQueue
{
    /** Visits one due item. */
    @FunctionalInterface
    interface Visitor
    {
        void onDue(long id, long handle, long deadline);
    }

    static final int INSERTION_SORT_MAX = 32;

    private final WindowTimers timers = new WindowTimers();
    private long[] stagedIds = new long[64];
    private long[] stagedHandles = new long[64];
    private int staged;
    private int next;
    private long stagedDeadline;
    private final WindowTimers.ArmedKey stage = (id, handle, deadline, limit) ->
    {
        stage(id, handle);
        return true;
    };

    /**
     * @return {@code time + plusMs} as a deadline: saturating instead of wrapping, and at most {@code Long.MAX_VALUE - 1}
     * ({@link WindowTimers} reads {@link Long#MAX_VALUE} as "none"). With an allowed lateness of 1 ms or more that changes
     * nothing: a deadline past {@code Long.MAX_VALUE - 1} comes due only at the end of input, either way.
     */
    static long deadline(final long time, final long plusMs)
    {
        final long sum = time + plusMs;
        if (((time ^ sum) & (plusMs ^ sum)) < 0)
        {
            return plusMs < 0 ? Long.MIN_VALUE : Long.MAX_VALUE - 1;
        }
        return Math.min(sum, Long.MAX_VALUE - 1);
    }

    /**
     * Registers an item due at {@code deadline} (it comes out once a drain's limit reaches the deadline).
     */
    void arm(final long id, final long handle, final long deadline)
    {
        timers.arm(id, handle, deadline);
    }

    /**
     * @return whether an item is due at or below {@code limit}, or staged and not yet visited.
     */
    boolean due(final long limit)
    {
        return next < staged || timers.due(limit);
    }

    /**
     * Visits due items, at most {@code budget}: first what is left of the deadline staged last, then each deadline at or
     * below {@code limit}, earliest first, its items in id order.
     *
     * @return items visited (stale ones included).
     */
    int drain(final long limit, final Visitor visitor, final int budget)
    {
        int done = 0;
        while (done < budget)
        {
            if (next == staged)
            {
                staged = 0;
                next = 0;
                if (!timers.due(limit))
                {
                    break;
                }
                stagedDeadline = timers.nextDeadline(limit);
                timers.closeArmed(stagedDeadline, stage);
                sortById(stagedIds, stagedHandles, staged);
                if (staged == 0)
                {
                    continue;
                }
            }
            final int at = next++;   // consumed before the visit: a visit that throws is not repeated
            done++;
            visitor.onDue(stagedIds[at], stagedHandles[at], stagedDeadline);
        }
        return done;
    }

    private void stage(final long id, final long handle)
    {
        if (staged == stagedIds.length)
        {
            stagedIds = Arrays.copyOf(stagedIds, staged * 2);
            stagedHandles = Arrays.copyOf(stagedHandles, staged * 2);
        }
        stagedIds[staged] = id;
        stagedHandles[staged] = handle;
        staged++;
    }

    /**
     * @return registrations pending (stale ones included) and staged items not yet visited.
     */
    long pending()
    {
        return timers.registrations() + (staged - next);
    }

    /**
     * Sorts {@code ids[0, n)} ascending, moving {@code handles} with them, without allocating.
     */
    static void sortById(final long[] ids, final long[] handles, final int n)
    {
        if (n <= INSERTION_SORT_MAX)
        {
            for (int i = 1; i < n; i++)
            {
                final long id = ids[i];
                final long handle = handles[i];
                int j = i - 1;
                while (j >= 0 && ids[j] > id)
                {
                    ids[j + 1] = ids[j];
                    handles[j + 1] = handles[j];
                    j--;
                }
                ids[j + 1] = id;
                handles[j + 1] = handle;
            }
            return;
        }
        for (int i = n / 2 - 1; i >= 0; i--)
        {
            siftDown(ids, handles, i, n);
        }
        for (int end = n - 1; end > 0; end--)
        {
            swap(ids, handles, 0, end);
            siftDown(ids, handles, 0, end);
        }
    }

    private static void siftDown(final long[] ids, final long[] handles, final int from, final int n)
    {
        int i = from;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= n)
            {
                return;
            }
            final int right = left + 1;
            final int larger = right < n && ids[right] > ids[left] ? right : left;
            if (ids[i] >= ids[larger])
            {
                return;
            }
            swap(ids, handles, i, larger);
            i = larger;
        }
    }

    private static void swap(final long[] ids, final long[] handles, final int a, final int b)
    {
        final long id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
        final long handle = handles[a];
        handles[a] = handles[b];
        handles[b] = handle;
    }

    /**
     * Writes what is left of the staged deadline, then the timers.
     */
    void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(stagedDeadline);
        out.writeInt(staged - next);
        for (int i = next; i < staged; i++)
        {
            out.writeLong(stagedIds[i]);
            out.writeLong(stagedHandles[i]);
        }
        timers.writeSnapshot(out);
    }

    /**
     * Replaces the state with that of {@link #writeSnapshot}, on a fresh instance.
     */
    void readSnapshot(final SnapshotReader in)
    {
        if (pending() != 0)
        {
            throw new IllegalStateException("read a deadline queue's snapshot into a fresh instance");
        }
        stagedDeadline = in.readLong();
        final int count = in.readInt();
        if (count < 0 || count * 16L > in.remaining())
        {
            throw new SnapshotCorruptedException("the snapshot says " + count + " staged items but holds " + in.remaining() + " bytes");
        }
        staged = 0;
        next = 0;
        for (int i = 0; i < count; i++)
        {
            final long id = in.readLong();
            stage(id, in.readLong());
        }
        timers.readSnapshot(in);
    }
}
