package io.ringside.journal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * An agent that runs the tasks handed to it, one at a time and in order, off the threads that hand them over: the
 * journal's segment preparer ({@code ringside-journal-preparer}: the next segment filled, mapped and faulted in ahead
 * of the roll, retired ones unmapped) and the engine's snapshot completer ({@code ringside-snapshot}). It starts at
 * once on a thread of the given factory (which names and pins it) and waits with the given idle strategy; a task
 * handed to it unparks that thread, so a parking strategy does not delay it. Not for the per-event path: a task is an
 * object (and a future) each.
 * <p>
 * <b>Thread safety:</b> {@link #submit} from any thread; {@link #stop} and {@link #kill} from one.
 */
public final class BackgroundAgent implements Agent
{
    private final String roleName;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AgentRunner runner;
    private volatile Thread thread;
    private volatile IntSupplier duty;

    /**
     * Starts the agent.
     *
     * @param roleName its name, and its thread's if the factory does not name it otherwise.
     * @param threads  makes its thread.
     * @param idle     how it waits for tasks; its own (a strategy keeps state).
     * @param errors   hears what a task did not catch itself (a task's failure goes to its future first).
     */
    public BackgroundAgent(final String roleName, final ThreadFactory threads, final IdleStrategy idle, final ErrorHandler errors)
    {
        this.roleName = roleName;
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
        final IntSupplier duty = this.duty;
        int work = duty == null ? 0 : duty.getAsInt();
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
            work++;
        }
        return work;
    }

    /**
     * Sets work the agent does on every cycle, before the tasks (and again on the next cycle at once while it reports
     * work done): it must return soon, and say how much it did (0 lets the agent idle). Any thread.
     */
    public void duty(final IntSupplier duty)
    {
        this.duty = duty;
    }

    /**
     * Hands a task over. Any thread.
     *
     * @return the task's result once it has run on the agent's thread (its failure, if it threw).
     */
    public <T> CompletableFuture<T> submit(final Callable<T> task)
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
        final Thread agent = thread;
        if (agent != null)
        {
            LockSupport.unpark(agent);
        }
        return result;
    }

    /**
     * Lets the agent finish every task handed over, then stops its thread.
     *
     * @return false if that took longer than {@code timeoutMs}: the thread is interrupted and stopped then, and the
     * tasks left are dropped.
     */
    public boolean stop(final long timeoutMs)
    {
        try
        {
            submit(() -> null).get(timeoutMs, TimeUnit.MILLISECONDS);
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
            return false;
        }
        runner.close();
        return true;
    }

    /**
     * Stops the thread without waiting for the tasks left, which are dropped (interrupting it if it does not stop).
     */
    public void kill()
    {
        tasks.clear();
        runner.close(1, Thread::interrupt);
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
