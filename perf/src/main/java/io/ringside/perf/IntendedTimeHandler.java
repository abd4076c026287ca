package io.ringside.perf;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;

/**
 * Times a real {@link ShardHandler} whose events have no room for an intended send time: the publisher
 * {@link #stamp stamps} its n-th event's intended time into a preallocated ring of longs, and this handler,
 * after the delegate's {@link ShardHandler#onEvent} for its n-th event has <em>returned</em> (the decision is
 * made), records the latency from that time with an {@link IntendedLatencyRecorder} (measured events only).
 * Everything else ({@link #onWatermark}, {@link #prefetchEarly}, {@link #prefetch}, {@link #hasDueWork}, {@link #onClose}) goes
 * straight to the delegate. Not {@link io.ringside.engine.Snapshottable}: the engine takes no snapshots of it.
 * <p>
 * For one shard fed by one publisher only, so that the handler's n-th event is the publisher's n-th: each
 * event's source offset must be its number, as {@link #stamp} returns it. The ring must hold more events than
 * can be in flight (the engine's ring size); each slot also keeps its event's number, so a slot overwritten
 * too early, or an event out of turn, fails the event ({@link IllegalStateException}) instead of timing the
 * wrong one. Allocates nothing per event.
 * <p>
 * <b>Thread safety:</b> {@link #stamp} on the publisher thread, before the event is committed (the commit
 * publishes the slot); the rest on the shard thread.
 */
final class IntendedTimeHandler implements ShardHandler
{
    private final ShardHandler delegate;
    private final IntendedLatencyRecorder recorder;
    /** Two longs per event: its intended send time, then its number n if measured, -1 - n if warm-up. */
    private final long[] slots;
    private final long mask;
    private long stamped;
    private long handled;

    /**
     * @param capacity events the ring of intended times holds, a power of two above the events in flight.
     */
    IntendedTimeHandler(final ShardHandler delegate, final IntendedLatencyRecorder recorder, final int capacity)
    {
        if (capacity < 1 || Integer.bitCount(capacity) != 1 || capacity > 1 << 29)
        {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^29, was " + capacity);
        }
        this.delegate = delegate;
        this.recorder = recorder;
        this.slots = new long[2 * capacity];
        this.mask = capacity - 1;
    }

    /**
     * Keeps the intended send time of the next event. Publisher thread, before it commits that event.
     *
     * @param intendedNs the nanotime the event was scheduled to be sent at.
     * @param phase      {@link LatencyEventDescriptor#WARM_UP} or {@link LatencyEventDescriptor#MEASURED}.
     * @return the event's number, from 0: publish the event with it as its source offset.
     */
    long stamp(final long intendedNs, final long phase)
    {
        final long n = stamped++;
        final int slot = slot(n);
        slots[slot] = intendedNs;
        slots[slot + 1] = phase == LatencyEventDescriptor.MEASURED ? n : -1 - n;
        return n;
    }

    @Override
    public void onEvent(final Event event, final ShardContext context) throws Exception
    {
        delegate.onEvent(event, context);
        final long nowNs = System.nanoTime();
        final long n = handled++;
        final int slot = slot(n);
        final long tag = slots[slot + 1];
        if (event.sourceOffset() != n || (tag != n && tag != -1 - n))
        {
            throw new IllegalStateException("event " + n + " (source offset " + event.sourceOffset() + ") finds the intended time of event " +
                (tag < 0 ? -1 - tag : tag) + ": more than one publisher or shard, or more events in flight than the ring holds (" +
                (mask + 1) + ")");
        }
        if (tag == n)
        {
            recorder.record(slots[slot], nowNs);
        }
    }

    @Override
    public void onWatermark(final long watermark, final ShardContext context) throws Exception
    {
        delegate.onWatermark(watermark, context);
    }

    @Override
    public long prefetchEarly(final Event event)
    {
        return delegate.prefetchEarly(event);
    }

    @Override
    public long prefetch(final Event event)
    {
        return delegate.prefetch(event);
    }

    @Override
    public boolean hasDueWork()
    {
        return delegate.hasDueWork();
    }

    @Override
    public void onClose() throws Exception
    {
        delegate.onClose();
    }

    /**
     * @return events whose decision was made so far (warm-up included). Shard thread, or after it stopped.
     */
    long handled()
    {
        return handled;
    }

    private int slot(final long n)
    {
        return (int)(n & mask) << 1;
    }
}
