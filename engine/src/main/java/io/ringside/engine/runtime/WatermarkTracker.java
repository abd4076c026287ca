package io.ringside.engine.runtime;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

import java.io.IOException;
import java.util.Arrays;

import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;

/**
 * Computes watermarks in ring order, on the journaler's thread, and stamps them on each slot so that every
 * shard sees the same watermark at the same point of the stream, live and on replay (everything it reads is
 * in the journal: events, their sources, and processing time as TICK slots).
 * <ul>
 *   <li>Each source (source id, partition) has a watermark W_s = max(event time - max out-of-orderness) over
 *   its events, starting at {@link Long#MIN_VALUE}; the arithmetic saturates, it never wraps.</li>
 *   <li>A DATA slot is stamped with its source's W_s <em>before</em> its own event (what judges it late) and
 *   the global W <em>after</em> it (what closes windows).</li>
 *   <li>The global W is the minimum of W_s over active sources, and never goes back. Sources declared up front
 *   ({@link #expect}) hold it at {@link Long#MIN_VALUE} until their first event, so that with several sources the
 *   result does not depend on how they interleave; a source not declared joins at its first event and can hold W
 *   back only from then on.</li>
 *   <li>A source with no event for {@code idleTimeoutMs} of TICK time (processing time, journaled; an event counts
 *   as of the first tick after it) is idle: it
 *   stops holding W back, and is active again at its next event. When every source is idle, W moves on with
 *   TICK time from the largest W_s, so windows close when input stops.</li>
 *   <li>A table source ({@link #excludeFromWatermark}: a compacted topic that fills a keyed table beside the
 *   event sources) has its W_s, which judges its own events late, but takes no part in W: it neither holds W back
 *   nor moves it, so a table read to its end never stalls the windows.</li>
 *   <li>End of input (a SHUTDOWN slot) moves W to {@link Long#MAX_VALUE}.</li>
 * </ul>
 * Journaler thread only; nothing allocates per event once the sources are known.
 */
public final class WatermarkTracker
{
    static final long NO_TICK = Long.MIN_VALUE;

    private final long maxOutOfOrdernessMs;
    private final long idleTimeoutMs;
    private final Long2LongHashMap indexBySource = new Long2LongHashMap(-1);
    private long lastKey;
    private int lastIndex = -1;
    private long[] sourceWatermark = new long[8];
    private long[] lastActiveTickMs = new long[8];
    private boolean[] idle = new boolean[8];
    private boolean[] spokeSinceTick = new boolean[8];
    private boolean[] excluded = new boolean[8];
    private final IntHashSet excludedSourceIds = new IntHashSet();
    private int sources;
    private long watermark = Long.MIN_VALUE;
    private long tickMs = NO_TICK;
    private long allIdleSinceTickMs = NO_TICK;
    private long allIdleBase = Long.MIN_VALUE;

    public WatermarkTracker(final long maxOutOfOrdernessMs, final long idleTimeoutMs)
    {
        this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * Declares a source before any event, so that it holds the watermark back until it has spoken (or is idle).
     */
    public void expect(final int sourceId, final int partition)
    {
        indexOf(sourceId, partition);
    }

    /**
     * Makes every partition of a source a table source: its events are judged against their own W_s but take no part
     * in the global W. Before any event (configuration, not snapshotted: change it only with a replay from the start).
     */
    public void excludeFromWatermark(final int sourceId)
    {
        excludedSourceIds.add(sourceId);
        for (int i = 0; i < sources; i++)
        {
            excluded[i] = excludedSourceIds.contains(sourceIdOf(i));
        }
    }

    private int sourceIdOf(final int index)
    {
        for (final Long2LongHashMap.EntryIterator it = indexBySource.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            if (it.getLongValue() == index)
            {
                return (int)(it.getLongKey() >>> 32);
            }
        }
        return -1;
    }

    /**
     * A DATA slot with its event time set: stamps its source's watermark before it and the global one after.
     */
    public void onData(final Slot slot)
    {
        final int source = indexOf(slot.sourceId, slot.partition);
        slot.sourceWatermark = sourceWatermark[source];
        idle[source] = false;
        spokeSinceTick[source] = true;
        allIdleSinceTickMs = NO_TICK;
        final long candidate = saturatingSubtract(slot.eventTime, maxOutOfOrdernessMs);
        if (candidate > sourceWatermark[source])
        {
            sourceWatermark[source] = candidate;
        }
        advance();
        slot.watermark = watermark;
    }

    /**
     * A TICK slot: its timestamp is processing time (epoch ms). Marks sources idle; stamps the global watermark.
     */
    public void onTick(final Slot slot)
    {
        tickMs = Math.max(tickMs, slot.timestamp);
        if (idleTimeoutMs > 0)
        {
            for (int i = 0; i < sources; i++)
            {
                if (lastActiveTickMs[i] == NO_TICK || spokeSinceTick[i])
                {
                    // activity counts as of the first tick after it: a source is never called idle early
                    lastActiveTickMs[i] = tickMs;
                    spokeSinceTick[i] = false;
                }
                else if (!idle[i] && tickMs - lastActiveTickMs[i] >= idleTimeoutMs)
                {
                    idle[i] = true;
                }
            }
        }
        slot.sourceWatermark = Long.MIN_VALUE;
        advance();
        slot.watermark = watermark;
    }

    /**
     * A SHUTDOWN slot: the end of a bounded input. Every window may close.
     */
    public void onEndOfInput(final Slot slot)
    {
        watermark = Long.MAX_VALUE;
        slot.sourceWatermark = Long.MIN_VALUE;
        slot.watermark = watermark;
    }

    public long watermark()
    {
        return watermark;
    }

    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        out.writeLong(maxOutOfOrdernessMs);
        out.writeLong(idleTimeoutMs);
        out.writeLong(watermark);
        out.writeLong(tickMs);
        out.writeLong(allIdleSinceTickMs);
        out.writeLong(allIdleBase);
        out.writeInt(sources);
        final long[] keys = new long[sources];
        for (final Long2LongHashMap.EntryIterator it = indexBySource.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            keys[(int)it.getLongValue()] = it.getLongKey();
        }
        for (int i = 0; i < sources; i++)
        {
            out.writeLong(keys[i]);
            out.writeLong(sourceWatermark[i]);
            out.writeLong(lastActiveTickMs[i]);
            out.writeBoolean(idle[i]);
            out.writeBoolean(spokeSinceTick[i]);
        }
    }

    /**
     * Reads past what {@link #writeSnapshot} wrote.
     */
    static void skipSnapshot(final SnapshotReader in)
    {
        for (int i = 0; i < 6; i++)
        {
            in.readLong();
        }
        final int count = in.readInt();
        for (int i = 0; i < count; i++)
        {
            in.readLong();
            in.readLong();
            in.readLong();
            in.readInt();
            in.readInt();
        }
    }

    void readSnapshot(final SnapshotReader in)
    {
        final long outOfOrderness = in.readLong();
        final long idleTimeout = in.readLong();
        if (outOfOrderness != maxOutOfOrdernessMs || idleTimeout != idleTimeoutMs)
        {
            throw new SnapshotCorruptedException("the snapshot's watermarks were computed with max out-of-orderness " + outOfOrderness +
                " ms and idle timeout " + idleTimeout + " ms; this engine has " + maxOutOfOrdernessMs + " and " + idleTimeoutMs +
                " (changing them needs a replay from the journal's start)");
        }
        watermark = in.readLong();
        tickMs = in.readLong();
        allIdleSinceTickMs = in.readLong();
        allIdleBase = in.readLong();
        final int count = in.readInt();
        indexBySource.clear();
        lastIndex = -1;
        sources = 0;
        for (int i = 0; i < count; i++)
        {
            final long key = in.readLong();
            final int index = indexOf((int)(key >>> 32), (int)key);
            sourceWatermark[index] = in.readLong();
            lastActiveTickMs[index] = in.readLong();
            idle[index] = in.readBoolean();
            spokeSinceTick[index] = in.readBoolean();
        }
    }

    private void advance()
    {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        int counted = 0;
        for (int i = 0; i < sources; i++)
        {
            if (excluded[i])
            {
                continue;
            }
            counted++;
            max = Math.max(max, sourceWatermark[i]);
            if (!idle[i])
            {
                anyActive = true;
                min = Math.min(min, sourceWatermark[i]);
            }
        }
        final long candidate;
        if (anyActive)
        {
            candidate = min;
        }
        else if (counted > 0 && tickMs != NO_TICK)
        {
            if (allIdleSinceTickMs == NO_TICK)
            {
                allIdleSinceTickMs = tickMs;
                allIdleBase = Math.max(max, watermark);
            }
            candidate = saturatingAdd(allIdleBase, tickMs - allIdleSinceTickMs);
        }
        else
        {
            candidate = Long.MIN_VALUE;
        }
        if (candidate > watermark)
        {
            watermark = candidate;
        }
    }

    private int indexOf(final int sourceId, final int partition)
    {
        final long key = ((long)sourceId << 32) | (partition & 0xFFFF_FFFFL);
        if (key == lastKey && lastIndex >= 0)
        {
            return lastIndex;   // a run of one source's events: no map look-up (a cache miss or two an event)
        }
        final long index = indexBySource.get(key);
        if (index >= 0)
        {
            lastKey = key;
            lastIndex = (int)index;
            return (int)index;
        }
        if (sources == sourceWatermark.length)
        {
            sourceWatermark = Arrays.copyOf(sourceWatermark, sources * 2);
            lastActiveTickMs = Arrays.copyOf(lastActiveTickMs, sources * 2);
            idle = Arrays.copyOf(idle, sources * 2);
            spokeSinceTick = Arrays.copyOf(spokeSinceTick, sources * 2);
            excluded = Arrays.copyOf(excluded, sources * 2);
        }
        excluded[sources] = excludedSourceIds.contains(sourceId);
        sourceWatermark[sources] = Long.MIN_VALUE;
        lastActiveTickMs[sources] = tickMs;
        idle[sources] = false;
        spokeSinceTick[sources] = false;
        indexBySource.put(key, sources);
        lastKey = key;
        lastIndex = sources;
        return sources++;
    }

    public static long saturatingSubtract(final long value, final long amount)
    {
        return value < Long.MIN_VALUE + amount ? Long.MIN_VALUE : value - amount;
    }

    public static long saturatingAdd(final long value, final long amount)
    {
        return value > Long.MAX_VALUE - amount ? Long.MAX_VALUE : value + amount;
    }
}
