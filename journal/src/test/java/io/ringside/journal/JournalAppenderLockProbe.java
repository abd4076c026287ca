package io.ringside.journal;

import java.nio.file.Path;

final class JournalAppenderLockProbe
{
    private JournalAppenderLockProbe()
    {
    }

    /**
     * @return true if an appender can be opened on {@code dir} now (its lock is free).
     */
    static boolean canLock(final Path dir)
    {
        try
        {
            JournalAppender.open(new JournalContext().directory(dir).segmentSize(64 * 1024)).close();
            return true;
        }
        catch (final JournalLockedException ex)
        {
            return false;
        }
        catch (final JournalException ex)
        {
            return true;
        }
    }
}
