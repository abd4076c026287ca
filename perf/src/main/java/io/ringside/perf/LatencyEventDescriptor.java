package io.ringside.perf;

/**
 * The 48-byte event the {@link LatencyHarness} publishes, little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Intended send time, System.nanoTime (int64)      |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Phase: 0 warm-up, 1 measured (int64)             |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Zeros up to 48 bytes                     ...  16
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class LatencyEventDescriptor
{
    static final int INTENDED_NS_OFFSET = 0;
    static final int PHASE_OFFSET = 8;
    static final int LENGTH = 48;

    static final long WARM_UP = 0;
    static final long MEASURED = 1;

    /** The key of every event: one shard, one key. */
    static final long KEY = 42;

    private LatencyEventDescriptor()
    {
    }
}
