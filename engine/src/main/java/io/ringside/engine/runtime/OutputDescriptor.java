package io.ringside.engine.runtime;

/**
 * Layout of an output in a shard's egress buffer (an Agrona one-to-one ring buffer written by the shard,
 * read by the egress agent):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                Cause's Journal Position (int64)               |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Key (int64)                           |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Ordinal                             | 16
 *  +---------------------------------------------------------------+
 *  |                         Output Type                           | 20
 *  +---------------------------------------------------------------+
 *  |                            Shard                              | 24
 *  +---------------------------------------------------------------+
 *  |                  Flags (1: replay)                            | 28
 *  +---------------------------------------------------------------+
 *  |                         Payload                              ... 32
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class OutputDescriptor
{
    static final int POSITION_OFFSET = 0;
    static final int KEY_OFFSET = 8;
    static final int ORDINAL_OFFSET = 16;
    static final int TYPE_OFFSET = 20;
    static final int SHARD_OFFSET = 24;
    static final int FLAGS_OFFSET = 28;
    /** The output was produced while recovering: its input was journaled before this start. */
    static final int FLAG_REPLAY = 1;
    public static final int HEADER_LENGTH = 32;
    /** Message type id of outputs in the egress ring buffer (must be positive). */
    static final int MSG_TYPE_ID = 1;

    private OutputDescriptor()
    {
    }
}
