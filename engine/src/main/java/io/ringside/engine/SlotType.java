package io.ringside.engine;

/**
 * What a ring slot carries. The values are also the journal record types of journaled slots.
 */
public final class SlotType
{
    /** An event published by an embedder or an ingress: journaled, then handed to its key's shard. */
    public static final int DATA = 1;
    /** Processing time entering the stream (idle sources, timeouts): journaled like data, seen by every shard. */
    public static final int TICK = 2;
    /** Asks every shard to write its state at one journal position. */
    public static final int SNAPSHOT = 3;
    /** Marks the end of the input. */
    public static final int SHUTDOWN = 4;
    /**
     * A rule change (a threshold, a switch): journaled like data, handed to every shard's
     * {@link ShardHandler#onControl} at its place in the stream.
     */
    public static final int CONTROL = 5;

    private SlotType()
    {
    }

    public static String name(final int type)
    {
        switch (type)
        {
            case DATA:
                return "DATA";
            case TICK:
                return "TICK";
            case SNAPSHOT:
                return "SNAPSHOT";
            case SHUTDOWN:
                return "SHUTDOWN";
            case CONTROL:
                return "CONTROL";
            default:
                return "UNKNOWN(" + type + ")";
        }
    }
}
