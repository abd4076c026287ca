package io.ringside.engine.state;

/**
 * A thread with its own {@link Prefetch}: the engine runs its agents on these, so that the state classes' hints can be
 * collected and loaded in batches on them.
 */
public final class PrefetchingThread extends Thread
{
    private final Prefetch prefetch = new Prefetch();

    public PrefetchingThread(final Runnable task, final String name)
    {
        super(task, name);
    }

    public Prefetch prefetch()
    {
        return prefetch;
    }
}
