package io.ringside.journal;

/**
 * Another appender, in this process or another, already holds the journal directory's lock file.
 */
public final class JournalLockedException extends JournalException
{
    private static final long serialVersionUID = 1L;

    public JournalLockedException(final String message)
    {
        super(message);
    }
}
