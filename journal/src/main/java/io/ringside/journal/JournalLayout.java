package io.ringside.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What a journal directory holds: its segment files in order, their common size and journal id, each
 * header checked. Made once when an appender, reader or tool opens a directory. Immutable.
 */
final class JournalLayout
{
    final Path directory;
    final List<Path> segments;
    final int segmentSize;
    final long journalId;

    private JournalLayout(final Path directory, final List<Path> segments, final int segmentSize, final long journalId)
    {
        this.directory = directory;
        this.segments = segments;
        this.segmentSize = segmentSize;
        this.journalId = journalId;
    }

    boolean isEmpty()
    {
        return segments.isEmpty();
    }

    long firstBase()
    {
        return SegmentDescriptor.basePosition(segments.get(0));
    }

    long lastBase()
    {
        return SegmentDescriptor.basePosition(segments.get(segments.size() - 1));
    }

    /**
     * Lists and checks the segments of a directory.
     *
     * @param directory an existing directory.
     * @return its layout; empty if it holds no segment and nothing else but a lock file.
     * @throws JournalFormatException if it holds other files but no segment, or a segment is not a
     *                                segment of this journal, format and size, or one is missing.
     */
    static JournalLayout inspect(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            throw new JournalFormatException(Files.exists(directory) ?
                "not a journal: " + directory + " is a file, not a directory" :
                "no journal at " + directory + ": no such directory");
        }
        final List<Path> segments = new ArrayList<>();
        String otherFile = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (SegmentDescriptor.isSegmentFileName(name))
                {
                    segments.add(entry);
                }
                else if (!name.equals(SegmentDescriptor.LOCK_FILE_NAME) && !name.endsWith(SegmentDescriptor.TEMP_SUFFIX))
                {
                    otherFile = name;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal directory " + directory, ex);
        }
        if (segments.isEmpty())
        {
            if (otherFile != null)
            {
                throw new JournalFormatException("not a journal: " + directory + " holds files (such as '" + otherFile +
                    "') but no journal segment (" + SegmentDescriptor.fileName(0) + "...); choose an empty or new directory");
            }
            return new JournalLayout(directory, List.of(), 0, 0);
        }
        segments.sort(Comparator.comparingLong(SegmentDescriptor::basePosition));

        final ByteBuffer header = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        int segmentSize = 0;
        long journalId = 0;
        Path first = null;
        for (final Path segment : segments)
        {
            readHeader(segment, header);
            checkHeader(segment, header, crc);
            final int size = (int)header.getLong(SegmentDescriptor.SEGMENT_SIZE_OFFSET);
            final long id = header.getLong(SegmentDescriptor.JOURNAL_ID_OFFSET);
            if (first == null)
            {
                first = segment;
                segmentSize = size;
                journalId = id;
            }
            else if (id != journalId)
            {
                throw new JournalFormatException("segment " + segment + " belongs to another journal (id " +
                    Long.toHexString(id) + ", where " + first.getFileName() + " has " + Long.toHexString(journalId) + ")");
            }
            else if (size != segmentSize)
            {
                throw new JournalFormatException("segment " + segment + " has segment size " + size + " where " +
                    first.getFileName() + " has " + segmentSize);
            }
        }

        long expected = SegmentDescriptor.basePosition(segments.get(0));
        for (final Path segment : segments)
        {
            final long base = SegmentDescriptor.basePosition(segment);
            if (base != expected)
            {
                throw new JournalFormatException("missing journal segment " + directory.resolve(SegmentDescriptor.fileName(expected)) +
                    ": the segments jump from " + SegmentDescriptor.fileName(expected - segmentSize) + " to " + segment.getFileName());
            }
            expected = base + segmentSize;
        }
        return new JournalLayout(directory, List.copyOf(segments), segmentSize, journalId);
    }

    private static void readHeader(final Path segment, final ByteBuffer header)
    {
        header.clear();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ))
        {
            while (header.hasRemaining())
            {
                if (channel.read(header, header.position()) < 0)
                {
                    break;
                }
            }
            header.flip();
            final long fileLength = channel.size();
            if (header.limit() < SegmentDescriptor.HEADER_LENGTH)
            {
                throw new JournalFormatException("not a journal segment: " + segment + " is " + fileLength +
                    " bytes long, shorter than a segment header");
            }
            final long declared = header.getLong(SegmentDescriptor.SEGMENT_SIZE_OFFSET);
            if (header.getLong(SegmentDescriptor.MAGIC_OFFSET) == SegmentDescriptor.MAGIC && fileLength != declared)
            {
                throw new JournalFormatException("wrong segment size: " + segment + " is " + fileLength +
                    " bytes long but its header says " + declared + " (truncated or extended by something else?)");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal segment header " + segment, ex);
        }
    }

    private static void checkHeader(final Path segment, final ByteBuffer header, final CRC32C crc)
    {
        if (header.getLong(SegmentDescriptor.MAGIC_OFFSET) != SegmentDescriptor.MAGIC)
        {
            throw new JournalFormatException("not a journal segment: " + segment + " does not start with the journal magic");
        }
        final int version = header.getInt(SegmentDescriptor.VERSION_OFFSET);
        if (version != SegmentDescriptor.VERSION)
        {
            throw new JournalFormatException("unsupported journal format version " + version + " in " + segment +
                ": this Ringside reads version " + SegmentDescriptor.VERSION);
        }
        crc.reset();
        crc.update(header.array(), 0, SegmentDescriptor.HEADER_CRC_OFFSET);
        if ((int)crc.getValue() != header.getInt(SegmentDescriptor.HEADER_CRC_OFFSET))
        {
            throw new JournalFormatException("corrupted segment header in " + segment + ": its CRC does not match");
        }
        final int alignment = header.getInt(SegmentDescriptor.ALIGNMENT_OFFSET);
        if (alignment != RecordDescriptor.FRAME_ALIGNMENT)
        {
            throw new JournalFormatException("segment " + segment + " has frame alignment " + alignment +
                "; this Ringside writes " + RecordDescriptor.FRAME_ALIGNMENT);
        }
        final long size = header.getLong(SegmentDescriptor.SEGMENT_SIZE_OFFSET);
        if (size < SegmentDescriptor.MIN_SEGMENT_SIZE || size > SegmentDescriptor.MAX_SEGMENT_SIZE)
        {
            throw new JournalFormatException("wrong segment size: " + segment + " declares " + size + " bytes");
        }
        final long base = header.getLong(SegmentDescriptor.BASE_POSITION_OFFSET);
        if (base != SegmentDescriptor.basePosition(segment) || base % size != 0)
        {
            throw new JournalFormatException("segment " + segment + " holds base position " + base +
                ", which does not match its file name (renamed or copied?)");
        }
    }

    /**
     * Writes a segment header into {@code header} (position 0, little-endian, at least {@link SegmentDescriptor#HEADER_LENGTH}).
     */
    static void writeHeader(final ByteBuffer header, final int segmentSize, final long basePosition, final long journalId)
    {
        for (int i = 0; i < SegmentDescriptor.HEADER_LENGTH; i++)
        {
            header.put(i, (byte)0);
        }
        header.putLong(SegmentDescriptor.MAGIC_OFFSET, SegmentDescriptor.MAGIC);
        header.putInt(SegmentDescriptor.VERSION_OFFSET, SegmentDescriptor.VERSION);
        header.putInt(SegmentDescriptor.ALIGNMENT_OFFSET, RecordDescriptor.FRAME_ALIGNMENT);
        header.putLong(SegmentDescriptor.SEGMENT_SIZE_OFFSET, segmentSize);
        header.putLong(SegmentDescriptor.BASE_POSITION_OFFSET, basePosition);
        header.putLong(SegmentDescriptor.JOURNAL_ID_OFFSET, journalId);
        final CRC32C crc = new CRC32C();
        final ByteBuffer view = header.duplicate();
        view.position(0).limit(SegmentDescriptor.HEADER_CRC_OFFSET);
        crc.update(view);
        header.putInt(SegmentDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
    }
}
