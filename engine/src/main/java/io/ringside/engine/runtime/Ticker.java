package io.ringside.engine.runtime;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;

import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.RingBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

/**
 * Brings processing time into the stream: publishes a TICK every {@link EngineContext#tickIntervalMs()}, the only way
 * processing time reaches the journal (idle sources are judged on ticks). A ring more than half full means back
 * pressure: its sources are throttled, not idle, so no tick is published then. Runs on the egress thread.
 */
public final class Ticker implements Agent
{
    private final EventPublisher publisher;
    private final RingBuffer<Slot> ring;
    private final EpochClock clock;
    private final long intervalNs;
    private long lastTickNs;

    public Ticker(final EventPublisher publisher, final RingBuffer<Slot> ring, final long intervalMs, final EpochClock clock)
    {
        this.publisher = publisher;
        this.ring = ring;
        this.clock = clock;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        if (now - lastTickNs < intervalNs)
        {
            return 0;
        }
        lastTickNs = now;
        return ring.remainingCapacity() > ring.getBufferSize() / 2 && publisher.tryPublishTick(clock.time()) ? 1 : 0;
    }

    @Override
    public String roleName()
    {
        return "ringside-ticker";
    }
}
