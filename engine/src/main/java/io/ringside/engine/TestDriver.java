package io.ringside.engine;

import io.ringside.engine.runtime.EngineState;
import io.ringside.engine.runtime.Journaler;
import io.ringside.engine.runtime.ShardRunner;
import io.ringside.engine.runtime.Slot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.ringside.journal.RecordDescriptor;
import io.ringside.journal.SegmentDescriptor;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs an engine's handlers on the calling thread, one input at a time, for tests: no ring, no journal, no threads and
 * no files (but the snapshots you ask for). Each input goes through the same code as in the engine and in its
 * recovery: the journaler's event time, event-time bound and watermarks, then the key's shard, its
 * {@link ShardHandler#onEvent}, and {@link ShardHandler#onWatermark} on every shard when the watermark moves (or while
 * a handler {@link ShardHandler#hasDueWork() has due work}). So the outputs, their order and their ids are those the
 * engine gives for the same inputs, and a test can assert them right after the call that caused them.
 * <pre>
 *   try (TestDriver driver = TestDriver.create(new EngineContext().handlers(shard -&gt; new MyRules())))
 *   {
 *       driver.pipe(card, event);                    // an event of source 0, partition 0, the next offset
 *       TestDriver.Record alert = driver.readOutput();  // its outputs, in order; null when none is left
 *       driver.endOfInput();                         // the watermark goes to Long.MAX_VALUE: every window closes
 *   }
 * </pre>
 * What it takes from the {@link EngineContext}: the handlers and the shard count, the output listener (called
 * inline as in the engine, besides the driver's own record), the error policy, the maximum output length, the
 * event-time extractor, the watermark settings (out-of-orderness, idle sources, expected sources) and the event-time
 * bound. The directory and the threading settings are not used.
 * <p>
 * Processing time is the driver's own clock, never the wall clock: it starts at {@link #DEFAULT_START_TIME_MS}, moves
 * only by {@link #advanceTime}, is what the event-time bound judges an event against (as the journaled time is in the
 * engine), and each {@link #advanceTime} ends with a TICK at the new time (the engine journals one every
 * {@link EngineContext#tickIntervalMs()}): idle sources are judged on ticks.
 * <p>
 * Journal positions (the first part of an output's id) are those of a new journal's first segment: each input takes
 * the position its record would have there (after the segment's header), and shards number their outputs within a
 * position as in the engine. So ids equal the engine's for inputs that fit in one segment.
 * <p>
 * Not thread-safe: one test thread. Close it to call the handlers' {@link ShardHandler#onClose()}.
 */
public final class TestDriver implements AutoCloseable
{
    /** Where processing time starts: 2026-01-01T00:00:00Z. */
    public static final long DEFAULT_START_TIME_MS = 1_767_225_600_000L;
    private static final String DRIVER_FILE = "driver.snapshot";
    private static final String ENGINE_FILE = "engine.snapshot";
    private static final long DRIVER_SNAPSHOT_FORMAT = 0x5244_5649_5652_0001L;

    private final EngineContext ctx;
    private final EngineCounters counters;
    private final EngineState state = new EngineState();
    private final Journaler journaler;
    private final ShardRunner[] shards;
    private final Slot slot;
    private final UnsafeBuffer copy;
    private final List<Record> outputs = new ArrayList<>();
    private final List<Record> view = Collections.unmodifiableList(outputs);
    private int read;
    private long position = SegmentDescriptor.HEADER_LENGTH;
    private long timeMs = DEFAULT_START_TIME_MS;
    private long nextOffset;
    private boolean ended;
    private boolean closed;

    private TestDriver(final EngineContext ctx)
    {
        if (ctx.handlers() == null)
        {
            throw new IllegalArgumentException("no shard handlers: call EngineContext.handlers(shard -> handler)");
        }
        this.ctx = ctx;
        final int shardCount = ctx.shardCount();
        this.counters = EngineCounters.inMemory(shardCount);
        this.journaler = Engine.newJournaler(ctx, null, counters, null, state);
        this.copy = new UnsafeBuffer(new byte[ctx.maxEventLength()]);
        this.slot = new Slot(copy, 0, ctx.maxEventLength());
        this.shards = new ShardRunner[shardCount];
        final OutputListener recorder = this::record;
        try
        {
            for (int i = 0; i < shardCount; i++)
            {
                final ShardHandler handler = ctx.handlers().apply(i);
                if (handler == null)
                {
                    throw new IllegalArgumentException("the handlers' factory returned null for shard " + i);
                }
                shards[i] = new ShardRunner(i, handler, recorder, null, ctx.maxOutputLength(), counters,
                    new SingleWriterRecorder(ShardRunner.MAX_LATENCY_NS, 3), false, ctx.errorPolicy(), state);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            closeShards();
            throw ex;
        }
    }

    /**
     * A driver over new handlers from {@code ctx}'s factory, at processing time {@link #DEFAULT_START_TIME_MS}.
     */
    public static TestDriver create(final EngineContext ctx)
    {
        return new TestDriver(ctx);
    }

    /**
     * A driver over new handlers from {@code ctx}'s factory, loaded from a snapshot {@link #snapshot} wrote: it goes on
     * where that driver was (watermarks, offsets, positions, processing time, the handlers' state), so that its outputs
     * from here are those the first driver would have given.
     *
     * @throws IOException                if a file is missing or unreadable.
     * @throws SnapshotCorruptedException if a file is damaged or was written for another shard count.
     */
    public static TestDriver restore(final EngineContext ctx, final Path directory) throws IOException
    {
        final TestDriver driver = new TestDriver(ctx);
        try
        {
            driver.load(directory);
            return driver;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            driver.close();
            throw ex;
        }
    }

    /**
     * Pipes an event of source 0, partition 0, at the offset after the last one piped that way, with timestamp 0 (the
     * event time comes from the context's extractor).
     */
    public TestDriver pipe(final long key, final byte[] event)
    {
        return pipe(key, new UnsafeBuffer(event), 0, event.length);
    }

    /**
     * As {@link #pipe(long, byte[])}, from a buffer.
     */
    public TestDriver pipe(final long key, final DirectBuffer buffer, final int offset, final int length)
    {
        return pipe(0, 0, nextOffset, key, 0, buffer, offset, length);
    }

    /**
     * Pipes an event as a publisher or an ingress would: its source, partition and offset there (the watermarks are
     * per source and partition), its key (which picks the shard), and the timestamp given at publish (the event time
     * when the context has no extractor).
     *
     * @throws IllegalArgumentException if the event is longer than {@link EngineContext#maxEventLength()}.
     * @throws IllegalStateException    after {@link #endOfInput()}, as the engine refuses it.
     * @throws EngineException          if a handler threw under {@link ErrorPolicy#STRICT}: the engine would have failed.
     */
    public TestDriver pipe(final int sourceId, final int partition, final long sourceOffset, final long key, final long timestamp,
        final DirectBuffer buffer, final int offset, final int length)
    {
        checkOpen();
        if (length < 0 || length > ctx.maxEventLength())
        {
            throw new IllegalArgumentException("an event of " + length + " bytes: the ring's slots take 0 to " + ctx.maxEventLength() +
                " (raise EngineContext.maxEventLength)");
        }
        prepare(SlotType.DATA, key, length);
        slot.sourceId = sourceId;
        slot.partition = partition;
        slot.sourceOffset = sourceOffset;
        slot.timestamp = timestamp;
        copy.putBytes(0, buffer, offset, length);
        if (sourceId == 0 && partition == 0)
        {
            nextOffset = Math.max(nextOffset, sourceOffset + 1);
        }
        run();
        return this;
    }

    /**
     * Pipes a control event (a rule change) of source 0, at the next offset, as {@link EventPublisher#publishControl}:
     * every shard's {@link ShardHandler#onControl} gets it here.
     */
    public TestDriver control(final byte[] control)
    {
        checkOpen();
        if (control.length > ctx.maxEventLength())
        {
            throw new IllegalArgumentException("a control event of " + control.length + " bytes: the ring's slots take 0 to " +
                ctx.maxEventLength() + " (raise EngineContext.maxEventLength)");
        }
        prepare(SlotType.CONTROL, 0, control.length);
        slot.sourceOffset = nextOffset++;
        copy.putBytes(0, control);
        run();
        return this;
    }

    /**
     * Moves processing time on by {@code ms} (0 or more) and journals a TICK at the new time, as the engine does at its
     * tick interval: sources silent since the tick before for {@link EngineContext#idleSourceTimeoutMs()} become idle.
     */
    public TestDriver advanceTime(final long ms)
    {
        checkOpen();
        if (ms < 0)
        {
            throw new IllegalArgumentException("processing time only moves forward: advanceTime(" + ms + ")");
        }
        timeMs += ms;
        prepare(SlotType.TICK, 0, 0);
        slot.timestamp = timeMs;
        run();
        return this;
    }

    /**
     * The end of a bounded input, as {@link EventPublisher#endOfInput()}: the watermark goes to {@link Long#MAX_VALUE}, so every
     * handler closes what it holds open; no input is taken after it.
     */
    public TestDriver endOfInput()
    {
        checkOpen();
        prepare(SlotType.SHUTDOWN, 0, 0);
        run();
        ended = true;
        return this;
    }

    /**
     * @return the next output not read yet (in the order the engine's listener would see them), or null.
     */
    public Record readOutput()
    {
        return read < outputs.size() ? outputs.get(read++) : null;
    }

    /**
     * @return every output so far, in order, read or not (a view; it grows as inputs are piped).
     */
    public List<Record> outputs()
    {
        return view;
    }

    /**
     * @return the global watermark after the last input.
     */
    public long watermark()
    {
        return slot.watermark;
    }

    /**
     * @return processing time now (epoch ms).
     */
    public long time()
    {
        return timeMs;
    }

    /**
     * @return the journal position the next input will take.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return events counted late by the shard's handlers ({@link ShardContext#late()}).
     */
    public long lateEvents(final int shard)
    {
        return counters.late[shard].get();
    }

    /**
     * A shard's handler, to inspect its state between inputs.
     *
     * @throws ClassCastException if it is not a {@code type}.
     */
    public <H extends ShardHandler> H handler(final int shard, final Class<H> type)
    {
        return type.cast(shards[shard].handler());
    }

    /**
     * Writes a snapshot of everything into {@code directory} (made if need be; files of an earlier snapshot there are
     * replaced): the watermarks and offsets, each shard's handler (which must be {@link Snapshottable}), and the
     * driver's position and processing time. {@link #restore} reads it.
     */
    public void snapshot(final Path directory) throws IOException
    {
        checkOpen();
        Files.createDirectories(directory);
        final Path driverFile = directory.resolve(DRIVER_FILE);
        Files.deleteIfExists(driverFile);
        try (SnapshotWriter out = SnapshotWriter.create(driverFile))
        {
            out.writeLong(DRIVER_SNAPSHOT_FORMAT);
            out.writeInt(shards.length);
            out.writeLong(position);
            out.writeLong(timeMs);
            out.writeLong(nextOffset);
            out.writeLong(slot.watermark);
            out.finish(false);
        }
        write(directory.resolve(ENGINE_FILE), SnapshotWriter.KIND_ENGINE, -1);
        for (int i = 0; i < shards.length; i++)
        {
            write(shardFile(directory, i), SnapshotWriter.KIND_SHARD, i);
        }
    }

    /**
     * Calls each handler's {@link ShardHandler#onClose()} (errors are counted, as in the engine).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            closeShards();
        }
    }

    private void write(final Path file, final int kind, final int shard) throws IOException
    {
        Files.deleteIfExists(file);
        try (SnapshotWriter out = new SnapshotWriter(file, kind, shard, position, 0))
        {
            if (shard < 0)
            {
                journaler.writeSnapshot(out);
            }
            else
            {
                shards[shard].writeSnapshot(out);
            }
            out.finish(false);
        }
    }

    private void load(final Path directory) throws IOException
    {
        try (SnapshotReader in = SnapshotReader.open(directory.resolve(DRIVER_FILE)))
        {
            if (in.readLong() != DRIVER_SNAPSHOT_FORMAT)
            {
                throw new SnapshotCorruptedException("snapshot " + in.file() + " is not a test driver's");
            }
            final int shardCount = in.readInt();
            if (shardCount != shards.length)
            {
                throw new SnapshotCorruptedException("snapshot " + directory + " holds " + shardCount + " shards, the context " +
                    shards.length);
            }
            position = in.readLong();
            timeMs = in.readLong();
            nextOffset = in.readLong();
            slot.watermark = in.readLong();
        }
        final SnapshotReader[] readers = new SnapshotReader[shards.length + 1];
        try
        {
            readers[0] = SnapshotReader.open(directory.resolve(ENGINE_FILE));
            for (int i = 0; i < shards.length; i++)
            {
                readers[i + 1] = SnapshotReader.open(shardFile(directory, i));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final SnapshotReader reader : readers)
            {
                CloseHelper.quietClose(reader);
            }
            throw ex;
        }
        Engine.loadSnapshot(readers, journaler, shards);
    }

    private static Path shardFile(final Path directory, final int shard)
    {
        return directory.resolve("shard-" + shard + ".snapshot");
    }

    private void prepare(final int type, final long key, final int length)
    {
        slot.type = type;
        slot.key = key;
        slot.shard = shards.length == 1 ? 0 : EventPublisher.shardOf(key, shards.length);
        slot.sourceId = 0;
        slot.partition = 0;
        slot.sourceOffset = 0;
        slot.timestamp = 0;
        slot.length = length;
        slot.ingressNanoTime = 0;
        slot.eventTimeError = null;
        final long seconds = timeMs / 1000 - Journaler.JOURNAL_TIME_EPOCH_S;
        slot.journalTimeS = seconds > 0 && seconds <= Integer.MAX_VALUE ? (int)seconds : 0;
    }

    private void run()
    {
        slot.journalPosition = position;
        position += RecordDescriptor.frameLength(EventRecordDescriptor.EVENT_OFFSET + slot.length);
        try
        {
            journaler.onReplay(slot);
            if (slot.type == SlotType.DATA)
            {
                shards[slot.shard].onEvent(slot);
            }
            for (final ShardRunner shard : shards)
            {
                shard.afterSlot(slot);
            }
        }
        catch (final AgentTerminationException ex)
        {
            // STRICT: the runner failed the engine and stopped
        }
        if (state.isHalted())
        {
            throw new EngineException("the engine failed at journal position " + slot.journalPosition + ": " + state.failure(),
                state.failure());
        }
    }

    private void record(final Output output)
    {
        final byte[] bytes = new byte[output.length()];
        output.buffer().getBytes(output.offset(), bytes);
        outputs.add(new Record(output.position(), output.shard(), output.ordinal(), output.type(), output.key(), bytes));
        final OutputListener listener = ctx.outputListener();
        if (listener != null)
        {
            listener.onOutput(output);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the test driver is closed");
        }
        if (ended)
        {
            throw new IllegalStateException("the input has ended (endOfInput): the engine takes nothing after it");
        }
        if (state.isHalted())
        {
            throw new EngineException("the engine failed earlier: " + state.failure(), state.failure());
        }
    }

    private void closeShards()
    {
        for (final ShardRunner shard : shards)
        {
            if (shard != null)
            {
                shard.onClose();
            }
        }
    }

    /**
     * One output as the engine's listener saw it, copied: an {@link Output} that stays valid (so {@link DeadLetter}
     * reads it too).
     *
     * @param position the journal position of the input that caused it.
     * @param shard    the shard that emitted it.
     * @param ordinal  its rank among that shard's outputs for that input.
     * @param type     the handler's type, or {@link Output#DEAD_LETTER}.
     * @param key      the handler's key (a dead letter's: the event's).
     * @param bytes    the output's bytes (a dead letter's: see {@link DeadLetter}).
     */
    public record Record(long position, int shard, int ordinal, int type, long key, byte[] bytes) implements Output
    {
        /**
         * @return false: the driver does not recover.
         */
        @Override
        public boolean isReplay()
        {
            return false;
        }

        /**
         * @return the bytes as a buffer (a new view each call), to read with the layout's offsets.
         */
        @Override
        public DirectBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }

        @Override
        public int offset()
        {
            return 0;
        }

        @Override
        public int length()
        {
            return bytes.length;
        }

        /**
         * @return the {@code index}-th int64 of the bytes (little-endian), for outputs made of longs.
         */
        public long longAt(final int index)
        {
            return buffer().getLong(index * 8);
        }

        @Override
        public String toString()
        {
            return "Output{position=" + position + ", shard=" + shard + ", ordinal=" + ordinal + ", type=" + type + ", key=" + key +
                ", " + bytes.length + " bytes}";
        }
    }
}
