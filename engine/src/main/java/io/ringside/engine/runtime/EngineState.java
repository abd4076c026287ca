package io.ringside.engine.runtime;

/**
 * The engine's lifecycle, shared with its threads and publishers: NEW, RUNNING, CLOSING, CLOSED, or FAILED
 * with the first failure. Thread-safe.
 */
public final class EngineState implements EngineControl
{
    public static final int NEW = 0;
    public static final int RUNNING = 1;
    public static final int CLOSING = 2;
    public static final int CLOSED = 3;

    private volatile int lifecycle = NEW;
    private volatile boolean halted;
    private volatile Throwable failure;

    public int lifecycle()
    {
        return lifecycle;
    }

    public void lifecycle(final int lifecycle)
    {
        this.lifecycle = lifecycle;
    }

    public void halt()
    {
        halted = true;
    }

    @Override
    public boolean isHalted()
    {
        return halted;
    }

    @Override
    public synchronized void fail(final Throwable error)
    {
        if (failure == null)
        {
            failure = error;
        }
        halted = true;
    }

    @Override
    public boolean isClosing()
    {
        return lifecycle == CLOSING;
    }

    public Throwable failure()
    {
        return failure;
    }

    public boolean acceptsEvents()
    {
        return lifecycle == RUNNING && failure == null;
    }

    /**
     * @throws IllegalStateException saying why events are not accepted now.
     */
    public void checkAcceptingEvents()
    {
        if (lifecycle == RUNNING && failure == null)
        {
            return;
        }
        if (failure != null)
        {
            throw new IllegalStateException("the engine failed and takes no more events: " + failure.getMessage(), failure);
        }
        switch (lifecycle)
        {
            case NEW:
                throw new IllegalStateException("the engine is not started: call Engine.start() before publishing");
            case CLOSING:
                throw new IllegalStateException("the engine is closing and takes no more events");
            default:
                throw new IllegalStateException("the engine is closed and takes no more events");
        }
    }
}
