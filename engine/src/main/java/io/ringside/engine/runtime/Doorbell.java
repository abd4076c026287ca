package io.ringside.engine.runtime;

import io.ringside.engine.WaitStrategy;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the consumers that wait with {@link WaitStrategy#BLOCKING} or {@link WaitStrategy#BACKOFF_BLOCKING}. Producers call {@link #ring()} after
 * publishing; it costs a fence and a read while nobody sleeps. Consumers register their thread once.
 * Thread-safe.
 */
public final class Doorbell
{
    private final AtomicInteger sleepers = new AtomicInteger();
    private volatile Thread[] threads = new Thread[0];

    synchronized void register(final Thread thread)
    {
        final Thread[] next = Arrays.copyOf(threads, threads.length + 1);
        next[threads.length] = thread;
        threads = next;
    }

    /**
     * Called by a producer after it has published: wakes every registered consumer that sleeps.
     */
    public void ring()
    {
        // the publish before this was a release store; a full fence orders it before reading sleepers
        // (the sleeper increments sleepers, then re-checks for work: one of the two sees the other)
        VarHandle.fullFence();
        if (sleepers.get() != 0)
        {
            for (final Thread thread : threads)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    void sleeping()
    {
        sleepers.incrementAndGet();
    }

    void awake()
    {
        sleepers.decrementAndGet();
    }
}
