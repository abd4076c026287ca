package io.ringside.engine;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The engine's live counters and distinct error log, in a memory-mapped file that another process can
 * read while the engine runs ({@code ./ringside stat DIR}), as Aeron's CnC file does.
 * <pre>
 *   0: magic "RNGSCNTR" (int64)      8: version (int32)        12: shard count (int32)
 *  16: pid (int64)                  24: start time, epoch ms (int64)
 *  32: metadata length (int32)      36: values length (int32)  40: error log length (int32)
 *  ... zeros up to {@link #HEADER_LENGTH}, then the counters' metadata, values and the error log buffers
 * </pre>
 * Each counter has one writer thread (noted at its field); readers may be anywhere.
 */
public final class EngineCounters implements AutoCloseable
{
    public static final String FILE_NAME = "counters.dat";
    static final long MAGIC = 0x52544E4353474E52L; // "RNGSCNTR" little-endian
    static final int VERSION = 1;
    static final int SHARD_COUNT_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int START_TIME_OFFSET = 24;
    static final int METADATA_LENGTH_OFFSET = 32;
    static final int VALUES_LENGTH_OFFSET = 36;
    static final int ERROR_LOG_LENGTH_OFFSET = 40;
    static final int HEADER_LENGTH = 4096;
    static final int MAX_COUNTERS = 1024;
    static final int METADATA_LENGTH = MAX_COUNTERS * CountersManager.METADATA_LENGTH;
    static final int VALUES_LENGTH = MAX_COUNTERS * CountersManager.COUNTER_LENGTH;
    static final int ERROR_LOG_LENGTH = 1024 * 1024;

    /** 1 while running, 2 once closed cleanly, 3 if failed. Written by the engine's control thread. */
    static final String LAST_OUTPUT_POSITION = "last output to the listener: position, shard ";
    static final String LAST_OUTPUT_ORDINAL = "last output to the listener: ordinal, shard ";
    public static final long STATE_RUNNING = 1;
    public static final long STATE_CLOSED = 2;
    public static final long STATE_FAILED = 3;

    private final Path file;
    private final ByteBuffer mapped;
    private final CountersManager manager;
    private final DistinctErrorLog errorLog;

    final AtomicCounter state;
    /** Epoch ms, written every second by the egress agent: readers tell a live engine from a dead one. */
    public final AtomicCounter heartbeat;
    /** Events published into the ring (ring cursor + 1), updated every second and at close. Egress agent. */
    public final AtomicCounter published;
    public final AtomicCounter ringFree;
    /** Journaler thread. */
    public final AtomicCounter journaled;
    public final AtomicCounter journalBytes;
    public final AtomicCounter journalForces;
    public final AtomicCounter ticks;
    public final AtomicCounter watermark;
    public final AtomicCounter durablePosition;
    /** Snapshots: completed, failed, the newest one's position and size, the last shard pause. */
    public final AtomicCounter snapshots;
    public final AtomicCounter snapshotsFailed;
    public final AtomicCounter snapshotPosition;
    public final AtomicCounter snapshotBytes;
    public final AtomicCounter snapshotPauseNs;
    public final AtomicCounter snapshotPauseMaxNs;
    /** With a snapshot replica: the journal position it has replayed to, and how long its last snapshot took to write. */
    public final AtomicCounter replicaPosition;
    public final AtomicCounter replicaWriteNs;
    /** Recovery at start: journal records replayed and how long recovery took. */
    final AtomicCounter replayed;
    final AtomicCounter recoveryMs;
    /** Any thread (atomic increments). */
    public final AtomicCounter errors;
    public final AtomicCounter deadLetters;
    /** Egress agent. */
    public final AtomicCounter delivered;
    public final AtomicCounter sinkErrors;
    /** One of each per shard, written by that shard's thread (latencies by the egress agent). */
    public final AtomicCounter[] processed;
    public final AtomicCounter[] outputs;
    public final AtomicCounter[] egressWaits;
    /** Events the handler reported late ({@link ShardContext#late()}). */
    public final AtomicCounter[] late;
    public final AtomicCounter[] latencyP50;
    public final AtomicCounter[] latencyP99;
    public final AtomicCounter[] latencyP999;
    public final AtomicCounter[] latencyMax;
    /** The id of the last output handed to the inline listener, per shard: read back after a crash. */
    public final AtomicCounter[] lastOutputPosition;
    public final AtomicCounter[] lastOutputOrdinal;

    private EngineCounters(final Path file, final ByteBuffer mapped, final int shardCount)
    {
        this.file = file;
        this.mapped = mapped;
        final UnsafeBuffer all = new UnsafeBuffer(mapped);
        all.putLong(0, MAGIC);
        all.putInt(8, VERSION);
        all.putInt(SHARD_COUNT_OFFSET, shardCount);
        all.putLong(PID_OFFSET, ProcessHandle.current().pid());
        all.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        all.putInt(METADATA_LENGTH_OFFSET, METADATA_LENGTH);
        all.putInt(VALUES_LENGTH_OFFSET, VALUES_LENGTH);
        all.putInt(ERROR_LOG_LENGTH_OFFSET, ERROR_LOG_LENGTH);
        manager = new CountersManager(metadataBuffer(mapped), valuesBuffer(mapped));
        errorLog = new DistinctErrorLog(errorLogBuffer(mapped), SystemEpochClock.INSTANCE);

        state = counter("engine state (1 running, 2 closed, 3 failed)");
        heartbeat = counter("heartbeat (epoch ms)");
        published = counter("events published");
        ringFree = counter("ring free slots");
        journaled = counter("events journaled");
        journalBytes = counter("journal bytes appended");
        journalForces = counter("journal forces");
        ticks = counter("ticks journaled");
        watermark = counter("watermark (event time)");
        durablePosition = counter("journal durable position");
        snapshots = counter("snapshots taken");
        snapshotsFailed = counter("snapshots failed");
        snapshotPosition = counter("newest snapshot position");
        snapshotBytes = counter("newest snapshot bytes");
        snapshotPauseNs = counter("last snapshot pause of a shard ns");
        snapshotPauseMaxNs = counter("longest snapshot pause of a shard ns");
        replicaPosition = counter("snapshot replica position");
        replicaWriteNs = counter("last snapshot write by the replica ns");
        replayed = counter("records replayed at start");
        recoveryMs = counter("recovery ms");
        errors = counter("handler errors");
        deadLetters = counter("dead letters");
        delivered = counter("outputs delivered to sinks");
        sinkErrors = counter("sink errors");
        processed = new AtomicCounter[shardCount];
        outputs = new AtomicCounter[shardCount];
        egressWaits = new AtomicCounter[shardCount];
        late = new AtomicCounter[shardCount];
        latencyP50 = new AtomicCounter[shardCount];
        latencyP99 = new AtomicCounter[shardCount];
        latencyP999 = new AtomicCounter[shardCount];
        latencyMax = new AtomicCounter[shardCount];
        lastOutputPosition = new AtomicCounter[shardCount];
        lastOutputOrdinal = new AtomicCounter[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            processed[i] = counter("shard " + i + " events processed");
            outputs[i] = counter("shard " + i + " outputs");
            egressWaits[i] = counter("shard " + i + " waits for egress space");
            late[i] = counter("shard " + i + " late events");
            latencyP50[i] = counter("shard " + i + " ingress-to-decision p50 ns (last second)");
            latencyP99[i] = counter("shard " + i + " ingress-to-decision p99 ns (last second)");
            latencyP999[i] = counter("shard " + i + " ingress-to-decision p99.9 ns (last second)");
            latencyMax[i] = counter("shard " + i + " ingress-to-decision max ns (last second)");
            lastOutputPosition[i] = counter(LAST_OUTPUT_POSITION + i);
            lastOutputOrdinal[i] = counter(LAST_OUTPUT_ORDINAL + i);
            lastOutputPosition[i].setRelease(-1);
            lastOutputOrdinal[i].setRelease(-1);
        }
        state.setRelease(STATE_RUNNING);
    }

    /**
     * Counters in memory only, for {@link TestDriver}: nothing another process can read, no file.
     */
    static EngineCounters inMemory(final int shardCount)
    {
        return new EngineCounters(null, ByteBuffer.allocateDirect(fileLength()), shardCount);
    }

    /**
     * Creates (replacing any left by an earlier run) the counters file in an engine directory.
     */
    public static EngineCounters create(final Path directory, final int shardCount)
    {
        final Path file = directory.resolve(FILE_NAME);
        try
        {
            Files.deleteIfExists(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                // written whole before it is mapped: a sparse file would take its blocks at the first write to each page,
                // and on a full disk that write (the error log recording the very failure) would fault in the JVM
                final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                for (long at = 0; at < fileLength(); at += zeros.capacity())
                {
                    zeros.clear().limit((int)Math.min(zeros.capacity(), fileLength() - at));
                    while (zeros.hasRemaining())
                    {
                        channel.write(zeros, at + zeros.position());
                    }
                }
                final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength());
                return new EngineCounters(file, mapped, shardCount);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the counters file " + file + " (" + fileLength() + " bytes; disk full?)", ex);
        }
    }

    /**
     * Reads, from the counters file an earlier run left (crashed or not), the id of the last output each shard
     * handed to the inline listener: {@code [shard][0]} position, {@code [shard][1]} ordinal, -1 if none or no file.
     */
    static long[][] lastOutputs(final Path directory, final int shardCount)
    {
        final long[][] last = new long[shardCount][];
        for (int i = 0; i < shardCount; i++)
        {
            last[i] = new long[] {-1, -1};
        }
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            return last;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() < fileLength())
            {
                return last;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileLength());
            try
            {
                if (new UnsafeBuffer(mapped).getLong(0) != MAGIC)
                {
                    return last;
                }
                final CountersReader reader =
                    new CountersReader(metadataBuffer(mapped), valuesBuffer(mapped));
                reader.forEach((id, label) ->
                {
                    for (int field = 0; field < 2; field++)
                    {
                        final String prefix = field == 0 ? LAST_OUTPUT_POSITION : LAST_OUTPUT_ORDINAL;
                        if (label.startsWith(prefix))
                        {
                            final int shard = Integer.parseInt(label.substring(prefix.length()));
                            if (shard < shardCount)
                            {
                                last[shard][field] = reader.getCounterValue(id);
                            }
                        }
                    }
                });
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // an unreadable counters file tells nothing: every replayed output counts as not delivered
            return last;
        }
        return last;
    }

    /**
     * Maps, read-only, the counters file of an engine directory, for a reader in another process (as
     * {@code ./ringside stat} does): read it with {@link #countersReader}, {@link #pid} and {@link #errorLogBuffer},
     * and unmap it with {@link IoUtil#unmap} once done. The file's layout stays this class's.
     *
     * @param directory the engine directory ({@link EngineContext#directory()}).
     * @return the mapped file, checked to be a Ringside counters file of this version.
     * @throws FileNotFoundException if {@code directory} holds no counters file.
     * @throws IOException           if it cannot be read or is not a Ringside counters file of this version.
     */
    public static MappedByteBuffer mapReadOnly(final Path directory) throws IOException
    {
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            throw new FileNotFoundException("no counters file " + file + ": is " + directory + " the directory an engine was started with?");
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapped);
        if (mapped.capacity() < fileLength() || header.getLong(0) != MAGIC || header.getInt(8) != VERSION)
        {
            IoUtil.unmap(mapped);
            throw new IOException(file + " is not a Ringside counters file of version " + VERSION);
        }
        return mapped;
    }

    /**
     * @param mapped a counters file from {@link #mapReadOnly}.
     * @return its counters: the state ({@link #STATE_RUNNING}...) first, the heartbeat (epoch ms) second, then the rest.
     */
    public static CountersReader countersReader(final ByteBuffer mapped)
    {
        return new CountersReader(metadataBuffer(mapped), valuesBuffer(mapped));
    }

    /**
     * @param mapped a counters file from {@link #mapReadOnly}.
     * @return the process id of the engine that wrote it.
     */
    public static long pid(final ByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped).getLong(PID_OFFSET);
    }

    static int fileLength()
    {
        return HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH + ERROR_LOG_LENGTH;
    }

    static AtomicBuffer metadataBuffer(final ByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, HEADER_LENGTH, METADATA_LENGTH);
    }

    static AtomicBuffer valuesBuffer(final ByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, HEADER_LENGTH + METADATA_LENGTH, VALUES_LENGTH);
    }

    /**
     * @param mapped a counters file from {@link #mapReadOnly}.
     * @return its distinct error log, for Agrona's {@code ErrorLogReader}.
     */
    public static AtomicBuffer errorLogBuffer(final ByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH, ERROR_LOG_LENGTH);
    }

    private AtomicCounter counter(final String label)
    {
        return manager.newCounter(label);
    }

    /**
     * Adds a counter for a component beside the engine (a Kafka ingress's per-partition lag, say), shown by
     * {@code ./ringside stat} like the engine's own. Allocation is thread-safe; the counter has one writer,
     * the component's thread.
     *
     * @param label what {@code stat} prints; a label containing " ns " or "position" or "free" or "lag" gets no rate.
     * @return the counter, 0.
     */
    public synchronized AtomicCounter newCounter(final String label)
    {
        return manager.newCounter(label);
    }

    /**
     * @return the counters as Agrona allocated them (labels and values), for a reader in this process such as
     * {@link JmxCounters}.
     */
    CountersReader reader()
    {
        return manager;
    }

    /**
     * Records an error in the distinct error log (same stack trace: one entry, counted; `./ringside stat DIR --errors`
     * prints it). For the engine's own threads and for components beside it, such as an ingress. Thread-safe.
     */
    public void recordError(final Throwable error)
    {
        errorLog.record(error);
    }

    /**
     * @return the counters file, or null for a {@link TestDriver}'s counters (in memory).
     */
    public Path file()
    {
        return file;
    }

    public long published()
    {
        return published.get();
    }

    public long journaled()
    {
        return journaled.get();
    }

    public long journalForces()
    {
        return journalForces.get();
    }

    /**
     * @return TICKs (processing time) journaled so far.
     */
    public long ticks()
    {
        return ticks.get();
    }

    /**
     * @return the global watermark after the last slot journaled.
     */
    public long watermark()
    {
        return watermark.get();
    }

    public long processed(final int shard)
    {
        return processed[shard].get();
    }

    /**
     * @return events processed by all shards.
     */
    public long processed()
    {
        long sum = 0;
        for (final AtomicCounter counter : processed)
        {
            sum += counter.get();
        }
        return sum;
    }

    /**
     * @return outputs emitted by all shards (dead letters included).
     */
    public long outputs()
    {
        long sum = 0;
        for (final AtomicCounter counter : outputs)
        {
            sum += counter.get();
        }
        return sum;
    }

    public long late(final int shard)
    {
        return late[shard].get();
    }

    /**
     * @return events that the shards' handlers reported late ({@link ShardContext#late()}), over all shards.
     */
    public long late()
    {
        long sum = 0;
        for (final AtomicCounter counter : late)
        {
            sum += counter.get();
        }
        return sum;
    }

    public long errors()
    {
        return errors.get();
    }

    public long deadLetters()
    {
        return deadLetters.get();
    }

    public long delivered()
    {
        return delivered.get();
    }

    public long sinkErrors()
    {
        return sinkErrors.get();
    }

    /**
     * @return snapshots completed since start.
     */
    public long snapshots()
    {
        return snapshots.get();
    }

    /**
     * @return snapshots that failed since start (each recorded in the error log with its reason).
     */
    public long snapshotsFailed()
    {
        return snapshotsFailed.get();
    }

    /**
     * @return the journal position below which every record is durable under the journal's policy.
     */
    public long durablePosition()
    {
        return durablePosition.get();
    }

    /**
     * @return bytes of the newest snapshot, all files.
     */
    public long snapshotBytes()
    {
        return snapshotBytes.get();
    }

    /**
     * @return the longest time a shard spent writing its part of a snapshot since start, in ns.
     */
    public long snapshotPauseMaxNs()
    {
        return snapshotPauseMaxNs.get();
    }

    /**
     * @return with {@link EngineContext#snapshotReplica}: the journal position the replica has replayed to (compare with
     * the durable position for its lag); 0 without one.
     */
    public long replicaPosition()
    {
        return replicaPosition.get();
    }

    /**
     * @return with {@link EngineContext#snapshotReplica}: how long the replica took to write its last snapshot, in ns
     * (the shards did not wait for it).
     */
    public long replicaWriteNs()
    {
        return replicaWriteNs.get();
    }

    public long egressWaits(final int shard)
    {
        return egressWaits[shard].get();
    }

    /**
     * Does not unmap: the counters stay readable after the engine closed (the mapping goes with this
     * object, to the garbage collector).
     */
    @Override
    public void close()
    {
        if (mapped instanceof MappedByteBuffer)
        {
            ((MappedByteBuffer)mapped).force();
        }
    }
}
