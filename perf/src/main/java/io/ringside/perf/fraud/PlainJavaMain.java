package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs the workload in plain single-threaded Java, events straight from the {@link WorkloadGenerator}, and prints the
 * checksum lines, then the rate (generation included) and the bytes allocated per event by this thread: over the
 * whole run (the maps and pools growing to their peak included) and over the second half of the events (nearer the
 * steady state). Everything runs on the main thread. Two implementations:
 * <ul>
 *     <li>{@code fast} (the default), {@link FastPlainFraudVelocity}: written by hand to be as fast as plain Java can
 *     be, the comparator of {@code ./ringside demo --compare}; the generator writes {@value #BATCH} events at a time
 *     into a buffer, which it takes in one call;</li>
 *     <li>{@code reference}, {@link PlainJavaFraudVelocity}: the straightforward one, an event at a time.</li>
 * </ul>
 * <pre>
 * java -cp ... io.ringside.perf.fraud.PlainJavaMain --events 10000000 --cards 1000000 --seed 42
 * java -cp ... io.ringside.perf.fraud.PlainJavaMain --size smoke --seed 42 --impl reference --output /tmp/plain.out
 * </pre>
 */
public final class PlainJavaMain
{
    static final String USAGE = String.join("\n",
        "usage: PlainJavaMain [--size smoke|standard|large] [--events N] [--cards K] [--seed S] [--impl fast|reference]",
        "                     [--output FILE]",
        "  the fraud-velocity workload (workload.md v1) in plain single-threaded Java; prints per output kind",
        "  its count and checksum, then events/s (generation included).",
        "  --size    N and K together (default standard: 10,000,000 events, 1,000,000 cards)",
        "  --events  N, events including duplicates",
        "  --cards   K, at least 100",
        "  --seed    the generator's seed (default 42)",
        "  --impl    fast (default): FastPlainFraudVelocity, written by hand for speed (open addressing, pane lists,",
        "            timer wheel), the comparator of ./ringside demo --compare;",
        "            reference: PlainJavaFraudVelocity, the straightforward one",
        "  --output  also write every output record to FILE, one line each (KIND,field,field,...)");

    /** Events the generator writes into the buffer that {@link FastPlainFraudVelocity#onEvents} takes at once. */
    static final int BATCH = 64;

    private PlainJavaMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        long events = WorkloadSize.STANDARD.events();
        long cards = WorkloadSize.STANDARD.cards();
        long seed = 42;
        boolean fast = true;
        String output = null;
        final WorkloadGenerator generator;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                final String flag = args[i];
                if (flag.equals("-h") || flag.equals("--help"))
                {
                    System.out.println(USAGE);
                    return;
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                final String value = args[++i];
                switch (flag)
                {
                    case "--size" ->
                    {
                        final WorkloadSize size = WorkloadSize.parse(value);
                        events = size.events();
                        cards = size.cards();
                    }
                    case "--events" -> events = number(flag, value);
                    case "--cards" -> cards = number(flag, value);
                    case "--seed" -> seed = number(flag, value);
                    case "--impl" -> fast = implementation(value);
                    case "--output" -> output = value;
                    default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
                }
            }
            generator = new WorkloadGenerator(seed, events, cards);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("PlainJavaMain: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        run(generator, fast, output);
    }

    private static void run(final WorkloadGenerator generator, final boolean fast, final String output) throws IOException
    {
        final long events = generator.events();
        System.out.printf(Locale.ROOT, "plain-java fraud-velocity: impl=%s events=%d cards=%d seed=%d%n",
            fast ? "fast" : "reference", events, generator.cards(), generator.seed());
        final ChecksumReport report = new ChecksumReport();
        try (Writer writer = output == null ? null : Files.newBufferedWriter(Path.of(output), StandardCharsets.US_ASCII))
        {
            final OutputSink sink = writer == null ? report : OutputSink.tee(report, new OutputLineWriter(writer));
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long half = events / 2;
            final long allocatedBefore;
            long allocatedAtHalf;
            final long allocatedBeforeEnd;
            final long startNs;
            if (fast)
            {
                final FastPlainFraudVelocity pipeline = newFast(generator, sink);
                final UnsafeBuffer batch = new UnsafeBuffer(new byte[BATCH * FraudEvent.LENGTH]);
                allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                allocatedAtHalf = allocatedBefore;
                startNs = System.nanoTime();
                int count;
                while ((count = nextBatch(generator, batch)) > 0)
                {
                    pipeline.onEvents(batch, 0, count);
                    if (generator.index() - count < half && generator.index() >= half)
                    {
                        allocatedAtHalf = threads.getCurrentThreadAllocatedBytes();
                    }
                }
                allocatedBeforeEnd = threads.getCurrentThreadAllocatedBytes();
                pipeline.endOfInput();
            }
            else
            {
                final PlainJavaFraudVelocity pipeline = newReference(generator, sink);
                final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
                allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                allocatedAtHalf = allocatedBefore;
                startNs = System.nanoTime();
                while (generator.next(event, 0))
                {
                    pipeline.onEvent(event, 0);
                    if (generator.index() == half)
                    {
                        allocatedAtHalf = threads.getCurrentThreadAllocatedBytes();
                    }
                }
                allocatedBeforeEnd = threads.getCurrentThreadAllocatedBytes();
                pipeline.endOfInput();
            }
            final long elapsedNs = System.nanoTime() - startNs;
            final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            report.print(System.out);
            System.out.printf(Locale.ROOT, "events=%d elapsed_ms=%d events_per_s=%.0f allocated_bytes_per_event=%.2f " +
                "(second half of the events: %.2f)%n",
                events, elapsedNs / 1_000_000, events * 1e9 / Math.max(1, elapsedNs), allocated / (double)Math.max(1, events),
                (allocatedBeforeEnd - allocatedAtHalf) / (double)Math.max(1, events - half));
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    /**
     * Runs the workload through {@link FastPlainFraudVelocity} (the comparator) into {@code report}, on the calling
     * thread, events straight from the generator, {@value #BATCH} at a time (generation included in the time).
     *
     * @return the elapsed nanoseconds.
     */
    static long runPlain(final WorkloadGenerator generator, final ChecksumReport report)
    {
        final FastPlainFraudVelocity pipeline = newFast(generator, report);
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[BATCH * FraudEvent.LENGTH]);
        final long startNs = System.nanoTime();
        int count;
        while ((count = nextBatch(generator, batch)) > 0)
        {
            pipeline.onEvents(batch, 0, count);
        }
        pipeline.endOfInput();
        return System.nanoTime() - startNs;
    }

    /**
     * Fills {@code batch} with up to {@value #BATCH} events.
     *
     * @return how many: 0 once all are emitted.
     */
    private static int nextBatch(final WorkloadGenerator generator, final UnsafeBuffer batch)
    {
        int count = 0;
        while (count < BATCH && generator.next(batch, count * FraudEvent.LENGTH))
        {
            count++;
        }
        return count;
    }

    /**
     * The card table sized for about a million cards with open windows at once (the standard size has them all; it
     * grows past that), the dedup memory for ten minutes of ids at the workload's rate.
     */
    private static FastPlainFraudVelocity newFast(final WorkloadGenerator generator, final OutputSink sink)
    {
        return new FastPlainFraudVelocity(sink, (int)Math.min(generator.cards(), 1 << 20), expectedIds(generator));
    }

    private static PlainJavaFraudVelocity newReference(final WorkloadGenerator generator, final OutputSink sink)
    {
        return new PlainJavaFraudVelocity(sink, (int)Math.min(generator.cards(), 1 << 24), expectedIds(generator));
    }

    private static int expectedIds(final WorkloadGenerator generator)
    {
        return (int)Math.min(generator.events(), FraudVelocityRules.DEDUP_HORIZON_MS * WorkloadGenerator.EVENTS_PER_MS * 11 / 10);
    }

    private static boolean implementation(final String value)
    {
        return switch (value)
        {
            case "fast" -> true;
            case "reference" -> false;
            default -> throw new IllegalArgumentException("--impl takes fast or reference, not '" + value + "'");
        };
    }

    private static long number(final String flag, final String value)
    {
        try
        {
            return Long.parseLong(value.trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + " takes a whole number, not '" + value + "'", ex);
        }
    }
}
