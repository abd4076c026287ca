package io.ringside.journal;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Layout of a segment file. A segment is a preallocated file of exactly {@code segmentSize} bytes,
 * named by the journal position of its first byte ({@link #fileName(long)}), holding a header and
 * then records ({@link RecordDescriptor}) from {@link #HEADER_LENGTH} on. A record never straddles
 * two segments: the writer ends a segment with a padding frame and continues in the next one.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Magic "RNGSJRNL" (int64)                      |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Format Version                         |  8
 *  +---------------------------------------------------------------+
 *  |                       Frame Alignment                         | 12
 *  +---------------------------------------------------------------+
 *  |                   Segment Size (int64)                        | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Base Position (int64)                       | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Journal Id (int64)                         | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Reserved (must be 0) ...                     | 40
 *  +---------------------------------------------------------------+
 *  |                  CRC32C of bytes [0, 60)                      | 60
 *  +---------------------------------------------------------------+
 * </pre>
 * The journal id is drawn when the journal is created and is the same in all of its segments, so a
 * segment copied in from another journal is refused.
 */
public final class SegmentDescriptor
{
    /** "RNGSJRNL" read as a little-endian long. */
    public static final long MAGIC = 0x4C4E524A53474E52L;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int ALIGNMENT_OFFSET = 12;
    public static final int SEGMENT_SIZE_OFFSET = 16;
    public static final int BASE_POSITION_OFFSET = 24;
    public static final int JOURNAL_ID_OFFSET = 32;
    public static final int HEADER_CRC_OFFSET = 60;
    public static final int HEADER_LENGTH = 64;

    /** Smallest segment allowed: 64 KiB. */
    public static final int MIN_SEGMENT_SIZE = 64 * 1024;
    /** Largest segment allowed: 1 GiB (a segment is mapped as one buffer, indexed by int). */
    public static final int MAX_SEGMENT_SIZE = 1 << 30;

    public static final String SUFFIX = ".seg";
    public static final String TEMP_SUFFIX = ".seg.tmp";
    public static final String LOCK_FILE_NAME = "journal.lock";

    private static final Pattern NAME = Pattern.compile("\\d{20}\\.seg");

    private SegmentDescriptor()
    {
    }

    /**
     * @param basePosition journal position of the segment's first byte.
     * @return its file name: the position as 20 decimal digits, then {@code .seg}.
     */
    public static String fileName(final long basePosition)
    {
        final String digits = Long.toString(basePosition);
        return "0".repeat(20 - digits.length()) + digits + SUFFIX;
    }

    public static boolean isSegmentFileName(final String name)
    {
        return NAME.matcher(name).matches();
    }

    /**
     * @param file a file whose name passed {@link #isSegmentFileName(String)}.
     * @return the base position that the name gives.
     */
    public static long basePosition(final Path file)
    {
        final String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }

    /**
     * @param position    a journal position.
     * @param segmentSize the journal's segment size.
     * @return the base position of the segment that holds it.
     */
    public static long segmentBase(final long position, final int segmentSize)
    {
        return position - (position % segmentSize);
    }
}
