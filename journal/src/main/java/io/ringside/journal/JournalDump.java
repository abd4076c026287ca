package io.ringside.journal;

import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.DirectBuffer;

/**
 * Prints a journal's records for a person: {@code ringside journal dump DIR [--from POS] [--limit N] [--bytes B]}.
 * Read-only: takes no lock, repairs nothing, and can run beside a live appender. At the end it says
 * where the journal ends and whether a torn tail waits to be cut off by the next appender; a corrupt
 * record ends the dump with its segment and position and exit code 3.
 */
public final class JournalDump
{
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CORRUPT = 3;

    private static final String USAGE = "usage: ringside journal dump DIR [--from POSITION] [--limit N] [--bytes B]\n" +
        "  --from POSITION  start at this record position (default: the first record held)\n" +
        "  --limit N        print at most N records (default: all)\n" +
        "  --bytes B        payload bytes to print in hex per record (default 64, 0 for none)";

    private JournalDump()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @return the process exit code: 0, 2 for bad arguments or not a journal, 3 for corruption.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        Path directory = null;
        long from = -1;
        long limit = Long.MAX_VALUE;
        int bytes = 64;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--from":
                        from = Long.parseLong(value(args, ++i, "--from"));
                        break;
                    case "--limit":
                        limit = Long.parseLong(value(args, ++i, "--limit"));
                        break;
                    case "--bytes":
                        bytes = Integer.parseInt(value(args, ++i, "--bytes"));
                        break;
                    case "-h":
                    case "--help":
                        out.println(USAGE);
                        return EXIT_OK;
                    default:
                        if (args[i].startsWith("--") || directory != null)
                        {
                            throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                        }
                        directory = Path.of(args[i]);
                }
            }
            if (directory == null)
            {
                throw new IllegalArgumentException("no journal directory given");
            }
            if (limit < 0 || bytes < 0 || (from < 0 && from != -1))
            {
                throw new IllegalArgumentException("--from, --limit and --bytes take 0 or more, got " + (limit < 0 ? "--limit " + limit :
                    bytes < 0 ? "--bytes " + bytes : "--from " + from));
            }
        }
        catch (final NumberFormatException ex)
        {
            err.println("ringside journal dump: not a whole number: " + ex.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("ringside journal dump: " + ex.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        return dump(directory, from, limit, bytes, out, err);
    }

    private static String value(final String[] args, final int i, final String name)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int dump(final Path directory, final long from, final long limit, final int bytes, final PrintStream out, final PrintStream err)
    {
        final JournalLayout layout;
        try
        {
            layout = JournalLayout.inspect(directory);
            if (layout.isEmpty())
            {
                throw new JournalFormatException("no journal in " + directory + ": it holds no segment files");
            }
        }
        catch (final JournalException ex)
        {
            err.println("ringside journal dump: " + ex.getMessage());
            return EXIT_USAGE;
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
            return EXIT_OK;
        }
        catch (final JournalCorruptedException ex)
        {
            out.println("-- " + count + " record(s) printed before the corruption");
            err.println("ringside journal dump: " + ex.getMessage());
            return EXIT_CORRUPT;
        }
        catch (final IllegalArgumentException | JournalException ex)
        {
            err.println("ringside journal dump: " + ex.getMessage());
            return EXIT_USAGE;
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
