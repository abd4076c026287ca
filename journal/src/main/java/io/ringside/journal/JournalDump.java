package io.ringside.journal;

import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.DirectBuffer;

/**
 * Prints a journal's records for a person, as {@code ./ringside journal dump} does. Read-only: takes no lock, repairs
 * nothing, and can run beside a live appender. At the end it says where the journal ends and whether a torn tail waits
 * to be cut off by the next appender; a corrupt record ends the dump with its segment and position.
 */
public final class JournalDump
{
    private JournalDump()
    {
    }

    /**
     * Prints a line describing the journal, its records from {@code from} on, one per line, then how many were printed,
     * the next position and, if it got to the end, whether the journal ends clean or in a torn tail.
     *
     * @param directory the journal's directory.
     * @param from      the position of the first record to print, or -1 for the first record held.
     * @param limit     print at most this many records, 0 or more.
     * @param bytes     payload bytes to print in hex per record, 0 or more.
     * @param out       where to print.
     * @return the number of records printed.
     * @throws IllegalArgumentException  if {@code from}, {@code limit} or {@code bytes} is out of range, or {@code from}
     *                                   is not the position of a record.
     * @throws JournalException          if {@code directory} holds no journal, or cannot be read.
     * @throws JournalCorruptedException at a corrupt record, with its segment and position, once the records before it
     *                                   and how many they were are printed.
     */
    public static long dump(final Path directory, final long from, final long limit, final int bytes, final PrintStream out)
    {
        if (limit < 0 || bytes < 0 || (from < 0 && from != -1))
        {
            throw new IllegalArgumentException("from must be a position or -1, limit and bytes 0 or more: from " + from + ", limit " + limit +
                ", bytes " + bytes);
        }
        final JournalLayout layout = JournalLayout.inspect(directory);
        if (layout.isEmpty())
        {
            throw new JournalFormatException("no journal in " + directory + ": it holds no segment files");
        }
        out.println("journal " + directory + ": " + layout.segments.size() + " segment(s) " +
            layout.segments.get(0).getFileName() + " .. " + layout.segments.get(layout.segments.size() - 1).getFileName() +
            ", segment size " + layout.segmentSize + ", journal id " + Long.toHexString(layout.journalId));

        long count = 0;
        final StringBuilder line = new StringBuilder(256);
        try (JournalReader reader = JournalReader.open(directory))
        {
            if (from >= 0)
            {
                reader.seek(from);
            }
            JournalRecord record;
            while (count < limit && (record = reader.next()) != null)
            {
                line.setLength(0);
                format(record, bytes, line);
                out.println(line);
                count++;
            }
            out.println("-- " + count + " record(s) printed; next position " + reader.position());
            if (count < limit)
            {
                final JournalScanner.Result end = new JournalScanner().scan(layout, Math.max(0, layout.segments.size() - 2));
                if (end.tornPosition >= 0)
                {
                    out.println("-- torn tail of " + end.tornBytes + " byte(s) at position " + end.tornPosition + " (" + end.tornReason +
                        "): the next appender to open this journal cuts it off");
                }
                else
                {
                    out.println("-- end of journal (clean tail)");
                }
            }
            return count;
        }
        catch (final JournalCorruptedException ex)
        {
            out.println("-- " + count + " record(s) printed before the corruption");
            throw ex;
        }
    }

    static void format(final JournalRecord record, final int bytes, final StringBuilder line)
    {
        line.append("position=").append(record.position())
            .append(" type=").append(record.type())
            .append(" flags=0x").append(Integer.toHexString(record.flags()))
            .append(" source=").append(record.sourceId())
            .append(" partition=").append(record.partition())
            .append(" offset=").append(record.sourceOffset())
            .append(" timestamp=").append(record.timestamp())
            .append(" payload=").append(record.payloadLength());
        final int shown = Math.min(bytes, record.payloadLength());
        if (shown > 0)
        {
            line.append(' ');
            final DirectBuffer buffer = record.buffer();
            for (int i = 0; i < shown; i++)
            {
                final int b = buffer.getByte(record.payloadOffset() + i) & 0xFF;
                line.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            if (shown < record.payloadLength())
            {
                line.append("...");
            }
        }
    }
}
