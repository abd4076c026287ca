package io.ringside.perf.cli;

import java.nio.file.Path;

import io.ringside.journal.JournalCorruptedException;
import io.ringside.journal.JournalDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./ringside journal dump DIR [--from POSITION] [--limit N] [--bytes B]}: a journal's records, one per line
 * ({@link JournalDump}). Exit code 3 at a corrupt record, 2 for a {@code --from} that is no record's position.
 */
@Command(name = "dump", description = {"Prints a journal's records, one per line, then where it ends and whether a torn tail waits " +
    "to be cut off. Read-only: takes no lock, repairs nothing, safe beside a running engine.",
    "Exit code 3, with the segment and position on standard error, at a corrupt record."})
public final class JournalDumpCommand extends CheckedCommand implements IExitCodeExceptionMapper
{
    static final int EXIT_CORRUPT = 3;

    @Parameters(paramLabel = "DIR", description = "the journal directory (an engine directory's journal/)")
    private Path directory;

    @Option(names = "--from", paramLabel = "POSITION", description = "start at this record position (default: the first record held)")
    private long from = -1;

    @Option(names = "--limit", paramLabel = "N", description = "print at most N records (default: all)")
    private long limit = Long.MAX_VALUE;

    @Option(names = "--bytes", paramLabel = "B", description = "payload bytes to print in hex per record (default 64, 0 for none)")
    private int bytes = 64;

    @Override
    protected void check()
    {
        if (limit < 0 || bytes < 0 || (from < 0 && from != -1))
        {
            throw new IllegalArgumentException("--from, --limit and --bytes take 0 or more, got " + (limit < 0 ? "--limit " + limit :
                bytes < 0 ? "--bytes " + bytes : "--from " + from));
        }
    }

    @Override
    protected void run()
    {
        JournalDump.dump(directory, from, limit, bytes, System.out);
    }

    /**
     * 3 for a corrupt record; 2 for an {@link IllegalArgumentException}, which the options passed {@link #check()}
     * with, so a {@code --from} that is no record's position; else 1.
     */
    @Override
    public int getExitCode(final Throwable exception)
    {
        return exception instanceof JournalCorruptedException ? EXIT_CORRUPT : exception instanceof IllegalArgumentException ? 2 : 1;
    }
}
