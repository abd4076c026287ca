package io.ringside.engine;

/**
 * A snapshot file that is torn, corrupted, or does not match what reads it. Recovery then falls back to the
 * previous snapshot, or to a replay of the whole journal.
 */
public class SnapshotCorruptedException extends EngineException
{
    private static final long serialVersionUID = 1L;

    public SnapshotCorruptedException(final String message)
    {
        super(message);
    }
}
