package io.ringside.engine;

/**
 * An error of the engine: configuration that cannot work, a lifecycle call at the wrong time, or a
 * failure that stopped it.
 */
public class EngineException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public EngineException(final String message)
    {
        super(message);
    }

    public EngineException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
