package io.ringside.engine;

/**
 * The engine stopped because of an error: a handler's, under {@link ErrorPolicy#STRICT}, or the
 * engine's own (the journal could not be written, say). The cause is the error.
 */
public final class EngineFailedException extends EngineException
{
    private static final long serialVersionUID = 1L;

    public EngineFailedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
