package io.ringside.perf;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;

/**
 * Records, for each measured event it is handed, {@code System.nanoTime()} minus the event's intended send
 * time ({@link LatencyEventDescriptor}) into an HdrHistogram: latency from when the event should have been
 * sent, so time a late publisher lost is counted (coordinated omission corrected). Warm-up events are
 * skipped. Allocates nothing.
 * <p>
 * <b>Thread safety:</b> one writer, the thread that handles the events; read {@link #histogram()} and
 * {@link #lastMeasuredNs()} only after that thread has stopped (a join, or a close that waits for it).
 */
final class IntendedLatencyRecorder
{
    /** Latencies above this (10 minutes) are recorded as this. */
    static final long HIGHEST_NS = TimeUnit.MINUTES.toNanos(10);

    private final Histogram histogram = new Histogram(HIGHEST_NS, 3);
    private long lastMeasuredNs;

    /**
     * @param buffer holds the event.
     * @param offset where the event starts.
     */
    void onEvent(final DirectBuffer buffer, final int offset)
    {
        final long nowNs = System.nanoTime();
        if (buffer.getLong(offset + LatencyEventDescriptor.PHASE_OFFSET) == LatencyEventDescriptor.MEASURED)
        {
            record(buffer.getLong(offset + LatencyEventDescriptor.INTENDED_NS_OFFSET), nowNs);
        }
    }

    /**
     * Records one measured event decided at {@code nowNs}: for a handler whose events carry no intended time.
     *
     * @param intendedNs the nanotime the event was scheduled to be sent at.
     * @param nowNs      the nanotime its decision was made.
     */
    void record(final long intendedNs, final long nowNs)
    {
        histogram.recordValue(Math.min(HIGHEST_NS, Math.max(0, nowNs - intendedNs)));
        lastMeasuredNs = nowNs;
    }

    Histogram histogram()
    {
        return histogram;
    }

    /**
     * @return the nanotime at which the last measured event was handled, or 0 if none was.
     */
    long lastMeasuredNs()
    {
        return lastMeasuredNs;
    }
}
