package io.ringside.journal;

import java.nio.file.Path;

import static io.ringside.journal.FrameValidator.NOT_WRITTEN;
import static io.ringside.journal.FrameValidator.VALID;
import static io.ringside.journal.RecordDescriptor.FRAME_ALIGNMENT;

/**
 * Finds where a journal ends, read-only: walks the records of a range of segments, checking each, until
 * the first frame that is not a valid record. Everything after that point decides what it is:
 * <ul>
 *   <li>only zeros: a clean end;</li>
 *   <li>non-zero bytes but no valid record: a torn tail (a write cut off by a crash), to be cut off;</li>
 *   <li>a valid record somewhere after it: corruption, {@link JournalCorruptedException} naming the segment
 *   and position of the bad record, and nothing is changed.</li>
 * </ul>
 * Used on one thread, by the appender on open and by the dump tool.
 */
final class JournalScanner
{
    /** What a scan found. */
    static final class Result
    {
        /** Position where the next record goes. */
        long endPosition;
        /** Index in the layout of the segment that holds {@link #endPosition}, or the layout's size if a new one is due. */
        int endSegmentIndex;
        /** Records found valid. */
        long records;
        /** Position of the first torn byte, or -1 if the tail is clean. */
        long tornPosition = -1;
        /** Bytes from the torn position to the last non-zero byte after it, in this segment and later ones. */
        long tornBytes;
        /** Why the first frame after the end is not a record, if torn. */
        String tornReason;
    }

    private final FrameValidator validator = new FrameValidator();

    /**
     * @param layout           the directory's checked layout, not empty.
     * @param fromSegmentIndex first segment to scan; scanning starts at its first record.
     * @return where the journal ends.
     * @throws JournalCorruptedException if a bad record is followed by a valid one.
     */
    Result scan(final JournalLayout layout, final int fromSegmentIndex)
    {
        final Result result = new Result();
        final int count = layout.segments.size();
        for (int i = fromSegmentIndex; i < count; i++)
        {
            final Path file = layout.segments.get(i);
            try (Segment segment = Segment.map(file, SegmentDescriptor.basePosition(file), layout.segmentSize, false))
            {
                int offset = SegmentDescriptor.HEADER_LENGTH;
                while (offset < segment.size)
                {
                    final int frameLength = segment.buffer.getInt(offset);
                    final int code = validator.validate(segment, offset, frameLength, true);
                    if (code != VALID)
                    {
                        classifyBadFrame(layout, i, segment, offset, frameLength, code, result);
                        return result;
                    }
                    if (frameLength < 0)
                    {
                        offset = segment.size;
                        break;
                    }
                    result.records++;
                    offset += RecordDescriptor.alignedLength(frameLength);
                }
                result.endPosition = segment.basePosition + segment.size;
                result.endSegmentIndex = i + 1;
            }
        }
        // the last segment is full (padded or exactly filled): the next record opens a new segment
        result.endPosition += SegmentDescriptor.HEADER_LENGTH;
        return result;
    }

    private void classifyBadFrame(
        final JournalLayout layout, final int index, final Segment segment, final int offset, final int frameLength,
        final int code, final Result result)
    {
        final long badPosition = segment.position(offset);
        final long validAfter = findValidRecordAfter(layout, index, segment, offset);
        if (validAfter >= 0)
        {
            throw new JournalCorruptedException(segment.file, badPosition,
                FrameValidator.describe(code, frameLength, offset, segment.size) +
                ", yet a valid record follows at position " + validAfter + "; the journal was not changed");
        }
        result.endPosition = badPosition;
        result.endSegmentIndex = index;
        final long lastNonZero = lastNonZeroPosition(layout, index, segment, offset);
        if (lastNonZero >= 0)
        {
            result.tornPosition = badPosition;
            result.tornBytes = lastNonZero - badPosition + 1;
            result.tornReason = code == NOT_WRITTEN ?
                "an uncommitted record: its bytes are partly written but its frame length was never published" :
                FrameValidator.describe(code, frameLength, offset, segment.size);
        }
    }

    private long findValidRecordAfter(final JournalLayout layout, final int index, final Segment first, final int offset)
    {
        long found = findValidRecordIn(first, offset + FRAME_ALIGNMENT);
        for (int i = index + 1; found < 0 && i < layout.segments.size(); i++)
        {
            final Path file = layout.segments.get(i);
            try (Segment segment = Segment.map(file, SegmentDescriptor.basePosition(file), layout.segmentSize, false))
            {
                found = findValidRecordIn(segment, SegmentDescriptor.HEADER_LENGTH);
            }
        }
        return found;
    }

    private long findValidRecordIn(final Segment segment, final int fromOffset)
    {
        for (int offset = fromOffset; offset < segment.size; offset += FRAME_ALIGNMENT)
        {
            final int frameLength = segment.buffer.getInt(offset);
            if (frameLength > 0 && validator.validate(segment, offset, frameLength, true) == VALID)
            {
                return segment.position(offset);
            }
        }
        return -1;
    }

    private static long lastNonZeroPosition(final JournalLayout layout, final int index, final Segment first, final int offset)
    {
        for (int i = layout.segments.size() - 1; i > index; i--)
        {
            final Path file = layout.segments.get(i);
            try (Segment segment = Segment.map(file, SegmentDescriptor.basePosition(file), layout.segmentSize, false))
            {
                final int last = lastNonZeroOffset(segment, SegmentDescriptor.HEADER_LENGTH);
                if (last >= 0)
                {
                    return segment.position(last);
                }
            }
        }
        final int last = lastNonZeroOffset(first, offset);
        return last >= 0 ? first.position(last) : -1;
    }

    /**
     * @return offset of the last non-zero byte at or after {@code fromOffset}, or -1.
     */
    static int lastNonZeroOffset(final Segment segment, final int fromOffset)
    {
        int offset = segment.size - FRAME_ALIGNMENT;
        while (offset >= fromOffset && segment.buffer.getLong(offset) == 0)
        {
            offset -= FRAME_ALIGNMENT;
        }
        if (offset < fromOffset)
        {
            return -1;
        }
        for (int b = offset + FRAME_ALIGNMENT - 1; b >= offset; b--)
        {
            if (segment.buffer.getByte(b) != 0)
            {
                return b;
            }
        }
        return -1;
    }
}
