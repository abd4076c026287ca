package io.ringside.perf;

import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The thread that reads the decisions of an Aeron {@link LatencyTarget} and records each measured one's latency from
 * its intended send time. An {@link Agent} with the ingress's idle strategy (backing off to 100 us parks).
 * <b>Threads:</b> its own; {@link #received()} from any; {@link #recorder()} after {@link #close()}.
 */
final class AeronLatencyReceiver implements Agent, AutoCloseable
{
    /**
     * What the receiver polls. Receiver thread.
     */
    interface Poller
    {
        int poll(AeronLatencyReceiver receiver);
    }

    private final String name;
    private final Poller poller;
    private final IntendedLatencyRecorder recorder = new IntendedLatencyRecorder();
    private final AgentRunner runner;
    private volatile long received;

    AeronLatencyReceiver(final String name, final Poller poller)
    {
        this.name = name;
        this.poller = poller;
        this.runner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 100_000), Throwable::printStackTrace, null, this);
    }

    /**
     * Starts the thread, once everything it polls is wired.
     */
    AeronLatencyReceiver start()
    {
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public int doWork()
    {
        return poller.poll(this);
    }

    /**
     * One decision: the event's bytes at {@code offset}. Receiver thread.
     */
    void onDecision(final DirectBuffer buffer, final int offset)
    {
        recorder.onEvent(buffer, offset);
        received++;   // one writer
    }

    long received()
    {
        return received;
    }

    /**
     * Waits (parking) until {@code count} decisions came, or {@code timeoutMs}.
     *
     * @throws IllegalStateException on timeout.
     */
    void await(final long count, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (received < count)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException(name + ": " + received + " of " + count + " decisions came back within " + timeoutMs + " ms");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    IntendedLatencyRecorder recorder()
    {
        return recorder;
    }

    @Override
    public String roleName()
    {
        return "ringside-latency-" + name + "-receiver";
    }

    @Override
    public void close()
    {
        runner.close();
    }
}
