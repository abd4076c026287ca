package io.ringside.journal;

import org.agrona.BitUtil;

/**
 * Layout of one journal record (a frame) inside a segment. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-------------+-+-------------+-+-------------+-+-------------+
 *  |R|                     Frame Length                            |  0  written last, release store
 *  +-+-------------+-+-------------+-+-------------+-+-------------+
 *  |                  CRC32C of bytes [8, Frame Length)            |  4
 *  +-------------------------------+-------------------------------+
 *  |             Type              |             Flags             |  8
 *  +-------------------------------+-------------------------------+
 *  |                           Source Id                           | 12
 *  +---------------------------------------------------------------+
 *  |                   Journal Position (int64)                    | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Partition                           | 24
 *  +---------------------------------------------------------------+
 *  |                      Reserved (must be 0)                     | 28
 *  +---------------------------------------------------------------+
 *  |                  Source Offset (int64)                        | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Timestamp (int64)                          | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Payload                               ... 48
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>Frame length counts the header and the payload, not the alignment padding. The next frame
 *   starts at {@code align(frameLength, FRAME_ALIGNMENT)}. Zero means "not written (yet)".</li>
 *   <li>A negative frame length is a padding frame: {@code -frameLength} bytes to the end of the
 *   segment are unused, and the next record is the first of the next segment. A padding frame has no
 *   other field: it may be as short as {@link #FRAME_ALIGNMENT} bytes.</li>
 *   <li>The journal position of a record is its byte offset in the whole journal (segment base
 *   position plus offset in the segment). It is stored in the record so that a reader can tell a
 *   record boundary from arbitrary bytes, and so that recovery can tell a torn tail from corruption.</li>
 *   <li>The CRC covers everything after it, including the position, so a frame copied to another
 *   place or another journal does not validate.</li>
 * </ul>
 */
public final class RecordDescriptor
{
    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int TYPE_OFFSET = 8;
    public static final int FLAGS_OFFSET = 10;
    public static final int SOURCE_ID_OFFSET = 12;
    public static final int POSITION_OFFSET = 16;
    public static final int PARTITION_OFFSET = 24;
    /** A 32-bit field for the journal's user (JournalAppender.userField), 0 unless set; the journal does not read it. */
    public static final int RESERVED_OFFSET = 28;
    public static final int SOURCE_OFFSET_OFFSET = 32;
    public static final int TIMESTAMP_OFFSET = 40;

    /** Length of the header in front of the payload. */
    public static final int HEADER_LENGTH = 48;

    /** Every frame starts at a multiple of this, so the 64-bit fields are aligned. */
    public static final int FRAME_ALIGNMENT = 8;

    /** First byte covered by the CRC. */
    public static final int CRC_START_OFFSET = TYPE_OFFSET;

    private RecordDescriptor()
    {
    }

    /**
     * @param payloadLength bytes of payload.
     * @return the frame length of a record with that payload, before alignment.
     */
    public static int frameLength(final int payloadLength)
    {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * @param frameLength a positive frame length.
     * @return the bytes the frame occupies in its segment, alignment included.
     */
    public static int alignedLength(final int frameLength)
    {
        return BitUtil.align(frameLength, FRAME_ALIGNMENT);
    }

    public static int typeOffset(final int frameOffset)
    {
        return frameOffset + TYPE_OFFSET;
    }

    public static int payloadOffset(final int frameOffset)
    {
        return frameOffset + HEADER_LENGTH;
    }
}
