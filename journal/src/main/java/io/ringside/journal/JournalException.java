package io.ringside.journal;

/**
 * Base of the journal's errors. Each subclass names one kind of problem, and the message says what
 * was found where, and what to do about it where there is something to do.
 */
public class JournalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public JournalException(final String message)
    {
        super(message);
    }

    public JournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
