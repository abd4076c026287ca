package io.ringside.engine;

/**
 * The payload of an event's journal record (the journal's own header carries type, source id,
 * partition, source offset and timestamp; see {@code io.ringside.journal.RecordDescriptor}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Key (int64)                           |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Event bytes                           ...  8
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The key is journaled so that replay hashes every event to the same shard.
 */
public final class EventRecordDescriptor
{
    public static final int KEY_OFFSET = 0;
    public static final int EVENT_OFFSET = 8;

    private EventRecordDescriptor()
    {
    }
}
