package io.ringside.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * Completes written snapshots off the shards', the journaler's and the egress's threads ({@code ringside-snapshot}):
 * forces their files to disk, renames them into place and applies retention ({@link SnapshotTaker#completed}). An agent,
 * started by its {@link SnapshotTaker} with the first snapshot handed to it, on the engine's thread factory (pinned to
 * {@link EngineContext#backgroundCpu()}) and waiting with {@link EngineContext#backgroundWait()}; a snapshot handed to it
 * unparks its thread.
 * <p>
 * <b>Thread safety:</b> {@link #complete} from any thread; {@link #close} from one.
 */
final class SnapshotCompleter implements Agent
{
    static final String ROLE_NAME = "ringside-snapshot";

    private final ConcurrentLinkedQueue<SnapshotTaker.Pending> toComplete = new ConcurrentLinkedQueue<>();
    private final AtomicLong handed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final SnapshotTaker snapshots;
    private final AgentRunner runner;
    private volatile Thread thread;

    SnapshotCompleter(final SnapshotTaker snapshots, final ThreadFactory threads, final IdleStrategy idle, final ErrorHandler errors)
    {
        this.snapshots = snapshots;
        runner = new AgentRunner(idle, errors, null, this);
        AgentRunner.startOnThread(runner, threads);
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    @Override
    public int doWork()
    {
        int work = 0;
        SnapshotTaker.Pending pending;
        while ((pending = toComplete.poll()) != null)
        {
            try
            {
                snapshots.completed(pending);
            }
            finally
            {
                completed.incrementAndGet();
            }
            work++;
        }
        return work;
    }

    /**
     * Hands a written snapshot over to be completed. Any thread.
     */
    void complete(final SnapshotTaker.Pending pending)
    {
        handed.incrementAndGet();
        toComplete.add(pending);
        final Thread completer = thread;
        if (completer != null)
        {
            LockSupport.unpark(completer);
        }
    }

    /**
     * Waits until every snapshot handed over is complete, then stops the thread.
     *
     * @return false if that took longer than {@code timeoutMs} (the thread is interrupted then).
     */
    boolean close(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (completed.get() < handed.get() && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(1_000_000);
        }
        final boolean drained = completed.get() >= handed.get();
        runner.close(AgentRunner.RETRY_CLOSE_TIMEOUT_MS, Thread::interrupt);
        return drained;
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }
}
