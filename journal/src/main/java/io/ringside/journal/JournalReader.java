package io.ringside.journal;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.ringside.journal.FrameValidator.VALID;

/**
 * Reads a journal from any record position onward, zero-copy, and follows the appender live: when it
 * reaches the end, {@link #next()} returns null and a later call picks up what was appended since,
 * across segment rolls. Works in the appender's process or another one; takes no lock.
 * <p>
 * Every record is checked (length, stored position and, unless turned off, CRC32C); a bad one throws
 * {@link JournalCorruptedException} naming the segment and position. A reader does not repair: the
 * appender cuts torn tails when it opens.
 * <p>
 * <b>Thread safety:</b> one thread per reader; open one reader per thread.
 */
public final class JournalReader implements AutoCloseable
{
    private final Path directory;
    private final int segmentSize;
    private final long journalId;
    private final boolean verifyChecksums;
    private final FrameValidator validator = new FrameValidator();
    private final JournalRecord record = new JournalRecord();

    private Segment segment;
    private int offset;
    private boolean closed;
    /** Where the last {@link #checkForHole} looked: a reader waiting at the end looks once, not at every poll. */
    private long checkedForHoleAt = -1;

    private JournalReader(final JournalLayout layout, final boolean verifyChecksums)
    {
        this.directory = layout.directory;
        this.segmentSize = layout.segmentSize;
        this.journalId = layout.journalId;
        this.verifyChecksums = verifyChecksums;
        final long first = layout.firstBase();
        segment = Segment.map(layout.segments.get(0), first, segmentSize, false);
        offset = SegmentDescriptor.HEADER_LENGTH;
    }

    /**
     * Opens a reader at the first record still held (retention may have deleted older ones), verifying checksums.
     *
     * @param directory a journal directory.
     * @return the reader.
     * @throws JournalFormatException if the directory holds no journal.
     */
    public static JournalReader open(final Path directory)
    {
        return open(directory, true);
    }

    /**
     * @param directory       a journal directory.
     * @param verifyChecksums false skips the CRC32C of each record (length and position are still checked).
     * @return a reader at the first record still held.
     */
    public static JournalReader open(final Path directory, final boolean verifyChecksums)
    {
        final JournalLayout layout = JournalLayout.inspect(directory);
        if (layout.isEmpty())
        {
            throw new JournalFormatException("no journal in " + directory + ": it holds no segment files");
        }
        return new JournalReader(layout, verifyChecksums);
    }

    /**
     * @return the position of the next record to read (or where it will be written).
     */
    public long position()
    {
        return segment.basePosition + offset;
    }

    /**
     * @return the segment size of the journal being read.
     */
    public int segmentSize()
    {
        return segmentSize;
    }

    /**
     * Moves to a record boundary: a position returned by the appender, a record's position or
     * {@link JournalRecord#endPosition()}, or a {@link RecoveryReport#endPosition()}.
     *
     * @param position where to read from next.
     * @throws IllegalArgumentException if it is not a record boundary.
     * @throws JournalException         if its segment was deleted by retention or is not there yet.
     */
    public void seek(final long position)
    {
        checkOpen();
        if (position < 0 || position % RecordDescriptor.FRAME_ALIGNMENT != 0)
        {
            throw new IllegalArgumentException("position " + position + " is not a record boundary (records start at multiples of " +
                RecordDescriptor.FRAME_ALIGNMENT + ")");
        }
        final long base = SegmentDescriptor.segmentBase(position, segmentSize);
        final int newOffset = Math.max(SegmentDescriptor.HEADER_LENGTH, (int)(position - base));
        if (position - base > 0 && position - base < SegmentDescriptor.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("position " + position + " lies in the header of segment " + SegmentDescriptor.fileName(base));
        }
        if (base != segment.basePosition)
        {
            final Segment next = mapSegment(base);
            if (next == null)
            {
                final JournalLayout layout = JournalLayout.inspect(directory);
                if (!layout.isEmpty() && base < layout.firstBase())
                {
                    throw new JournalException("position " + position + " was deleted by retention: the oldest segment held is " +
                        SegmentDescriptor.fileName(layout.firstBase()));
                }
                throw new JournalException("position " + position + " is beyond the end of the journal in " + directory);
            }
            segment.close();
            segment = next;
        }
        final int frameLength = segment.buffer.getIntVolatile(newOffset);
        final int code = validator.validate(segment, newOffset, frameLength, false);
        if (code == FrameValidator.BAD_POSITION || code == FrameValidator.BAD_LENGTH || code == FrameValidator.BAD_PADDING)
        {
            throw new IllegalArgumentException("position " + position + " is not the start of a record in " + segment.file);
        }
        offset = newOffset;
    }

    /**
     * @return the next record (a flyweight reused by every call), or null if none is written yet.
     * @throws JournalCorruptedException if the next record fails its checks.
     */
    public JournalRecord next()
    {
        checkOpen();
        while (true)
        {
            if (offset >= segmentSize && !nextSegment())
            {
                checkForGap();
                return null;
            }
            final int frameLength = segment.buffer.getIntVolatile(offset);
            if (frameLength == 0)
            {
                checkForHole();
                return null;
            }
            final int code = validator.validate(segment, offset, frameLength, verifyChecksums);
            if (code != VALID)
            {
                throw new JournalCorruptedException(segment.file, segment.position(offset),
                    FrameValidator.describe(code, frameLength, offset, segmentSize));
            }
            if (frameLength < 0)
            {
                if (!nextSegment())
                {
                    checkForGap();
                    return null;
                }
                continue;
            }
            record.wrap(segment, offset, frameLength);
            offset += RecordDescriptor.alignedLength(frameLength);
            return record;
        }
    }

    /**
     * Hands up to {@code limit} records to {@code handler}, in order.
     *
     * @return how many were handed over: 0 at the end of what is written so far.
     */
    public int poll(final RecordHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit)
        {
            final JournalRecord next = next();
            if (next == null)
            {
                break;
            }
            handler.onRecord(next);
            count++;
        }
        return count;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            segment.close();
        }
    }

    /**
     * A zero frame is where the appender will write next, unless the journal goes on after it: records in the next
     * segment (the appender starts one only once this one is finished), or a segment after the next (it prepares one
     * segment ahead at most). Then the zero is a hole, a zeroed page or segment body, and what follows it could not
     * be read in order: stop with the segment and position named, rather than take it for the end.
     */
    private void checkForHole()
    {
        final long position = segment.position(offset);
        if (position == checkedForHoleAt)
        {
            return;
        }
        checkedForHoleAt = position;
        final long nextBase = segment.basePosition + segmentSize;
        final Path next = directory.resolve(SegmentDescriptor.fileName(nextBase));
        if (!Files.exists(next))
        {
            return;
        }
        boolean goesOn = Files.exists(directory.resolve(SegmentDescriptor.fileName(nextBase + segmentSize)));
        if (!goesOn)
        {
            final Segment following = mapSegment(nextBase);
            try
            {
                goesOn = following != null && following.buffer.getIntVolatile(SegmentDescriptor.HEADER_LENGTH) != 0;
            }
            finally
            {
                if (following != null)
                {
                    following.close();
                }
            }
        }
        if (goesOn && segment.buffer.getIntVolatile(offset) == 0)
        {
            throw new JournalCorruptedException(segment.file, position, "a zero frame where a record should be, though the journal goes on in " +
                next.getFileName() + ": a hole (a zeroed page or segment body?). The records after it are not read in order: restore the " +
                "journal from a copy");
        }
    }

    /**
     * This segment is finished and the next is not there: the end of the journal, unless a later segment exists.
     */
    private void checkForGap()
    {
        final long position = segment.basePosition + segmentSize;
        if (position == checkedForHoleAt)
        {
            return;
        }
        checkedForHoleAt = position;
        final JournalLayout layout = JournalLayout.inspect(directory);
        // the appender installs segments in order: one that is still missing once a later one is there is a gap (a
        // reader that merely raced the appender's roll finds it there now)
        if (!layout.isEmpty() && layout.lastBase() > position && !Files.exists(directory.resolve(SegmentDescriptor.fileName(position))))
        {
            throw new JournalCorruptedException(segment.file, position, "segment " + SegmentDescriptor.fileName(position) +
                " is missing, though later segments (up to " + SegmentDescriptor.fileName(layout.lastBase()) + ") are there: restore it " +
                "from a copy");
        }
    }

    private boolean nextSegment()
    {
        final Segment next = mapSegment(segment.basePosition + segmentSize);
        if (next == null)
        {
            return false;
        }
        segment.close();
        segment = next;
        offset = SegmentDescriptor.HEADER_LENGTH;
        return true;
    }

    private Segment mapSegment(final long base)
    {
        final Path file = directory.resolve(SegmentDescriptor.fileName(base));
        if (!Files.exists(file))
        {
            return null;
        }
        final Segment next = Segment.map(file, base, segmentSize, false);
        if (next.buffer.getLong(SegmentDescriptor.JOURNAL_ID_OFFSET) != journalId ||
            next.buffer.getLong(SegmentDescriptor.MAGIC_OFFSET) != SegmentDescriptor.MAGIC)
        {
            next.close();
            throw new JournalFormatException("segment " + file + " is not a segment of the journal being read");
        }
        return next;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("journal reader on " + directory + " is closed");
        }
    }
}
