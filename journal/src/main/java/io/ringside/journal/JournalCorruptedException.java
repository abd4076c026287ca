package io.ringside.journal;

import java.nio.file.Path;

/**
 * A record that fails its checks (length, position or CRC) where valid records follow, or where a
 * reader meets it. The journal is not truncated: the bytes stay as they are for investigation.
 */
public final class JournalCorruptedException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final transient Path segment;
    private final long position;

    public JournalCorruptedException(final Path segment, final long position, final String detail)
    {
        super("journal corrupted in segment " + segment + " at position " + position + ": " + detail);
        this.segment = segment;
        this.position = position;
    }

    /**
     * @return the segment file that holds the bad record.
     */
    public Path segment()
    {
        return segment;
    }

    /**
     * @return the journal position of the bad record.
     */
    public long position()
    {
        return position;
    }
}
