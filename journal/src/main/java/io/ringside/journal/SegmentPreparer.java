package io.ringside.journal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

/**
 * The journal's segment preparer ({@code ringside-journal-preparer}): an agent that makes the next segment ahead of the
 * roll (filled, mapped, every page faulted in) and unmaps retired ones, off the appender's thread. It runs on a thread
 * of {@link JournalContext#preparerThreadFactory()}, waiting with {@link JournalContext#preparerIdleStrategy()}; a task
 * handed to it unparks that thread, so a parking idle strategy does not delay it.
 * <p>
 * <b>Thread safety:</b> {@link #submit}, {@link #stop} and {@link #kill} from the appender's thread only; the tasks run
 * on the agent's thread, one at a time, in the order given.
 */
final class SegmentPreparer implements Agent
{
    static final String ROLE_NAME = "ringside-journal-preparer";

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AgentRunner runner;
    private volatile Thread thread;

    SegmentPreparer(final JournalContext ctx)
    {
        runner = new AgentRunner(ctx.preparerIdleStrategy(), Throwable::printStackTrace, null, this);
        AgentRunner.startOnThread(runner, ctx.preparerThreadFactory());
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
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
            work++;
        }
        return work;
    }

    /**
     * @return the task's result once it has run on the preparer's thread (its failure, if it threw).
     */
    <T> CompletableFuture<T> submit(final Callable<T> task)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() ->
        {
            try
            {
                result.complete(task.call());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        });
        final Thread preparer = thread;
        if (preparer != null)
        {
            LockSupport.unpark(preparer);
        }
        return result;
    }

    /**
     * Lets the preparer finish what it was given, then stops its thread.
     *
     * @throws JournalException if that took longer than {@code timeoutS} (the thread is interrupted then).
     */
    void stop(final long timeoutS)
    {
        try
        {
            submit(() -> null).get(timeoutS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException ex)
        {
            // the barrier itself does not fail
        }
        catch (final TimeoutException ex)
        {
            kill();
            throw new JournalException("the journal's segment preparer did not stop within " + timeoutS + " s");
        }
        runner.close();
    }

    /**
     * Stops the thread without waiting for the tasks left (a failed open).
     */
    void kill()
    {
        tasks.clear();
        runner.close(AgentRunner.RETRY_CLOSE_TIMEOUT_MS, Thread::interrupt);
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }
}
