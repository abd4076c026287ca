package io.ringside.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.ringside.journal.RecordDescriptor.CRC_OFFSET;
import static io.ringside.journal.RecordDescriptor.CRC_START_OFFSET;
import static io.ringside.journal.RecordDescriptor.HEADER_LENGTH;
import static io.ringside.journal.RecordDescriptor.POSITION_OFFSET;

/**
 * Checks one frame of a mapped segment: its length fits, its stored position is where it lies, and
 * its CRC matches. Used by readers, recovery and the dump tool alike. One instance per thread.
 */
final class FrameValidator
{
    static final int VALID = 0;
    static final int BAD_LENGTH = 1;
    static final int BAD_POSITION = 2;
    static final int BAD_CRC = 3;
    static final int BAD_PADDING = 4;
    static final int NOT_WRITTEN = 5;

    private final CRC32C crc = new CRC32C();

    /**
     * @param segment        the mapped segment.
     * @param offset         offset of the frame in it.
     * @param frameLength    the frame length read there (callers choose plain or acquire load).
     * @param verifyChecksum whether to compute the CRC.
     * @return {@link #VALID} or the reason it is not.
     */
    int validate(final Segment segment, final int offset, final int frameLength, final boolean verifyChecksum)
    {
        if (frameLength == 0)
        {
            return NOT_WRITTEN;
        }
        if (frameLength < 0)
        {
            return -frameLength == segment.size - offset ? VALID : BAD_PADDING;
        }
        if (frameLength < HEADER_LENGTH || frameLength > segment.size - offset)
        {
            return BAD_LENGTH;
        }
        if (segment.buffer.getLong(offset + POSITION_OFFSET) != segment.basePosition + offset)
        {
            return BAD_POSITION;
        }
        if (verifyChecksum && checksum(segment, offset, frameLength) != segment.buffer.getInt(offset + CRC_OFFSET))
        {
            return BAD_CRC;
        }
        return VALID;
    }

    /**
     * @return the CRC32C of bytes [offset + 8, offset + frameLength) of the segment.
     */
    int checksum(final Segment segment, final int offset, final int frameLength)
    {
        final ByteBuffer view = segment.crcView;
        view.limit(offset + frameLength);
        view.position(offset + CRC_START_OFFSET);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }

    static String describe(final int code, final int frameLength, final int offset, final int segmentSize)
    {
        switch (code)
        {
            case BAD_LENGTH:
                return "frame length " + frameLength + " is impossible at offset " + offset + " of a " + segmentSize + "-byte segment";
            case BAD_POSITION:
                return "the record's stored position does not match where it lies (not a record boundary, or bytes moved)";
            case BAD_CRC:
                return "CRC32C mismatch (frame length " + frameLength + ")";
            case BAD_PADDING:
                return "padding frame of " + (-(long)frameLength) + " bytes does not reach the segment end (" +
                    (segmentSize - offset) + " bytes left)";
            case NOT_WRITTEN:
                return "an unwritten (zero) frame";
            default:
                return "valid";
        }
    }
}
