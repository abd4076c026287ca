package io.ringside.perf;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.journal.DurabilityPolicy;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.JournalContext;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Sequential read throughput of {@link JournalReader#next()}: records per second, one record per
 * operation. The trial's setup appends {@value #RECORDS} records (page-cache durability, so the
 * journal is in the page cache, not necessarily on the device) in 64 MiB segments; each operation
 * reads the next record, length, position and (if {@code verify}) CRC32C checked, and feeds its header
 * fields and first payload word to a {@link Blackhole}. At the end of the journal the reader seeks
 * back to the first record, remapping the first segment, and carries on: every pass crosses segment
 * boundaries. Reading a record allocates nothing.
 * <p>
 * The journal lives in a scratch directory under {@code java.io.tmpdir}, deleted at the end of the trial.
 * <pre>
 * ./ringside bench JournalReadBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JournalReadBenchmark
{
    /** Records appended in the setup. */
    public static final int RECORDS = 2_000_000;

    /** Payload bytes per record. */
    @Param({"48", "256"})
    public int payload;

    /** Whether the reader verifies each record's CRC32C. */
    @Param({"true", "false"})
    public boolean verify;

    /** Bytes per segment file: 64 MiB, the journal's default. */
    @Param("67108864")
    public int segmentSize;

    private Path directory;
    private JournalReader reader;
    private long firstPosition;

    @Setup(Level.Trial)
    public void setUp()
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-read-");
        final byte[] bytes = new byte[payload];
        ThreadLocalRandom.current().nextBytes(bytes);
        final UnsafeBuffer source = new UnsafeBuffer(bytes);
        try (JournalAppender appender = JournalAppender.open(new JournalContext()
            .directory(directory)
            .segmentSize(segmentSize)
            .durability(DurabilityPolicy.PAGE_CACHE)))
        {
            firstPosition = appender.position();
            for (int i = 0; i < RECORDS; i++)
            {
                appender.append(1 + (i & 0xFF), i & 0xFFFF, 7, i & 15, i, 1_000_000L + i, source, 0, payload);
            }
            appender.endOfBatch();
        }
        reader = JournalReader.open(directory, verify);
        reader.seek(firstPosition);
    }

    /**
     * Reads the next record, going back to the first one at the end of the journal.
     *
     * @param blackhole takes the record's fields.
     */
    @Benchmark
    public void read(final Blackhole blackhole)
    {
        final JournalRecord record = nextRecord();
        blackhole.consume(record.position());
        blackhole.consume(record.type());
        blackhole.consume(record.flags());
        blackhole.consume(record.sourceId());
        blackhole.consume(record.partition());
        blackhole.consume(record.sourceOffset());
        blackhole.consume(record.timestamp());
        blackhole.consume(record.payloadLength());
        blackhole.consume(record.buffer().getLong(record.payloadOffset()));
    }

    private JournalRecord nextRecord()
    {
        final JournalRecord record = reader.next();
        if (record != null)
        {
            return record;
        }
        reader.seek(firstPosition);
        return reader.next();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        BenchmarkFiles.closeAndDelete(directory, reader);
    }
}
