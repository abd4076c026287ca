package io.ringside.perf;

/**
 * What the {@link LatencyHarness} drives: a ring with one consumer that journals each event and records
 * its latency with an {@link IntendedLatencyRecorder}. Start it, publish from one thread, close it, then
 * read the recorder.
 */
interface LatencyTarget extends AutoCloseable
{
    /**
     * @return the short name printed in the results.
     */
    String name();

    /**
     * Publishes one event (a {@link LatencyEventDescriptor} event, or the target's own with its intended time
     * kept aside), waiting while the ring is full.
     * Publisher thread only.
     *
     * @param intendedNs the nanotime the event was scheduled to be sent at.
     * @param phase      {@link LatencyEventDescriptor#WARM_UP} or {@link LatencyEventDescriptor#MEASURED}.
     * @throws IllegalStateException if the ring stays full for too long (a stuck consumer).
     */
    void publish(long intendedNs, long phase);

    /**
     * Waits for every published event to be handled, stops the consumer's threads and deletes the target's
     * scratch directory. After it returns, {@link #recorder()} may be read.
     */
    @Override
    void close();

    IntendedLatencyRecorder recorder();

    /**
     * @return a line on what the handler did beyond timing (outputs, say), printed under the target's row; null
     * for none. After {@link #close()}.
     */
    default String summary()
    {
        return null;
    }
}
