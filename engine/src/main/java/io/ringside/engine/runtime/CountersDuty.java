package io.ringside.engine.runtime;

import io.ringside.engine.EngineCounters;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.Agent;

/**
 * Once a second, refreshes the counters that no hot thread should pay for: heartbeat, events published, ring free slots
 * and each shard's latency percentiles over the last second (and keeps their sum since start). Runs on the egress
 * thread, and once more when it closes.
 */
public final class CountersDuty implements Agent
{
    private static final long INTERVAL_NS = 1_000_000_000L;

    private final EngineCounters counters;
    private final RingBuffer<Slot> ring;
    private final Sequence[] consumerSequences;
    private final SingleWriterRecorder[] latency;
    private final Histogram[] interval;
    private final Histogram total = new Histogram(ShardRunner.MAX_LATENCY_NS, 3);
    private long lastNs;

    public CountersDuty(final EngineCounters counters, final RingBuffer<Slot> ring, final Sequence[] consumerSequences,
        final SingleWriterRecorder[] latency)
    {
        this.counters = counters;
        this.ring = ring;
        this.consumerSequences = consumerSequences;
        this.latency = latency;
        this.interval = new Histogram[latency.length];
    }

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        if (now - lastNs >= INTERVAL_NS)
        {
            lastNs = now;
            refresh();
        }
        return 0;
    }

    void refresh()
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
     * @return a copy of every latency recorded since start, up to the last refresh. Any thread.
     */
    public Histogram totalLatency()
    {
        synchronized (total)
        {
            return total.copy();
        }
    }

    @Override
    public void onClose()
    {
        refresh();
    }

    @Override
    public String roleName()
    {
        return "ringside-counters";
    }
}
