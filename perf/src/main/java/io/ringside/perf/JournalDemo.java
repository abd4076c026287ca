package io.ringside.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import io.ringside.journal.DurabilityPolicy;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.JournalContext;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import io.ringside.perf.cli.CheckedCommand;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ringside journal demo}: appends a million 48-byte records to a journal and
 * replays them, checking every record, then prints the rates. Flags:
 * {@code --records N --payload BYTES --durability page-cache|group-commit|interval:MS --batch N --journal DIR}.
 */
@Command(name = "demo", description = {"Appends N records of BYTES to a journal, one end-of-batch every --batch records, then replays " +
    "and checks them, and prints the rates. Without --journal the journal goes to a temporary directory, deleted at the end."})
public final class JournalDemo extends CheckedCommand
{
    @Option(names = "--records", paramLabel = "N", description = "records to append (default 1000000)")
    private long records = 1_000_000;

    @Option(names = "--payload", paramLabel = "BYTES", description = "payload bytes per record, at least 8 (default 48)")
    private int payload = 48;

    @Option(names = "--durability", paramLabel = "page-cache|group-commit|interval:MS", description = "when the appender forces " +
        "(default page-cache)")
    private DurabilityPolicy durability = DurabilityPolicy.PAGE_CACHE;

    @Option(names = "--batch", paramLabel = "N", description = "records per end-of-batch (default 1000)")
    private int batch = 1_000;

    @Option(names = "--journal", paramLabel = "DIR", description = "the journal directory (default: a temporary one, deleted at the end)")
    private Path journal;

    @Option(names = "--prefault", description = "have the segment preparer fault every page of the next segment in for " +
        "writing, so that the appender takes no page fault (JournalContext.prefault; default off)")
    private boolean prefault;

    @Option(names = "--touch-ahead", paramLabel = "BYTES", description = "how far ahead of the appender the segment preparer " +
        "writes each page once (JournalContext.touchAhead; default 4194304, 0 for off)")
    private int touchAhead = JournalContext.DEFAULT_TOUCH_AHEAD;

    @Override
    protected void check()
    {
        atLeast(0, touchAhead, "--touch-ahead");
        atLeast(1, records, "--records");
        atLeast(8, payload, "--payload");
        atLeast(1, batch, "--batch");
    }

    @Override
    protected void run() throws IOException
    {
        final boolean temporary = journal == null;
        final Path dir = temporary ? Files.createTempDirectory("ringside-demo-") : journal;
        try
        {
            run(dir, records, payload, batch, durability, prefault, touchAhead);
        }
        finally
        {
            if (temporary)
            {
                deleteTree(dir);
            }
        }
    }

    private static void run(final Path dir, final long records, final int payload, final int batch, final DurabilityPolicy durability,
        final boolean prefault, final int touchAhead)
    {
        System.out.printf(Locale.ROOT, "Ringside journal demo%n" +
            "journal %s, %,d records of %d bytes, durability %s, end of batch every %,d records, prefault %s, touch ahead %,d bytes%n", dir,
            records, payload, durability, batch, prefault ? "on" : "off", touchAhead);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[payload]);
        final long first;
        long written = 0;
        final long appendNs;
        final long end;
        final long forces;
        final long appendCpuStart;
        final long preparerCpuNs;
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).durability(durability).prefault(prefault)
            .touchAhead(touchAhead)))
        {
            System.out.println("open: " + appender.recovery());
            first = appender.position();
            appendCpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            for (long i = 0; i < records; i++)
            {
                event.putLong(0, i);
                for (int k = 8; k + 8 <= payload; k += 8)
                {
                    event.putLong(k, i * 0x9E3779B97F4A7C15L + k);
                }
                appender.append(1, 0, 0, 0, i, i, event, 0, payload);
                written += payload;
                if ((i + 1) % batch == 0)
                {
                    appender.endOfBatch();
                }
            }
            appender.endOfBatch();
            appendNs = System.nanoTime() - start;
            end = appender.position();
            forces = appender.forceCount();
            preparerCpuNs = threadCpuNs("ringside-journal-preparer");
        }
        report("appended", records, appendNs, end - first, forces);
        System.out.printf(Locale.ROOT, "CPU per record: appender (this thread) %.0f ns, segment preparer %s%n",
            (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - appendCpuStart) / (double)records,
            preparerCpuNs < 0 ? "none" : String.format(Locale.ROOT, "%.0f ns", preparerCpuNs / (double)records));

        long count = 0;
        long checksum = 0;
        final long replayNs;
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.seek(first);
            final long start = System.nanoTime();
            for (JournalRecord record = reader.next(); record != null; record = reader.next())
            {
                final long index = record.buffer().getLong(record.payloadOffset());
                if (index != count || record.sourceOffset() != count)
                {
                    throw new IllegalStateException("record " + count + " read back as " + index + " at position " + record.position());
                }
                checksum += record.buffer().getLong(record.payloadOffset() + record.payloadLength() - 8);
                count++;
            }
            replayNs = System.nanoTime() - start;
        }
        if (count != records)
        {
            throw new IllegalStateException("replayed " + count + " records, appended " + records);
        }
        report("replayed", count, replayNs, end - first, 0);
        System.out.printf(Locale.ROOT, "every record read back in order, CRC32C verified (payload checksum %016x), %d bytes on disk per record%n",
            checksum, (end - first) / records);
    }

    /** CPU time of the live thread of that name, or -1 if there is none. */
    private static long threadCpuNs(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(name))
            {
                return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
            }
        }
        return -1;
    }

    private static void report(final String what, final long records, final long ns, final long bytes, final long forces)
    {
        final double seconds = ns / 1e9;
        System.out.printf(Locale.ROOT, "%s %,d records in %.3f s: %,.0f records/s, %.0f ns/record, %.1f MB/s%s%n",
            what, records, seconds, records / seconds, (double)ns / records, bytes / seconds / 1e6,
            forces > 0 ? String.format(Locale.ROOT, ", %,d forces", forces) : "");
    }

    private static void atLeast(final long min, final long value, final String flag)
    {
        if (value < min)
        {
            throw new IllegalArgumentException(flag + " must be at least " + min + ", was " + value);
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
