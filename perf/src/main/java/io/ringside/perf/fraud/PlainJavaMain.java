package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.sun.management.ThreadMXBean;
import io.ringside.perf.cli.CheckedCommand;
import io.ringside.perf.cli.CommandLines;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
@Command(name = "PlainJavaMain", description = {"The fraud-velocity workload (workload.md v1) in plain single-threaded Java; prints per " +
    "output kind its count and checksum, then events/s (generation included)."})
public final class PlainJavaMain extends CheckedCommand
{
    /** Events the generator writes into the buffer that {@link FastPlainFraudVelocity#onEvents} takes at once. */
    static final int BATCH = 64;

    private long events = WorkloadSize.STANDARD.events();
    private long cards = WorkloadSize.STANDARD.cards();

    @Option(names = "--seed", order = 4, paramLabel = "S", description = "the generator's seed (default 42)")
    private long seed = 42;

    @Option(names = "--impl", order = 5, paramLabel = "fast|reference", description = {"fast (default): FastPlainFraudVelocity, written by hand for " +
        "speed (open addressing, pane lists, timer wheel), the comparator of ./ringside demo --compare;",
        "reference: PlainJavaFraudVelocity, the straightforward one"})
    private String impl = "fast";

    @Option(names = "--output", order = 6, paramLabel = "FILE", description = "also write every output record to FILE, one line each " +
        "(KIND,field,field,...)")
    private Path output;

    /** From the options, by {@link #check()}. */
    private boolean fast;
    private WorkloadGenerator generator;

    public static void main(final String[] args)
    {
        CommandLines.main(new PlainJavaMain(), args);
    }

    @Option(names = "--size", order = 1, paramLabel = "smoke|standard|large", description = "N and K together (default standard: 10,000,000 " +
        "events, 1,000,000 cards)")
    private void size(final WorkloadSize size)
    {
        events = size.events();
        cards = size.cards();
    }

    @Option(names = "--events", order = 2, paramLabel = "N", description = "N, events including duplicates")
    private void events(final long events)
    {
        this.events = events;
    }

    @Option(names = "--cards", order = 3, paramLabel = "K", description = "K, at least 100")
    private void cards(final long cards)
    {
        this.cards = cards;
    }

    @Override
    protected void check()
    {
        fast = implementation(impl);
        generator = new WorkloadGenerator(seed, events, cards);
    }

    @Override
    protected void run() throws IOException
    {
        run(generator, fast, output);
    }

    private static void run(final WorkloadGenerator generator, final boolean fast, final Path output) throws IOException
    {
        final long events = generator.events();
        System.out.printf(Locale.ROOT, "plain-java fraud-velocity: impl=%s events=%d cards=%d seed=%d%n",
            fast ? "fast" : "reference", events, generator.cards(), generator.seed());
        final ChecksumReport report = new ChecksumReport();
        try (Writer writer = output == null ? null : Files.newBufferedWriter(output, StandardCharsets.US_ASCII))
        {
            final OutputRecordSink sink = writer == null ? report : OutputRecordSink.tee(report, new OutputLineWriter(writer));
            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
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
    private static FastPlainFraudVelocity newFast(final WorkloadGenerator generator, final OutputRecordSink sink)
    {
        return new FastPlainFraudVelocity(sink, (int)Math.min(generator.cards(), 1 << 20), expectedIds(generator));
    }

    private static PlainJavaFraudVelocity newReference(final WorkloadGenerator generator, final OutputRecordSink sink)
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
}
