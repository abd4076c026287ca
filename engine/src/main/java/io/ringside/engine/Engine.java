package io.ringside.engine;

import io.ringside.engine.runtime.CompactAgent;
import io.ringside.engine.runtime.CompactIdleStrategy;
import io.ringside.engine.runtime.CountersDuty;
import io.ringside.engine.runtime.Doorbell;
import io.ringside.engine.runtime.EgressAgent;
import io.ringside.engine.runtime.EgressThread;
import io.ringside.engine.runtime.EngineIdentity;
import io.ringside.engine.runtime.EngineState;
import io.ringside.engine.runtime.InlineEgress;
import io.ringside.engine.runtime.Journaler;
import io.ringside.engine.runtime.JournalerAgent;
import io.ringside.engine.runtime.PinningThreadFactory;
import io.ringside.engine.runtime.ShardAgent;
import io.ringside.engine.runtime.ShardRunner;
import io.ringside.engine.runtime.Slot;
import io.ringside.engine.runtime.SnapshotCompletion;
import io.ringside.engine.runtime.SnapshotReplica;
import io.ringside.engine.runtime.SnapshotSchedule;
import io.ringside.engine.runtime.SnapshotTaker;
import io.ringside.engine.runtime.Ticker;
import io.ringside.engine.runtime.WatermarkTracker;
import io.ringside.engine.state.Prefetch;
import io.ringside.engine.state.PrefetchingThread;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.dsl.ProducerType;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.RecoveryReport;
import io.ringside.journal.SegmentDescriptor;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.collections.Long2LongHashMap;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;

/**
 * The engine: a Disruptor ring that publishers write into, a journaler that appends every event to the
 * journal, shards that run the embedder's {@link ShardHandler}s on the events of their keys, and an egress
 * agent that hands outputs to sinks once their inputs are durable. Build it with an {@link EngineContext},
 * {@link #start()} it, get an {@link EventPublisher} per publishing thread, and {@link #close()} it.
 * <pre>
 * try (Engine engine = new Engine(new EngineContext().directory(dir).handlers(shard -&gt; new MyHandler())).start())
 * {
 *     EventPublisher publisher = engine.newPublisher(1);
 *     publisher.publish(key, buffer, 0, length);
 * }
 * </pre>
 * <b>Thread safety:</b> {@link #start()}, {@link #close()} and {@link #newPublisher(int)} may be called from
 * any thread; each {@link EventPublisher} belongs to one thread.
 */
public final class Engine implements AutoCloseable
{
    /** Written in the directory of an engine started from a seed snapshot: which one (a replay of its journal lacks it). */
    static final String SEEDED_FILE = "seeded-from.txt";

    /** First of the fields: a JVM without the flags gets a refusal that names them, before any other field is made. */
    private final boolean flagsChecked = JvmFlags.requireForEngine();
    private final EngineContext ctx;
    private final EngineState state = new EngineState();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<Sequence> consumerSequences = new ArrayList<>();
    private JournalAppender appender;
    private RecoveryReport recovery;
    private EngineCounters counters;
    private RingBuffer<Slot> ring;
    private Doorbell ringDoorbell;
    private Journaler journaler;
    /** The compact topology's one consumer; null when pipelined. */
    private CompactAgent compact;
    private EgressAgent egress;
    private CountersDuty duty;
    private ShardRunner[] shards = new ShardRunner[0];
    private SnapshotTaker snapshots;
    /** When the journaler begins snapshots; null without them or with a replica (which takes them). */
    private SnapshotSchedule schedule;
    private SnapshotReplica replica;
    /** The recovered journal holds an end of input: publishers refuse events. */
    private boolean recoveredInputEnded;
    private EngineRecovery engineRecovery;
    private Long2LongHashMap recoveredOffsets = new Long2LongHashMap(-1);
    private int publishers;
    /** The highest ring sequence {@link #durableSequence()} found durable. */
    private final AtomicLong durableSequence = new AtomicLong(-1);
    /** Source ids with an open publisher, and where each closed one's offsets stopped. Under this engine's lock. */
    private final IntHashSet openSources = new IntHashSet();
    private final Long2LongHashMap closedSourceOffsets = new Long2LongHashMap(-1);

    public Engine(final EngineContext ctx)
    {
        this.ctx = ctx.conclude();
    }

    /**
     * Opens the journal (recovering it), creates the counters file, builds the ring and starts the threads.
     *
     * @return this.
     * @throws IllegalStateException if already started or closed.
     */
    public synchronized Engine start()
    {
        if (state.lifecycle() != EngineState.NEW)
        {
            throw new IllegalStateException(state.lifecycle() == EngineState.RUNNING ?
                "the engine is already started" : "the engine was closed: build a new one to start again");
        }
        try
        {
            Files.createDirectories(ctx.directory());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the engine directory " + ctx.directory(), ex);
        }
        try
        {
            appender = JournalAppender.open(ctx.journalContext());   // holds the journal's lock: one process from here
            recovery = appender.recovery();
            EngineIdentity.recordOrCheck(ctx);
            final long[][] lastOutputs = EngineCounters.lastOutputs(ctx.directory(), ctx.shardCount());
            counters = EngineCounters.create(ctx.directory(), ctx.shardCount());
            build();
            for (final OutputSink sink : ctx.sinks())
            {
                try
                {
                    sink.onStart(appender.journalId());
                }
                catch (final Exception ex)
                {
                    throw new EngineException("the sink " + sink + " could not start: " + ex.getMessage(), ex);
                }
            }
            state.lifecycle(EngineState.RUNNING);
            // the egress runs first: outputs replayed by recovery flow through it to the sinks
            final AgentRunner egressRunner = runners.get(runners.size() - 1);
            AgentRunner.startOnThread(egressRunner, new PinningThreadFactory(egressRunner.agent().roleName(), cpuOf(egressRunner.agent())));
            recover(lastOutputs);
            for (final AgentRunner runner : runners)
            {
                if (runner != egressRunner)
                {
                    AgentRunner.startOnThread(runner, new PinningThreadFactory(runner.agent().roleName(), cpuOf(runner.agent())));
                }
            }
            if (snapshots != null && ctx.snapshotReplica() != null)
            {
                replica = new SnapshotReplica(ctx, snapshots, journaler, counters, engineRecovery.snapshotPosition());
                replica.start();
            }
        }
        catch (final RuntimeException ex)
        {
            state.halt();
            stopThreads();
            stopReplica();
            if (snapshots != null)
            {
                snapshots.close(ctx.closeTimeoutMs());
            }
            closeHandlersNotClosed();
            for (final OutputSink sink : ctx.sinks())
            {
                CloseHelper.quietClose(sink::close);   // a sink started, and holding its file, is let go
            }
            CloseHelper.quietClose(appender);
            CloseHelper.quietClose(counters);
            state.lifecycle(EngineState.CLOSED);
            throw ex;
        }
        return this;
    }

    private void build()
    {
        final int shardCount = ctx.shardCount();
        final int slotCapacity = BitUtil.align(ctx.maxEventLength(), 8);
        final UnsafeBuffer slab = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ctx.ringSize() * slotCapacity, 64));
        final int[] index = {0};
        ring = RingBuffer.create(ctx.multiProducer() ? ProducerType.MULTI : ProducerType.SINGLE,
            () -> new Slot(slab, index[0]++, slotCapacity), ctx.ringSize(), new BusySpinWaitStrategy());

        final boolean pipelined = ctx.topology() == Topology.PIPELINED;
        final Doorbell egressDoorbell = ctx.egressWait().usesDoorbell() ? new Doorbell() : null;
        ringDoorbell = ctx.journalerWait().usesDoorbell() ? new Doorbell() : null;
        final Doorbell shardDoorbell = pipelined && ctx.shardWait().usesDoorbell() ? new Doorbell() : null;
        final boolean hasSinks = !ctx.sinks().isEmpty();
        // no sinks: nothing to deliver when the durable position moves or a shard emits, so no ring per batch (an unpark on
        // the deciding thread, a thread woken for nothing); the egress thread's ticks and counters run on its park timeout
        final Doorbell outputsDoorbell = hasSinks ? egressDoorbell : null;
        journaler = newJournaler(ctx, appender, counters, outputsDoorbell, state);

        final OneToOneRingBuffer[] buffers = new OneToOneRingBuffer[shardCount];
        final SingleWriterRecorder[] latency = new SingleWriterRecorder[shardCount];
        shards = new ShardRunner[shardCount];
        boolean snapshottable = true;
        for (int i = 0; i < shardCount; i++)
        {
            buffers[i] = hasSinks ? new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(ctx.egressBufferLength() + RingBufferDescriptor.TRAILER_LENGTH))) : null;
            latency[i] = new SingleWriterRecorder(ShardRunner.MAX_LATENCY_NS, 3);
            final ShardHandler handler = ctx.handlers().apply(i);
            if (handler == null)
            {
                throw new IllegalArgumentException("the handler factory returned null for shard " + i);
            }
            shards[i] = new ShardRunner(i, handler, ctx.outputListener(), buffers[i], ctx.maxOutputLength(), counters, latency[i],
                ctx.recordLatency(), ctx.errorPolicy(), state);
            snapshottable &= handler instanceof Snapshottable;
        }
        if (snapshottable)
        {
            snapshots = new SnapshotTaker(ctx.directory(), shardCount, appender.journalId(), ctx.snapshotsToKeep(),
                ctx.deleteJournalBelowSnapshots(), counters);
            snapshots.retention(journaler);
            snapshots.completeOn(new PinningThreadFactory(SnapshotTaker.COMPLETER_ROLE_NAME, ctx.backgroundCpu()), ctx::backgroundIdleStrategy,
                counters::recordError);
            if (ctx.snapshotReplica() == null)
            {
                schedule = new SnapshotSchedule(snapshots, journaler, ctx.snapshotEveryEvents(), ctx.snapshotEveryMs(), ctx.tickClock());
                journaler.snapshots(schedule);
            }
            if (hasSinks)
            {
                snapshots.awaitSinks(egressDoorbell);
            }
        }
        else if (ctx.snapshotEveryEvents() > 0 || ctx.snapshotEveryMs() > 0)
        {
            throw new IllegalArgumentException((ctx.snapshotEveryEvents() > 0 ? "snapshotEveryEvents" : "snapshotEveryMs") + " is set but the handler of shard " + firstNotSnapshottable() +
                " does not implement Snapshottable: implement it, or leave snapshots off (recovery then replays the whole journal)");
        }

        final EventPoller<Slot> first = ring.newPoller();
        ring.addGatingSequences(first.getSequence());
        consumerSequences.add(first.getSequence());
        final Sequence firstSequence = first.getSequence();
        final RingBuffer<Slot> r = ring;
        if (!pipelined)
        {
            final CompactAgent compact = new CompactAgent(first, state, ringDoorbell, journaler, shards, counters::recordError);
            compact.prefetchFrom(r);
            this.compact = compact;
            runners.add(new AgentRunner(new CompactIdleStrategy(compact, ctx.journalerWait(), ringDoorbell,
                () -> r.isAvailable(firstSequence.get() + 1), ctx.compactDutyParkNs()), errorHandler(compact.roleName()), null, compact));
        }
        else
        {
            add(new JournalerAgent(first, state, ringDoorbell, journaler, shardDoorbell), ctx.journalerWait(), ringDoorbell,
                () -> r.isAvailable(firstSequence.get() + 1));
            for (int i = 0; i < shardCount; i++)
            {
                final EventPoller<Slot> poller = ring.newPoller(firstSequence);
                ring.addGatingSequences(poller.getSequence());
                consumerSequences.add(poller.getSequence());
                final Sequence own = poller.getSequence();
                final ShardAgent shardAgent = new ShardAgent(i, poller, state, shardDoorbell, shards[i], outputsDoorbell);
                shardAgent.prefetchFrom(r);
                add(shardAgent, ctx.shardWait(), shardDoorbell,
                    () -> firstSequence.get() > own.get());
            }
        }
        egress = new EgressAgent(buffers, ctx.sinks(), journaler, counters, egressDoorbell);
        egress.failOnSinkFailure(state, ctx.sinkFailureTimeoutMs());
        deliverInline();
        final SnapshotCompletion completion = snapshots != null && hasSinks ? new SnapshotCompletion(snapshots, egress) : null;
        final Ticker ticker = ctx.tickIntervalMs() > 0 ?
            new Ticker(new EventPublisher(ring, state, -1, shardCount, ctx.maxEventLength(), ringDoorbell), ring, ctx.tickIntervalMs(),
                ctx.tickClock()) : null;
        duty = new CountersDuty(counters, ring, consumerSequences.toArray(new Sequence[0]), latency);
        final EgressAgent e = egress;
        add(new EgressThread(egress, completion, ticker, duty), ctx.egressWait(), egressDoorbell,
            () -> e.hasWork() || (completion != null && completion.hasWork()));
    }

    /**
     * Delivery on the compact thread ({@link InlineOutputSink}): on a compact engine whose sinks all take it, unless
     * {@link EngineContext#inlineDelivery(boolean)} is off.
     */
    private void deliverInline()
    {
        final InlineEgress inline = compact != null && ctx.inlineDelivery() ? egress.inlineEgress() : null;
        if (inline != null)
        {
            compact.deliverInline(inline);
            if (snapshots != null)
            {
                inline.completesSnapshots(snapshots);
            }
        }
    }

    /**
     * @param appender null for a journaler that only replays (recovery's twin in the replay tool and the snapshot replica).
     * @return a journaler with the context's watermarks, event time and event-time bound.
     */
    public static Journaler newJournaler(final EngineContext ctx, final JournalAppender appender, final EngineCounters counters,
        final Doorbell egressDoorbell, final EngineState state)
    {
        final Journaler journaler = new Journaler(appender, counters, egressDoorbell, state, newWatermarks(ctx), ctx.eventTime());
        journaler.eventTimeBound(ctx.tickClock(), ctx.maxEventTimeAheadMs());
        return journaler;
    }

    /**
     * Loads one snapshot's files (the engine's, then each shard's) into a journaler and shards, and closes them.
     */
    public static void loadSnapshot(final SnapshotReader[] readers, final Journaler journaler, final ShardRunner[] shards) throws IOException
    {
        try
        {
            journaler.readSnapshot(readers[0]);
            for (int i = 0; i < shards.length; i++)
            {
                shards[i].readSnapshot(readers[i + 1]);
            }
        }
        finally
        {
            for (final SnapshotReader reader : readers)
            {
                reader.close();
            }
        }
    }

    /**
     * @return watermarks as the context configures them, every expected source's partitions announced.
     */
    private static WatermarkTracker newWatermarks(final EngineContext ctx)
    {
        final WatermarkTracker watermarks = new WatermarkTracker(ctx.maxOutOfOrdernessMs(), ctx.idleSourceTimeoutMs());
        for (final int tableSource : ctx.tableSources())
        {
            watermarks.excludeFromWatermark(tableSource);
        }
        for (final long[] source : ctx.expectedSources())
        {
            for (int partition = 0; partition < source[1]; partition++)
            {
                watermarks.expect((int)source[0], partition);
            }
        }
        return watermarks;
    }

    private int firstNotSnapshottable()
    {
        for (int i = 0; i < shards.length; i++)
        {
            if (!(shards[i].handler() instanceof Snapshottable))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Loads the newest usable snapshot (passing over damaged ones, with the reason), then replays the journal from
     * its position to the end through the shards on this thread, outputs marked as replays. The shards' threads
     * are not running yet; starting them afterwards hands them the state.
     */
    private void recover(final long[][] lastOutputs)
    {
        final long end = appender.position();
        final List<String> rejected = new ArrayList<>();
        final long loadStart = System.nanoTime();
        long snapshotPosition = loadNewestSnapshot(end, rejected);
        EngineSnapshot seed = null;
        if (snapshotPosition < 0 && end <= SegmentDescriptor.HEADER_LENGTH && ctx.seedSnapshot() != null)
        {
            seed = seed(ctx.seedSnapshot(), end);
            snapshotPosition = end;
        }
        final long loadNs = System.nanoTime() - loadStart;
        final OutputListener listener = ctx.outputListener();
        if (listener != null)
        {
            for (int i = 0; i < shards.length; i++)
            {
                listener.onRecovered(i, lastOutputs[i][0], (int)lastOutputs[i][1]);
            }
        }
        final long replayStart = System.nanoTime();
        long records = 0;
        long events = 0;
        long from = snapshotPosition;
        try (JournalReader reader = JournalReader.open(ctx.journalDirectory()))
        {
            if (snapshotPosition >= 0)
            {
                reader.seek(snapshotPosition);
            }
            else if (reader.position() >= appender.segmentSize())
            {
                throw new EngineException("the journal in " + ctx.journalDirectory() + " starts at position " + reader.position() +
                    " (older segments were deleted after snapshots) but no snapshot could be loaded" +
                    (rejected.isEmpty() ? "" : ": " + String.join("; ", rejected)));
            }
            from = reader.position();
            for (final ShardRunner shard : shards)
            {
                shard.replaying(true);
            }
            final long[] counts = replayForRecovery(reader, end, snapshotPosition);
            records = counts[0];
            events = counts[1];
            if (reader.position() < end)
            {
                throw new EngineException("recovery's replay stopped at journal position " + reader.position() + " but the journal ends at " +
                    end + ": the records between cannot be read in order (a hole in " + ctx.journalDirectory() + "?); restore the journal " +
                    "from a copy: starting on it would journal new events over outputs already made");
            }
        }
        finally
        {
            for (final ShardRunner shard : shards)
            {
                shard.replaying(false);
            }
        }
        final long replayNs = System.nanoTime() - replayStart;
        if (schedule != null)
        {
            schedule.recordsSinceSnapshot(records);
        }
        recoveredInputEnded = journaler.watermarks().watermark() == Long.MAX_VALUE;
        recoveredOffsets = new Long2LongHashMap(journaler.lastOffsets());
        counters.replayed.setRelease(records);
        counters.recoveryMs.setRelease((loadNs + replayNs) / 1_000_000);
        engineRecovery = new EngineRecovery(recovery, snapshotPosition, rejected, from, end, records, events, loadNs, replayNs, seed);
    }

    /**
     * Loads another engine's snapshot into this fresh one's journaler and shards, then writes it as this engine's own
     * snapshot at the journal's start (a restart then needs the seed no more).
     */
    private EngineSnapshot seed(final Path directory, final long start)
    {
        if (snapshots == null)
        {
            throw new EngineException("a seed snapshot (" + directory + ") is set but the handler of shard " + firstNotSnapshottable() +
                " does not implement Snapshottable");
        }
        final EngineSnapshot seed;
        try
        {
            seed = EngineSnapshot.verify(directory);
            if (seed.identity() != null)
            {
                EngineIdentity.checkSeed(ctx, seed.identity());
            }
            loadSnapshot(EngineSnapshot.open(directory, ctx.shardCount()), journaler, shards);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new EngineException("the seed snapshot " + directory + " cannot be used: " + ex.getMessage() +
                ". Start this engine without it (EngineContext.seedSnapshot(null)), or from another", ex);
        }
        try
        {
            Files.writeString(ctx.directory().resolve(SEEDED_FILE), seed + "\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + ctx.directory().resolve(SEEDED_FILE), ex);
        }
        final SnapshotTaker.Pending pending = snapshots.beginAtClose(start, journaler);
        for (int i = 0; i < shards.length; i++)
        {
            pending.writeShard(i, shards[i]);
        }
        return seed;
    }

    /**
     * @return the newest complete snapshot of this engine, verified, to copy elsewhere ({@link EngineSnapshot#copyTo});
     * null if none.
     * @throws SnapshotCorruptedException if the newest is damaged.
     * @throws IOException                if it cannot be read (or was deleted meanwhile: the engine keeps only the newest few).
     */
    public EngineSnapshot newestSnapshot() throws IOException
    {
        final SnapshotTaker taker = snapshots;
        if (taker == null)
        {
            return null;
        }
        final List<Long> positions = taker.positions(Long.MAX_VALUE);
        return positions.isEmpty() ? null : EngineSnapshot.verify(taker.directoryOf(positions.get(0)), ctx.directory().resolve(EngineIdentity.FILE_NAME));
    }

    /**
     * A sink that starts empty needs every output from the journal's start; recovery from a snapshot makes only those
     * after it again.
     */
    private void refuseEmptySinks(final long snapshotPosition)
    {
        for (final OutputSink sink : ctx.sinks())
        {
            if (sink.startsEmpty())
            {
                throw new EngineException("the sink " + sink + " starts empty, but the engine recovers from its snapshot at journal position " +
                    snapshotPosition + ", so the outputs made before it would never reach the sink. Give the sink back what it held (a FileSink: " +
                    "its file and .pos), or move " + snapshots.directoryOf(snapshotPosition).getParent() + " aside so that recovery replays " +
                    "the whole journal into it (the journal must then be whole: deleteJournalBelowSnapshots off)");
            }
        }
    }

    /**
     * Loads the newest whole snapshot below {@code end} into the journaler and the shards, passing over (into
     * {@code rejected}, and the error log) those that are damaged.
     *
     * @return its position, or -1 if none was loaded.
     */
    private long loadNewestSnapshot(final long end, final List<String> rejected)
    {
        if (snapshots == null)
        {
            return -1;
        }
        try
        {
            for (final long position : snapshots.positions(end))
            {
                final SnapshotReader[] readers;
                try
                {
                    readers = snapshots.open(position);
                }
                catch (final SnapshotCorruptedException ex)
                {
                    rejected.add(ex.getMessage());
                    counters.recordError(ex);
                    continue;
                }
                try
                {
                    loadSnapshot(readers, journaler, shards);
                }
                catch (final RuntimeException ex)
                {
                    throw new EngineException("the snapshot " + snapshots.directoryOf(position) + " is whole (its CRCs match) but " +
                        "could not be loaded: " + ex.getMessage() + ". Move it aside to recover from an older one or from the journal", ex);
                }
                refuseEmptySinks(position);
                return position;
            }
            return -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the snapshots in " + ctx.directory(), ex);
        }
    }

    /**
     * Recovery's replay: a pipelined engine of several shards replays them on a thread each, else this thread replays all.
     *
     * @return {records, DATA records}.
     */
    private long[] replayForRecovery(final JournalReader reader, final long end, final long snapshotPosition)
    {
        return shards.length > 1 && ctx.topology() == Topology.PIPELINED && reader.position() < end ?
            replayInParallel(ctx.journalDirectory(), reader, end, journaler, replayJournalers(snapshotPosition), shards, state) :
            replay(reader, end, journaler, shards, state);
    }

    /**
     * A journaler for each shard but the first to compute the watermarks with on its own replay thread (the same
     * function of the journal as the engine's journaler), started from the snapshot recovery loaded.
     */
    private Journaler[] replayJournalers(final long snapshotPosition)
    {
        final Journaler[] copies = new Journaler[shards.length - 1];
        for (int i = 0; i < copies.length; i++)
        {
            copies[i] = newJournaler(ctx, null, EngineCounters.inMemory(shards.length), null, state);
            if (snapshotPosition >= 0)
            {
                // the engine's file only (the watermarks), which recovery has just verified and loaded
                try (SnapshotReader reader = SnapshotReader.open(snapshots.directoryOf(snapshotPosition).resolve(SnapshotTaker.ENGINE_FILE)))
                {
                    copies[i].readSnapshot(reader);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot read the snapshot at " + snapshotPosition + " again for a replay thread", ex);
                }
            }
        }
        return copies;
    }

    /**
     * Replays as {@link #replay} does, with a thread per shard (a pipelined engine's shards run on threads of their own
     * live, so their handlers are independent): each reads the whole journal from the reader's position with a reader of
     * its own, computes the watermarks with its own journaler ({@code copies}, the first shard's thread with the
     * engine's), and hands its shard its events and every slot, as the shard's thread does live. The shards' states,
     * outputs and output ids are those of {@link #replay}; the time is about that of the slowest shard.
     *
     * @return {records, DATA records}.
     */
    static long[] replayInParallel(final Path journalDirectory, final JournalReader reader, final long end, final Journaler journaler,
        final Journaler[] copies, final ShardRunner[] shards, final EngineState state)
    {
        final long from = reader.position();
        final Thread[] threads = new Thread[shards.length - 1];
        final long[][] counts = new long[shards.length][];
        final Throwable[] failures = new Throwable[shards.length];
        final AtomicBoolean stop = new AtomicBoolean();
        try
        {
            for (int i = 1; i < shards.length; i++)
            {
                final int shard = i;
                threads[i - 1] = new Thread(() ->
                {
                    try (JournalReader own = JournalReader.open(journalDirectory))
                    {
                        own.seek(from);
                        counts[shard] = replayShard(own, end, copies[shard - 1], shards, shard, state, stop);
                    }
                    catch (final Throwable error)
                    {
                        failures[shard] = error;
                        stop.set(true);
                    }
                }, "ringside-replay-" + shard);
                threads[i - 1].start();
            }
            try
            {
                counts[0] = replayShard(reader, end, journaler, shards, 0, state, stop);
            }
            catch (final RuntimeException | Error error)
            {
                stop.set(true);
                throw error;
            }
        }
        finally
        {
            joinAll(threads);
        }
        for (int i = 1; i < shards.length; i++)
        {
            if (failures[i] != null)
            {
                throw failures[i] instanceof EngineException ? (EngineException)failures[i] :
                    new EngineException("shard " + i + "'s replay failed: " + failures[i], failures[i]);
            }
            if (counts[i][0] != counts[0][0])
            {
                throw new EngineException("shard " + i + "'s replay read " + counts[i][0] + " records where shard 0's read " + counts[0][0] +
                    " from journal position " + from + " (the journal changed under recovery?)");
            }
        }
        long events = 0;
        for (final long[] count : counts)
        {
            events += count[1];
        }
        return new long[] {counts[0][0], events};
    }

    private static void joinAll(final Thread[] threads)
    {
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            while (thread != null && thread.isAlive())
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One shard's part of {@link #replayInParallel}: every record through {@code journaler}, the shard's events and
     * every slot through the shard.
     *
     * @return {records, the shard's DATA records}.
     */
    private static long[] replayShard(final JournalReader reader, final long end, final Journaler journaler, final ShardRunner[] shards,
        final int shard, final EngineState state, final AtomicBoolean stop)
    {
        long records = 0;
        long events = 0;
        final ShardRunner runner = shards[shard];
        final Slot slot = new Slot(new UnsafeBuffer(new byte[0]), 0, 0);
        for (JournalRecord record = reader.next(); record != null && record.position() < end; record = reader.next())
        {
            fill(slot, record, shards.length);
            journaler.onReplay(slot);
            if (slot.type == SlotType.DATA && slot.shard == shard)
            {
                runner.onEvent(slot);
                events++;
            }
            runner.afterSlot(slot);
            if (state.isHalted())
            {
                throw new EngineException("the engine failed during replay at journal position " + record.position(), state.failure());
            }
            if (stop.get())
            {
                throw new EngineException("replay stopped at journal position " + record.position() + ": another shard's replay failed");
            }
            records++;
        }
        return new long[] {records, events};
    }

    /**
     * Replays journal records from the reader's position up to {@code end} (or the last record) through the
     * watermarks and the shards, as the journaler and the shards would have processed them, hinting the shards a few
     * records ahead as live ({@link ReplayAhead}). On a thread of its own, a {@link PrefetchingThread}, so that the hints'
     * loads can be collected, unless this is one; this thread waits for it.
     *
     * @return {records, DATA records}.
     */
    static long[] replay(final JournalReader reader, final long end, final Journaler journaler, final ShardRunner[] shards,
        final EngineState state)
    {
        if (Prefetch.ofCurrentThread() != null)
        {
            return replayAhead(reader, end, journaler, shards, state);
        }
        final long[][] counts = new long[1][];
        final Throwable[] failure = new Throwable[1];
        final Thread thread = new PrefetchingThread(() ->
        {
            try
            {
                counts[0] = replayAhead(reader, end, journaler, shards, state);
            }
            catch (final Throwable error)
            {
                failure[0] = error;
            }
        }, "ringside-replay");
        thread.start();
        joinAll(new Thread[] {thread});
        if (failure[0] instanceof RuntimeException)
        {
            throw (RuntimeException)failure[0];
        }
        if (failure[0] instanceof Error)
        {
            throw (Error)failure[0];
        }
        if (failure[0] != null)
        {
            throw new EngineException("the replay failed: " + failure[0], failure[0]);
        }
        return counts[0];
    }

    private static long[] replayAhead(final JournalReader reader, final long end, final Journaler journaler, final ShardRunner[] shards,
        final EngineState state)
    {
        long records = 0;
        long events = 0;
        final ReplayAhead ahead = new ReplayAhead(reader, end, shards);
        for (Slot slot = ahead.next(); slot != null; slot = ahead.next())
        {
            if (replaySlot(slot, journaler, shards, state))
            {
                events++;
            }
            records++;
        }
        return new long[] {records, events};
    }

    /**
     * Replays one journal record through the watermarks and the shards, as the journaler and the shards processed it.
     *
     * @param slot reused for every record.
     * @return true if it was an event (a DATA record).
     * @throws EngineException if the engine (or the replica) failed on it.
     */
    public static boolean replayRecord(final JournalRecord record, final Slot slot, final Journaler journaler, final ShardRunner[] shards,
        final EngineState state)
    {
        fill(slot, record, shards.length);
        return replaySlot(slot, journaler, shards, state);
    }

    private static boolean replaySlot(final Slot slot, final Journaler journaler, final ShardRunner[] shards, final EngineState state)
    {
        journaler.onReplay(slot);
        final boolean event = slot.type == SlotType.DATA;
        if (event)
        {
            shards[slot.shard].onEvent(slot);
        }
        for (final ShardRunner shard : shards)
        {
            shard.afterSlot(slot);
        }
        if (state.isHalted())
        {
            throw new EngineException("the engine failed during replay at journal position " + slot.journalPosition, state.failure());
        }
        return event;
    }

    /**
     * Sets a slot from a journal record, as the ring's slot was when the record was journaled.
     */
    static void fill(final Slot slot, final JournalRecord record, final int shardCount)
    {
        slot.type = record.type();
        slot.sourceId = record.sourceId();
        slot.partition = record.partition();
        slot.sourceOffset = record.sourceOffset();
        slot.timestamp = record.timestamp();
        slot.journalPosition = record.position();
        slot.ingressNanoTime = 0;
        final int payload = record.payloadOffset();
        slot.key = record.buffer().getLong(payload + EventRecordDescriptor.KEY_OFFSET);
        slot.length = record.payloadLength() - EventRecordDescriptor.EVENT_OFFSET;
        slot.buffer.wrap(record.buffer(), payload + EventRecordDescriptor.EVENT_OFFSET, slot.length);
        slot.shard = shardCount == 1 ? 0 : EventPublisher.shardOf(slot.key, shardCount);
        slot.journalTimeS = record.userField();
    }

    private void add(final Agent agent, final WaitStrategy wait, final Doorbell doorbell, final BooleanSupplier hasWork)
    {
        runners.add(new AgentRunner(wait.newIdleStrategy(doorbell, hasWork), errorHandler(agent.roleName()), null, agent));
    }

    private ErrorHandler errorHandler(final String role)
    {
        return error ->
        {
            if (error instanceof AgentTerminationException)
            {
                return;
            }
            counters.recordError(error);
            state.fail(new EngineFailedException("the engine's " + role + " thread failed: " + error, error));
        };
    }

    private int cpuOf(final Agent agent)
    {
        if (agent instanceof ShardAgent)
        {
            return ctx.shardCpu(Integer.parseInt(agent.roleName().substring("ringside-shard-".length())));
        }
        if (agent instanceof EgressThread)
        {
            return ctx.egressCpu();
        }
        return ctx.journalerCpu();
    }

    /**
     * Runs {@code duty} on the compact thread, the one that journals each event and runs the shards: its
     * {@link Agent#doWork()} is called at the start of every duty cycle, before the ring is polled, so that what it
     * publishes into the ring is journaled and handled in the same cycle, without a hand-off to another thread or a
     * wake-up. Meant for an ingress polling a transport that cannot wake a parked thread (Aeron): while a duty runs, the
     * thread's parks are bounded by {@link EngineContext#compactDutyParkNs(long)}.
     * <p>
     * The duty must never wait for the ring: when {@link EventPublisher#tryClaim} finds it full, it returns (and leaves
     * the rest to its transport's back pressure) so that this thread can drain it. Its exceptions are recorded as errors
     * ({@code ringside stat DIR --errors}), not fatal. Its {@code onStart} and {@code onClose} are not called: the caller
     * owns its resources and removes it ({@link #removeCompactDuty}) before closing them. {@link #close()} stops running
     * every duty first.
     *
     * @throws IllegalStateException if the topology is not compact, the engine is not running, or the duty runs already.
     */
    public synchronized void addCompactDuty(final Agent duty)
    {
        if (compact == null)
        {
            throw new IllegalStateException(ring == null ? "the engine is not started: call Engine.start() first" :
                "duties run on the compact topology's thread, and this engine is pipelined: run the agent on a thread of its own");
        }
        if (state.lifecycle() != EngineState.RUNNING)
        {
            throw new IllegalStateException("the engine is closing or closed: it takes no duty");
        }
        compact.addDuty(duty);
    }

    /**
     * @return whether this engine has a compact thread to run duties on ({@link #addCompactDuty}): started, with the
     * compact topology. A pipelined engine has none (its journaler and shards each have a thread), and neither has one
     * before {@link #start()}. An agent that may run either way (an Aeron ingress) asks this rather than catching the
     * refusal. It says nothing of the lifecycle: a closing or closed engine still refuses every duty. Any thread.
     */
    public synchronized boolean runsCompactDuties()
    {
        return compact != null;
    }

    /**
     * Stops running a duty added by {@link #addCompactDuty} and returns once the compact thread will not call it again
     * (or has stopped): its resources may then be closed. A duty not running is ignored. Any thread, the compact thread
     * included (a duty removing itself: its current call is its last).
     *
     * @throws EngineException if the compact thread did not let go of it within {@link EngineContext#closeTimeoutMs()}.
     */
    public void removeCompactDuty(final Agent duty)
    {
        final CompactAgent agent = compact;
        if (agent != null && !agent.removeDuty(duty, ctx.closeTimeoutMs()))
        {
            throw new EngineException("the compact thread did not let go of the duty " + duty.roleName() + " within " + ctx.closeTimeoutMs() +
                " ms (EngineContext.closeTimeoutMs): is the engine's thread stuck in a handler?");
        }
    }

    /**
     * @param sourceId the id its events carry as {@link Event#sourceId()}.
     * @return a publisher for the calling thread.
     * @throws IllegalStateException if the ring is single-producer and has its publisher already.
     */
    public synchronized EventPublisher newPublisher(final int sourceId)
    {
        if (!ctx.multiProducer() && publishers > 0)
        {
            throw new IllegalStateException("this engine's ring is single-producer and has its publisher: " +
                "use EngineContext.multiProducer(true) for several");
        }
        if (ring == null)
        {
            throw new IllegalStateException("the engine is not started: call Engine.start() first");
        }
        state.checkAcceptingEvents();
        if (openSources.contains(sourceId))
        {
            throw new IllegalStateException("source " + sourceId + " has a publisher already: one publisher per source id (events of a " +
                "source are ordered by their offsets); close it first, or give this one another id");
        }
        final long recovered = journaledOffset(sourceId, 0);
        final long first = Math.max(recovered + 1, closedSourceOffsets.get(sourceId));
        openSources.add(sourceId);
        publishers++;
        final EventPublisher publisher = new EventPublisher(ring, state, sourceId, ctx.shardCount(), ctx.maxEventLength(), ringDoorbell, first,
            next -> publisherClosed(sourceId, next));
        return recoveredInputEnded ? publisher.inputEnded() : publisher;
    }

    private synchronized void publisherClosed(final int sourceId, final long nextOffset)
    {
        openSources.remove(sourceId);
        if (nextOffset > closedSourceOffsets.get(sourceId))
        {
            closedSourceOffsets.put(sourceId, nextOffset);
        }
        publishers--;
    }

    /**
     * @return the ring sequence below or at which every slot has been journaled (and, compact, processed): compare with
     * {@link EventPublisher#lastSequence()} to learn whether a publisher's events are in the journal. Any thread.
     */
    public long journaledSequence()
    {
        if (ring == null)
        {
            throw new IllegalStateException("the engine is not started");
        }
        return consumerSequences.get(0).get();
    }

    /**
     * @return the ring sequence at or below which every slot is journaled and durable under the journal's policy
     * (page cache: once appended; group commit: once its batch is forced; interval: once a force covers it), -1 before
     * any: an ingress acknowledges to its sender the events it published at or below it. Any thread; it never goes
     * back. Under an interval policy it advances when a force leaves nothing journaled unforced.
     */
    public long durableSequence()
    {
        final long journaled = journaledSequence();
        // read after the sequence: the journaler ends a batch (journaled position) before it publishes the sequence
        final long end = journaler.journaledPosition();
        if (journaler.durablePosition() >= end)
        {
            long known;
            while ((known = durableSequence.get()) < journaled && !durableSequence.compareAndSet(known, journaled))
            {
                Thread.onSpinWait();
            }
        }
        return durableSequence.get();
    }

    /**
     * @return what opening the journal found (torn tail cut off, end position); null before start.
     */
    public RecoveryReport journalRecovery()
    {
        return recovery;
    }

    /**
     * @return what start-up recovery did: snapshot loaded, snapshots passed over, journal replayed; null before start.
     */
    public EngineRecovery recovery()
    {
        return engineRecovery;
    }

    /**
     * Where to resume a source: the offset of the last event of that source and partition that the journal held when
     * the engine started (and recovered). An ingress resumes at this + 1.
     *
     * @return the source offset, or -1 if the journal holds no event of it.
     * @throws IllegalStateException before start.
     */
    public long journaledOffset(final int sourceId, final int partition)
    {
        if (engineRecovery == null)
        {
            throw new IllegalStateException("the engine is not started: the journaled offsets are known once it has recovered");
        }
        return recoveredOffsets.get(((long)sourceId << 32) | (partition & 0xFFFF_FFFFL));
    }

    /**
     * @return the live counters; also readable from another process through the counters file.
     */
    public EngineCounters counters()
    {
        return counters;
    }

    /**
     * @return ingress-to-decision latencies recorded since start (refreshed every second and at close).
     */
    public Histogram latencyHistogram()
    {
        if (duty == null)
        {
            throw new IllegalStateException("the engine is not started: it has recorded no latency");
        }
        return duty.totalLatency();
    }

    /**
     * @return the context the engine was built with.
     */
    public EngineContext context()
    {
        return ctx;
    }

    /**
     * @param shard a shard number.
     * @return slots published into the ring that the shard's consumer has not passed yet (compact: the one
     * consumer's). Any thread; a snapshot.
     */
    public long lag(final int shard)
    {
        if (ring == null)
        {
            throw new IllegalStateException("the engine is not started");
        }
        final int consumer = ctx.topology() == Topology.PIPELINED ? 1 + shard : 0;
        return Math.max(0, ring.getCursor() - consumerSequences.get(consumer).get());
    }

    /**
     * @return the free slots in the ring now.
     */
    public long ringFreeSlots()
    {
        return ring.remainingCapacity();
    }

    /**
     * Stops taking events, lets those in flight drain through the journal, the shards and the sinks (for up
     * to {@link EngineContext#closeTimeoutMs()}), stops the threads and closes the journal, the sinks and the
     * counters. Idempotent.
     * <p>
     * It closes no window: a stream that is only paused keeps its open windows (in the snapshot taken at close), and a
     * restart continues them. A bounded input whose last windows must close publishes {@link EventPublisher#endOfInput()}
     * first.
     *
     * @throws EngineFailedException if the engine failed (the cause is the failure).
     * @throws EngineException       if events were still in flight when the timeout ran out.
     */
    @Override
    public synchronized void close()
    {
        final int lifecycle = state.lifecycle();
        if (lifecycle == EngineState.CLOSED)
        {
            return;
        }
        if (lifecycle == EngineState.NEW)
        {
            state.lifecycle(EngineState.CLOSED);
            return;
        }
        state.lifecycle(EngineState.CLOSING);
        if (compact != null && !compact.removeDuties(ctx.closeTimeoutMs()))
        {
            counters.recordError(new EngineException("a duty of the compact thread did not return within " + ctx.closeTimeoutMs() +
                " ms (EngineContext.closeTimeoutMs): it is stopped with the thread"));
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.closeTimeoutMs());
        final boolean drained = awaitDrained(deadline);
        final long pendingAtDeadline = ring.getCursor() - minConsumerSequence();
        state.halt();
        stopThreads();
        stopReplica();
        final long unprocessed = ring.getCursor() - minConsumerSequence();
        final boolean outputsWaiting = !egress.isDrained();
        if (snapshots != null && !snapshots.close(ctx.closeTimeoutMs()))
        {
            counters.recordError(new EngineException("a snapshot was still being forced to disk after " + ctx.closeTimeoutMs() +
                " ms (EngineContext.closeTimeoutMs): it stays incomplete, and recovery uses the one before it"));
        }
        if (drained && unprocessed <= 0 && state.failure() == null && snapshots != null && ctx.snapshotOnClose())
        {
            snapshotNow();
        }
        if (snapshots != null && state.failure() == null)
        {
            journaler.applyRetention();   // what the snapshots completed since the journaler's last turn allow
        }
        // after the snapshot, which reads the handlers' state; their threads are stopped, so this thread may
        closeHandlersNotClosed();
        CloseHelper.quietClose(appender);
        for (final OutputSink sink : ctx.sinks())
        {
            try
            {
                sink.close();
            }
            catch (final Exception ex)
            {
                counters.recordError(ex);
            }
        }
        final Throwable failure = state.failure();
        counters.state.setRelease(failure != null ? EngineCounters.STATE_FAILED : EngineCounters.STATE_CLOSED);
        state.lifecycle(EngineState.CLOSED);
        if (failure != null)
        {
            throw failure instanceof EngineFailedException ? (EngineFailedException)failure :
                new EngineFailedException("the engine failed: " + failure, failure);
        }
        if (drained && unprocessed > 0)
        {
            throw new EngineException(unprocessed + " event(s) were published while the engine closed and were not processed " +
                "(not journaled either): stop publishers before close()");
        }
        if (!drained)
        {
            throw new EngineException("the engine did not drain within " + ctx.closeTimeoutMs() + " ms (EngineContext.closeTimeoutMs): " +
                pendingAtDeadline + " event(s) were still in flight then, " + unprocessed + " once the threads stopped" +
                (pendingAtDeadline > 0 && unprocessed == 0 ? " (the last batch was still being handled: a long onWatermark, such as the " +
                "end-of-input flush of many windows, or a snapshot; give close more time)" : "") + (outputsWaiting ?
                " and outputs were still waiting for the sinks (a sink that keeps failing? see ringside stat DIR --errors)" :
                " (an unfinished publisher claim, or a stuck handler?)"));
        }
    }

    /**
     * The threads are stopped: writes a snapshot at the end of the journal on this thread, unless one is there.
     */
    private void snapshotNow()
    {
        final long position = appender.position();
        if (Files.exists(snapshots.directoryOf(position)))
        {
            return;
        }
        final SnapshotTaker.Pending pending = snapshots.beginAtClose(position, journaler);
        for (int i = 0; i < shards.length; i++)
        {
            pending.writeShard(i, shards[i]);
        }
    }

    private boolean awaitDrained(final long deadline)
    {
        while (!state.isHalted())
        {
            final long cursor = ring.getCursor();
            if (minConsumerSequence() >= cursor && journaler.durablePosition() >= journaler.journaledPosition() && egress.isDrained())
            {
                return true;
            }
            if (System.nanoTime() >= deadline)
            {
                return false;
            }
            if (ringDoorbell != null)
            {
                ringDoorbell.ring();
            }
            LockSupport.parkNanos(1_000_000);
        }
        return state.failure() != null;
    }

    private long minConsumerSequence()
    {
        long min = Long.MAX_VALUE;
        for (final Sequence sequence : consumerSequences)
        {
            min = Math.min(min, sequence.get());
        }
        return min;
    }

    /**
     * After a failed start: the handlers that were built hear {@link ShardHandler#onClose()}, on this thread if their
     * shard's thread did not tell them as it stopped (or never started).
     */
    private void closeHandlersNotClosed()
    {
        for (final ShardRunner runner : shards)
        {
            if (runner != null)
            {
                runner.onClose();
            }
        }
    }

    /**
     * Stops the snapshot replica, if there is one, once it has finished a snapshot it is writing.
     */
    private void stopReplica()
    {
        if (replica != null && !replica.stop(ctx.closeTimeoutMs()))
        {
            counters.recordError(new EngineException("the snapshot replica did not stop within " + ctx.closeTimeoutMs() +
                " ms (EngineContext.closeTimeoutMs): a snapshot it was writing stays incomplete"));
        }
    }

    private void stopThreads()
    {
        for (final AgentRunner runner : runners)
        {
            runner.close(AgentRunner.RETRY_CLOSE_TIMEOUT_MS, thread -> thread.interrupt());
        }
    }
}
