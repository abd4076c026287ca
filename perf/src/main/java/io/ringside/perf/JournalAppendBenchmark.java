package io.ringside.perf;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.journal.DurabilityPolicy;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.JournalContext;
import org.agrona.BufferUtil;
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

/**
 * Framed append throughput of {@link JournalAppender#append}: records per second, one record per
 * operation, for each payload size and durability policy. {@link JournalAppender#endOfBatch()} is called
 * every {@code batchSize} records, so {@code group-commit} forces once per batch and {@code interval:10}
 * at most every 10 ms. Segments are preallocated by default (zero-filled ahead of the roll on the
 * journal's preparer thread), so rolls are part of the score; {@code -p preallocate=false} uses sparse files. The payload is copied from one preallocated buffer: an append
 * allocates nothing.
 * <p>
 * Segments wholly below the append position are deleted after every iteration (outside the measured
 * time), so a run holds about one segment on disk. The journal lives in a scratch directory under
 * {@code java.io.tmpdir}, deleted at the end of the trial.
 * <p>
 * Compare with {@link MappedFloorBenchmark}, the same payload bytes written into a mapped file with no
 * header, framing or CRC; run both in one invocation:
 * <pre>
 * ./ringside bench 'JournalAppendBenchmark|MappedFloorBenchmark' -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JournalAppendBenchmark
{
    private static final int TYPE = 1;
    private static final int FLAGS = 0;
    private static final int SOURCE_ID = 7;
    private static final int PARTITION = 3;

    /** Payload bytes per record. */
    @Param({"48", "256"})
    public int payload;

    /** A {@link DurabilityPolicy#parse(String)} name. */
    @Param({"page-cache", "group-commit", "interval:10"})
    public String policy;

    /** Records between two {@link JournalAppender#endOfBatch()} calls. */
    @Param("1000")
    public int batchSize;

    /** True: segments are zero-filled ahead of the roll by the preparer thread; false: sparse files made at the roll. */
    @Param("true")
    public boolean preallocate;

    /** Bytes per segment file: 256 MiB. */
    @Param("268435456")
    public int segmentSize;

    private Path directory;
    private JournalAppender appender;
    private UnsafeBuffer source;
    private long sequence;
    private int inBatch;

    @Setup(Level.Trial)
    public void setUp()
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-append-");
        appender = JournalAppender.open(new JournalContext()
            .directory(directory)
            .segmentSize(segmentSize)
            .durability(DurabilityPolicy.parse(policy))
            .preallocate(preallocate));
        source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(payload, 8), 64));
        final byte[] bytes = new byte[payload];
        ThreadLocalRandom.current().nextBytes(bytes);
        source.putBytes(0, bytes);
        sequence = 0;
        inBatch = 0;
    }

    /**
     * Appends one record; every {@code batchSize}th also ends the batch.
     *
     * @return the record's position, so the append cannot be dropped.
     */
    @Benchmark
    public long append()
    {
        final long seq = sequence++;
        final long position = appender.append(TYPE, FLAGS, SOURCE_ID, PARTITION, seq, seq, source, 0, payload);
        if (++inBatch == batchSize)
        {
            inBatch = 0;
            appender.endOfBatch();
        }
        return position;
    }

    @TearDown(Level.Iteration)
    public void deleteOldSegments()
    {
        appender.deleteSegmentsBelow(appender.position());
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        BenchmarkFiles.closeAndDelete(directory, appender);
    }
}
