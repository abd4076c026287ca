package io.ringside.engine.runtime;

/**
 * What the snapshots allow to be deleted of the journal: the segments wholly below the oldest snapshot kept. The
 * {@link SnapshotTaker} tells it when a snapshot completes; the {@link Journaler}, which owns the journal, deletes
 * them on its own thread.
 */
public interface JournalRetention
{
    /**
     * Asks for the journal segments wholly below a position to be deleted. Any thread.
     */
    void retainFrom(long position);
}
