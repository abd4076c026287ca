package io.ringside.engine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

/**
 * {@code ./ringside stat DIR [--once] [--errors]}: attaches, read-only, to the counters file of an engine
 * running in another process and prints its counters every second, with rates, until interrupted.
 * Exit codes: 0, 2 for bad arguments or no counters file.
 */
public final class EngineStat
{
    private static final String USAGE = "usage: ringside stat DIR [--once] [--errors]\n" +
        "  DIR       the engine directory (EngineContext.directory; it holds " + EngineCounters.FILE_NAME + ")\n" +
        "  --once    print one snapshot and exit\n" +
        "  --errors  also print the distinct error log";

    private EngineStat()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        Path dir = null;
        boolean once = false;
        boolean errors = false;
        for (final String arg : args)
        {
            switch (arg)
            {
                case "--once" -> once = true;
                case "--errors" -> errors = true;
                case "-h", "--help" ->
                {
                    out.println(USAGE);
                    return 0;
                }
                default ->
                {
                    if (arg.startsWith("--") || dir != null)
                    {
                        err.println("ringside stat: unexpected argument '" + arg + "'\n" + USAGE);
                        return 2;
                    }
                    dir = Path.of(arg);
                }
            }
        }
        if (dir == null)
        {
            final String env = System.getenv("RINGSIDE_DIR");
            if (env == null)
            {
                err.println("ringside stat: give the engine directory (or set RINGSIDE_DIR)\n" + USAGE);
                return 2;
            }
            dir = Path.of(env);
        }
        final Path file = dir.resolve(EngineCounters.FILE_NAME);
        if (!Files.exists(file))
        {
            err.println("ringside stat: no counters file " + file + ": is DIR the directory an engine was started with?");
            return 2;
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            err.println("ringside stat: cannot read " + file + ": " + ex.getMessage());
            return 2;
        }
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapped);
            if (mapped.capacity() < EngineCounters.fileLength() || header.getLong(0) != EngineCounters.MAGIC ||
                header.getInt(8) != EngineCounters.VERSION)
            {
                err.println("ringside stat: " + file + " is not a Ringside counters file of version " + EngineCounters.VERSION);
                return 2;
            }
            final CountersReader reader = new CountersReader(
                EngineCounters.metadataBuffer(mapped), EngineCounters.valuesBuffer(mapped));
            long[] previous = null;
            do
            {
                final long[] values = print(reader, header, previous, out);
                if (errors)
                {
                    printErrors(mapped, out);
                }
                if (once)
                {
                    break;
                }
                previous = values;
                Thread.sleep(1000);
            }
            while (true);
            return 0;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static long[] print(final CountersReader reader, final UnsafeBuffer header, final long[] previous, final PrintStream out)
    {
        final List<String> labels = new ArrayList<>();
        final List<Long> values = new ArrayList<>();
        reader.forEach((value, counterId, label) ->
        {
            labels.add(label);
            values.add(value);
        });
        final long[] now = new long[values.size()];
        final StringBuilder text = new StringBuilder(4096);
        final long heartbeat = values.size() > 1 ? values.get(1) : 0;
        final long ageMs = System.currentTimeMillis() - heartbeat;
        final long state = values.isEmpty() ? 0 : values.get(0);
        text.append(String.format(Locale.ROOT, "engine pid %d, %s%n", header.getLong(EngineCounters.PID_OFFSET),
            state == EngineCounters.STATE_RUNNING ? (ageMs < 3_000 ? "running" : "not responding (last heartbeat " + ageMs / 1000 + " s ago)") :
            state == EngineCounters.STATE_CLOSED ? "closed" : state == EngineCounters.STATE_FAILED ? "FAILED (see --errors)" : "starting"));
        for (int i = 0; i < now.length; i++)
        {
            now[i] = values.get(i);
            if (i < 2)
            {
                continue;
            }
            text.append(String.format(Locale.ROOT, "  %-58s %,20d", labels.get(i), now[i]));
            if (previous != null && i < previous.length && !labels.get(i).contains(" ns ") && !labels.get(i).contains("position") &&
                !labels.get(i).contains("free") && !labels.get(i).contains(" lag"))
            {
                text.append(String.format(Locale.ROOT, "  %,14d/s", now[i] - previous[i]));
            }
            text.append(System.lineSeparator());
        }
        out.print(text);
        out.flush();
        return now;
    }

    private static void printErrors(final MappedByteBuffer mapped, final PrintStream out)
    {
        final int count = ErrorLogReader.read(EngineCounters.errorLogBuffer(mapped),
            (observationCount, firstTimestamp, lastTimestamp, encodedException) ->
                out.printf(Locale.ROOT, "  error seen %d time(s):%n%s%n", observationCount, encodedException));
        if (count == 0)
        {
            out.println("  no errors recorded");
        }
    }
}
