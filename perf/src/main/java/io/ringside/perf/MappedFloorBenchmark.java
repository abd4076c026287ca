package io.ringside.perf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.BitUtil;
import org.agrona.IoUtil;
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
 * The raw floor under {@link JournalAppendBenchmark}: the same payload bytes copied into a
 * {@link MappedByteBuffer}, each at an 8-byte-aligned offset like a journal record, but with no
 * 48-byte header, no framing and no CRC. One payload per operation, so the score is records per second
 * and directly comparable with the journal's page-cache figures ("framed append within 2x of the floor").
 * <p>
 * It pays for fresh pages as the journal does: each file is {@code segmentSize} bytes, zero-filled
 * with 1 MiB positional writes before it is mapped; when it is full, the next one is created and
 * filled inside the measured operation, and the full one is unmapped and closed. Full files are
 * deleted after every iteration (outside the measured time), as the journal benchmark deletes its old
 * segments, in a scratch directory under {@code java.io.tmpdir} removed at the end of the trial.
 * <p>
 * Run it together with the journal:
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
public class MappedFloorBenchmark
{
    /** Alignment of each write, as RecordDescriptor.FRAME_ALIGNMENT. */
    private static final int ALIGNMENT = 8;

    /** Payload bytes per write. */
    @Param({"48", "256"})
    public int payload;

    /** Bytes per file: 256 MiB, as the journal's segments. */
    @Param("268435456")
    public int segmentSize;

    private final List<Path> fullFiles = new ArrayList<>();
    private Path directory;
    private ByteBuffer zeros;
    private ByteBuffer source;
    private int stride;
    private long fileIndex;
    private Path file;
    private FileChannel channel;
    private MappedByteBuffer mapped;
    private int offset;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-floor-");
        zeros = ByteBuffer.allocateDirect(BenchmarkFiles.ZERO_CHUNK);
        source = ByteBuffer.allocateDirect(payload);
        final byte[] bytes = new byte[payload];
        ThreadLocalRandom.current().nextBytes(bytes);
        source.put(0, bytes);
        stride = BitUtil.align(payload, ALIGNMENT);
        fileIndex = 0;
        mapNewFile();
    }

    /**
     * Copies one payload to the next aligned offset, rolling to a fresh file when this one is full.
     *
     * @return the offset written, so the write cannot be dropped.
     * @throws IOException if a new file cannot be created.
     */
    @Benchmark
    public int write() throws IOException
    {
        if (offset + stride > segmentSize)
        {
            roll();
        }
        final int at = offset;
        mapped.put(at, source, 0, payload);
        offset = at + stride;
        return at;
    }

    @TearDown(Level.Iteration)
    public void deleteFullFiles() throws IOException
    {
        for (final Path full : fullFiles)
        {
            Files.delete(full);
        }
        fullFiles.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        BenchmarkFiles.closeAndDelete(directory, this::unmapCurrent);
    }

    private void roll() throws IOException
    {
        unmapCurrent();
        fullFiles.add(file);
        mapNewFile();
    }

    private void mapNewFile() throws IOException
    {
        file = directory.resolve("floor-" + fileIndex++ + ".dat");
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BenchmarkFiles.zeroFill(channel, segmentSize, zeros);
        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentSize);
        offset = 0;
    }

    private void unmapCurrent() throws IOException
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
        }
        if (channel != null)
        {
            channel.close();
            channel = null;
        }
    }
}
