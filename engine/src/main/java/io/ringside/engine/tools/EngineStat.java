package io.ringside.engine.tools;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineCounters;
import org.agrona.IoUtil;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

/**
 * Reads, read-only, the counters file of an engine running in another process (or one that ran) and prints its state
 * and counters, with their rates since the previous {@link #print}: what {@code ./ringside stat DIR} shows every
 * second. Not thread-safe.
 */
public final class EngineStat implements AutoCloseable
{
    private final MappedByteBuffer mapped;
    private final CountersReader reader;
    private long[] previous;

    private EngineStat(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.reader = EngineCounters.countersReader(mapped);
    }

    /**
     * Maps the counters file of an engine directory, read-only.
     *
     * @param directory the engine directory ({@link EngineContext#directory()}).
     * @return the counters, to {@link #close()} once done.
     * @throws FileNotFoundException if {@code directory} holds no counters file.
     * @throws IOException           if it cannot be read or is not a Ringside counters file of this version.
     */
    public static EngineStat open(final Path directory) throws IOException
    {
        return new EngineStat(EngineCounters.mapReadOnly(directory));
    }

    /**
     * Prints the engine's process id and state, then one line per counter with, from the second call on, its rate
     * per second since the previous call (if it is a count), assuming a second between calls.
     */
    public void print(final PrintStream out)
    {
        previous = print(reader, mapped, previous, out);
    }

    /**
     * Prints the engine's distinct errors, each with how often it was seen.
     */
    public void printErrors(final PrintStream out)
    {
        printErrors(mapped, out);
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    private static long[] print(final CountersReader reader, final MappedByteBuffer mapped, final long[] previous, final PrintStream out)
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
        text.append(String.format(Locale.ROOT, "engine pid %d, %s%n", EngineCounters.pid(mapped),
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
