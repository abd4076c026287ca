package io.ringside.journal;

/**
 * The directory or one of its files is not what a journal of this version and configuration expects:
 * not a journal, a file from another journal or format version, a wrong segment size, a missing segment.
 */
public final class JournalFormatException extends JournalException
{
    private static final long serialVersionUID = 1L;

    public JournalFormatException(final String message)
    {
        super(message);
    }
}
