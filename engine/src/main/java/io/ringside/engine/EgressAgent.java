package io.ringside.engine;

import java.util.List;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Drains the shards' egress buffers to the sinks, releasing each output only once the journal holds its
 * input durably; keeps each shard's order; offers an output again when a sink throws. Once a second it also
 * refreshes the counters that no hot thread should pay for: heartbeat, events published, ring free slots and
 * each shard's latency percentiles. Egress thread only (but {@link #totalLatency()}).
 */
final class EgressAgent implements Agent, ControlledMessageHandler
{
    private static final int READ_LIMIT = 256;
    private static final long DUTY_INTERVAL_NS = 1_000_000_000L;

    private final OneToOneRingBuffer[] buffers;
    private final OutputSink[] sinks;
    private final int[] nextSink;
    private final Journaler journaler;
    private final EngineCounters counters;
    private final RingBuffer<Slot> ring;
    private final Sequence[] consumerSequences;
    private final SingleWriterRecorder[] latency;
    private final Histogram[] interval;
    private final Histogram total;
    private final Doorbell doorbell;
    private final OutputView view = new OutputView();
    private final ControlledMessageHandler peek = (msgTypeId, buffer, index, length) ->
    {
        peekedPosition = buffer.getLong(index + OutputDescriptor.POSITION_OFFSET);
        return Action.ABORT;
    };
    private SnapshotTaker snapshots;
    private long peekedPosition;
    private EventPublisher ticker;
    private org.agrona.concurrent.EpochClock tickClock;
    private long tickIntervalNs;
    private long lastTickNs;
    private long durable;
    private int shard;
    private long lastDutyNs;
    private boolean dirty;
    private EngineControl control;
    private long sinkFailureTimeoutNs;
    /** When the sinks started failing without a success since, or 0. */
    private long failingSinceNs;

    EgressAgent(
        final OneToOneRingBuffer[] buffers, final List<OutputSink> sinks, final Journaler journaler, final EngineCounters counters,
        final RingBuffer<Slot> ring, final Sequence[] consumerSequences, final SingleWriterRecorder[] latency, final Doorbell doorbell)
    {
        this.buffers = buffers;
        this.sinks = sinks.toArray(new OutputSink[0]);
        this.nextSink = new int[buffers.length];
        this.journaler = journaler;
        this.counters = counters;
        this.ring = ring;
        this.consumerSequences = consumerSequences;
        this.latency = latency;
        this.interval = new Histogram[latency.length];
        this.total = new Histogram(ShardRunner.MAX_LATENCY_NS, 3);
        this.doorbell = doorbell;
    }

    @Override
    public void onStart()
    {
        if (doorbell != null)
        {
            doorbell.register(Thread.currentThread());
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (sinks.length > 0)
        {
            durable = journaler.durablePosition();
            for (int i = 0; i < buffers.length; i++)
            {
                shard = i;
                work += buffers[i].controlledRead(this, READ_LIMIT);
            }
            if (work > 0 || dirty)
            {
                flushSinks();
            }
            completeSnapshots();
        }
        final long now = System.nanoTime();
        if (ticker != null && now - lastTickNs >= tickIntervalNs)
        {
            lastTickNs = now;
            // a ring more than half full means backpressure: its sources are throttled, not idle
            if (ring.remainingCapacity() > ring.getBufferSize() / 2 && ticker.tryPublishTick(tickClock.time()))
            {
                work++;
            }
        }
        if (now - lastDutyNs >= DUTY_INTERVAL_NS)
        {
            lastDutyNs = now;
            duty();
        }
        return work;
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (buffer.getLong(index + OutputDescriptor.POSITION_OFFSET) >= durable)
        {
            return Action.ABORT;
        }
        view.wrapRecord((UnsafeBuffer)buffer, index, length);
        for (int s = nextSink[shard]; s < sinks.length; s++)
        {
            try
            {
                sinks[s].onOutput(view);
            }
            catch (final Exception ex)
            {
                nextSink[shard] = s;
                sinkFailed(sinks[s], ex);
                return Action.ABORT;
            }
        }
        nextSink[shard] = 0;
        failingSinceNs = 0;
        dirty = true;
        counters.delivered.incrementRelease();
        return Action.CONTINUE;
    }

    void snapshots(final SnapshotTaker snapshots)
    {
        this.snapshots = snapshots;
    }

    /**
     * The blocking wait's re-check, after it has announced that it sleeps and before it parks: whether there is
     * something a wake-up may have been rung for meanwhile (the durable position moved since the last pass, an output
     * below it waits in a buffer, a snapshot can complete), so that a ring racing with going to sleep is not left to
     * the 10 ms backstop. A failing sink is retried at the backstop's pace, as before. Egress thread; a volatile read
     * and a peek per buffer.
     */
    boolean hasWork()
    {
        if (sinks.length == 0 || dirty || failingSinceNs != 0)
        {
            return false;   // none, or a failing sink: retried at the wait's own pace, not in a spin
        }
        final long durableNow = journaler.durablePosition();
        if (durableNow != durable)
        {
            return true;
        }
        final SnapshotTaker.Pending pending = snapshots == null ? null : snapshots.awaitingDelivery();
        if (pending != null && deliveredBelow(pending.position))
        {
            return true;
        }
        for (final OneToOneRingBuffer buffer : buffers)
        {
            peekedPosition = Long.MAX_VALUE;
            buffer.controlledRead(peek, 1);
            if (peekedPosition < durableNow)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A snapshot at S waits until every output caused below S has reached the sinks and been flushed: replay from S
     * will not make them again.
     */
    private void completeSnapshots()
    {
        if (snapshots == null)
        {
            return;
        }
        SnapshotTaker.Pending pending;
        while (!dirty && (pending = snapshots.awaitingDelivery()) != null && deliveredBelow(pending.position))
        {
            snapshots.delivered(pending);
        }
    }

    private boolean deliveredBelow(final long position)
    {
        for (final OneToOneRingBuffer buffer : buffers)
        {
            peekedPosition = Long.MAX_VALUE;
            buffer.controlledRead(peek, 1);
            if (peekedPosition < position)
            {
                return false;
            }
        }
        return true;
    }

    private void flushSinks()
    {
        boolean failed = false;
        for (final OutputSink sink : sinks)
        {
            try
            {
                sink.flush();
            }
            catch (final Exception ex)
            {
                failed = true;
                sinkFailed(sink, ex);
            }
        }
        dirty = failed;
    }

    /**
     * Counts and records a sink's failure; its output (or flush) is tried again. A sink that has failed without a
     * success in between for longer than {@link EngineContext#sinkFailureTimeoutMs} fails the engine: otherwise the egress
     * buffers fill, the shards wait, the ring fills and the publishers wait, for ever.
     */
    private void sinkFailed(final OutputSink sink, final Exception error)
    {
        counters.sinkErrors.incrementRelease();
        counters.recordError(error);
        final long now = System.nanoTime();
        if (failingSinceNs == 0)
        {
            failingSinceNs = now;
        }
        else if (control != null && now - failingSinceNs > sinkFailureTimeoutNs)
        {
            control.fail(new EngineFailedException("the sink " + sink + " has failed for " + (now - failingSinceNs) / 1_000_000 +
                " ms without a success (EngineContext.sinkFailureTimeoutMs): " + error, error));
        }
    }

    /**
     * @param control           failed when a sink keeps failing.
     * @param failureTimeoutMs how long a sink may fail without a success.
     */
    void failOnSinkFailure(final EngineControl control, final long failureTimeoutMs)
    {
        this.control = control;
        this.sinkFailureTimeoutNs = failureTimeoutMs * 1_000_000L;
    }

    /**
     * Publishes a TICK every {@code intervalMs} from this agent's thread (processing time enters the stream only so).
     */
    void ticker(final EventPublisher ticker, final long intervalMs, final org.agrona.concurrent.EpochClock clock)
    {
        this.ticker = ticker;
        this.tickClock = clock;
        this.tickIntervalNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }

    /**
     * @return true once every shard's egress buffer is empty (always, without sinks: there are no buffers).
     */
    boolean isDrained()
    {
        for (final OneToOneRingBuffer buffer : buffers)
        {
            if (buffer != null && buffer.size() > 0)
            {
                return false;
            }
        }
        return true;
    }

    void duty()
    {
        counters.heartbeat.setRelease(System.currentTimeMillis());
        final long cursor = ring.getCursor();
        counters.published.setRelease(cursor + 1);
        long min = cursor;
        for (final Sequence sequence : consumerSequences)
        {
            min = Math.min(min, sequence.get());
        }
        counters.ringFree.setRelease(ring.getBufferSize() - (cursor - min));
        for (int i = 0; i < latency.length; i++)
        {
            interval[i] = latency[i].getIntervalHistogram(interval[i]);
            final Histogram h = interval[i];
            if (h.getTotalCount() > 0)
            {
                counters.latencyP50[i].setRelease(h.getValueAtPercentile(50));
                counters.latencyP99[i].setRelease(h.getValueAtPercentile(99));
                counters.latencyP999[i].setRelease(h.getValueAtPercentile(99.9));
                counters.latencyMax[i].setRelease(h.getMaxValue());
                synchronized (total)
                {
                    total.add(h);
                }
            }
        }
    }

    /**
     * @return a copy of every latency recorded since start, up to the last duty cycle. Any thread.
     */
    Histogram totalLatency()
    {
        synchronized (total)
        {
            return total.copy();
        }
    }

    @Override
    public void onClose()
    {
        if (sinks.length > 0)
        {
            durable = journaler.durablePosition();
            for (int i = 0; i < buffers.length; i++)
            {
                shard = i;
                while (buffers[i].controlledRead(this, READ_LIMIT) > 0)
                {
                    // deliver what is durable; what is not stays for replay after a restart
                }
            }
            flushSinks();
        }
        duty();
    }

    @Override
    public String roleName()
    {
        return "ringside-egress";
    }
}
