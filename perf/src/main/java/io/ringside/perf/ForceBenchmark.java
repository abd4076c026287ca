package io.ringside.perf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How a group commit should force a mapped file. Each invocation writes one batch of {@value #RECORDS}
 * records of {@value #RECORD_LENGTH} bytes (a 48-byte payload plus the size of a journal header) into
 * a mapped, preallocated, zero-filled 256 MiB file, then forces it with either
 * <ul>
 *   <li>{@code msync-range}: {@link MappedByteBuffer#force(int, int)} on the batch's range
 *   (msync(MS_SYNC) of those pages, what {@code JournalAppender.force()} does), or</li>
 *   <li>{@code fdatasync}: {@link FileChannel#force(boolean) FileChannel.force(false)} on the
 *   channel the file was mapped from.</li>
 * </ul>
 * The score is records per second ({@code @OperationsPerInvocation}); one invocation is one group
 * commit. Batches wrap around inside the file, so it never grows and no force has metadata to write
 * for a size change. The file lives in a scratch directory under {@code java.io.tmpdir}, deleted at
 * the end of the trial.
 * <pre>
 * ./ringside bench ForceBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ForceBenchmark
{
    /** Records per group commit. */
    public static final int RECORDS = 1000;
    /** Bytes written per record: a 48-byte payload and 48 bytes standing in for the header. */
    public static final int RECORD_LENGTH = 96;

    private static final int BATCH_LENGTH = RECORDS * RECORD_LENGTH;

    /**
     * {@code msync-range}: stores into the mapping, then {@code MappedByteBuffer.force(index, length)};
     * {@code fdatasync}: stores into the mapping, then {@code FileChannel.force(false)};
     * {@code write-fdatasync}: no mapping: the batch is built in a direct buffer, written with one positional
     * {@code FileChannel.write}, then {@code FileChannel.force(false)} (design.md's alternative).
     */
    @Param({"msync-range", "fdatasync", "write-fdatasync"})
    public String mode;

    /** Bytes in the mapped file: 256 MiB. */
    @Param("268435456")
    public int fileSize;

    private Path directory;
    private FileChannel channel;
    private MappedByteBuffer mapped;
    private UnsafeBuffer buffer;
    private UnsafeBuffer source;
    private boolean msyncRange;
    private boolean viaWrite;
    private ByteBuffer staging;
    private UnsafeBuffer stagingBuffer;
    private int offset;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        if (!mode.equals("msync-range") && !mode.equals("fdatasync") && !mode.equals("write-fdatasync"))
        {
            throw new IllegalArgumentException("mode must be msync-range, fdatasync or write-fdatasync, was " + mode);
        }
        msyncRange = mode.equals("msync-range");
        viaWrite = mode.equals("write-fdatasync");
        staging = ByteBuffer.allocateDirect(BATCH_LENGTH);
        stagingBuffer = new UnsafeBuffer(staging);
        directory = BenchmarkFiles.createScratchDirectory("ringside-force-");
        final Path file = directory.resolve("force.dat");
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BenchmarkFiles.zeroFill(channel, fileSize, ByteBuffer.allocateDirect(BenchmarkFiles.ZERO_CHUNK));
        channel.force(true);
        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize);
        buffer = new UnsafeBuffer(mapped);
        final byte[] bytes = new byte[RECORD_LENGTH];
        ThreadLocalRandom.current().nextBytes(bytes);
        source = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORD_LENGTH));
        source.putBytes(0, bytes);
        offset = 0;
        sequence = 0;
    }

    /**
     * Writes one batch of records and forces it.
     *
     * @throws IOException if the force fails.
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void writeBatchAndForce() throws IOException
    {
        if (offset + BATCH_LENGTH > fileSize)
        {
            offset = 0;
        }
        final int start = offset;
        if (viaWrite)
        {
            for (int i = 0; i < RECORDS; i++)
            {
                final int at = i * RECORD_LENGTH;
                stagingBuffer.putBytes(at, source, 0, RECORD_LENGTH);
                stagingBuffer.putLong(at + 16, sequence++);
            }
            staging.clear();
            while (staging.hasRemaining())
            {
                channel.write(staging, start + staging.position());
            }
            channel.force(false);
            offset = start + BATCH_LENGTH;
            return;
        }
        for (int i = 0; i < RECORDS; i++)
        {
            final int at = start + i * RECORD_LENGTH;
            buffer.putBytes(at, source, 0, RECORD_LENGTH);
            buffer.putLong(at + 16, sequence++);
        }
        if (msyncRange)
        {
            mapped.force(start, BATCH_LENGTH);
        }
        else
        {
            channel.force(false);
        }
        offset = start + BATCH_LENGTH;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        BenchmarkFiles.closeAndDelete(directory, () ->
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
        }, channel);
    }
}
