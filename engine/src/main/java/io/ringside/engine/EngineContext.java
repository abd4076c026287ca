package io.ringside.engine;

import io.ringside.engine.runtime.Doorbell;
import io.ringside.engine.runtime.OutputDescriptor;
import io.ringside.engine.runtime.PinningThreadFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

import io.ringside.journal.DurabilityPolicy;
import io.ringside.journal.JournalContext;
import org.agrona.BitUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Configuration of an {@link Engine}, in the manner of Aeron's contexts: set what differs from the
 * defaults, then {@link #conclude()} (called by the engine) validates it all once. The defaults are safe
 * on a 2-core machine: compact topology, one shard, blocking waits, no pinning. Not thread-safe; not to
 * be changed once the engine is built.
 * <p>
 * The engine directory holds the journal ({@code journal/}) and the live counters file
 * ({@link EngineCounters#FILE_NAME}).
 */
public final class EngineContext
{
    public static final int DEFAULT_RING_SIZE = 16 * 1024;
    public static final int DEFAULT_MAX_EVENT_LENGTH = 256;
    public static final int DEFAULT_EGRESS_BUFFER_LENGTH = 1024 * 1024;
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
    /** One day. */
    public static final long DEFAULT_MAX_EVENT_TIME_AHEAD_MS = 86_400_000L;
    public static final long DEFAULT_SINK_FAILURE_TIMEOUT_MS = 60_000;
    /** The compact thread's longest park while a duty runs on it ({@link Engine#addCompactDuty}). */
    public static final long DEFAULT_COMPACT_DUTY_PARK_NS = 50_000;

    private Path directory;
    private int ringSize = DEFAULT_RING_SIZE;
    private boolean multiProducer = true;
    private Topology topology = Topology.COMPACT;
    private int shardCount = 1;
    private WaitStrategy journalerWait = WaitStrategy.BLOCKING;
    private WaitStrategy shardWait = WaitStrategy.BLOCKING;
    private WaitStrategy egressWait = WaitStrategy.BACKOFF;
    private long compactDutyParkNs = DEFAULT_COMPACT_DUTY_PARK_NS;
    private boolean inlineDelivery = true;
    private WaitStrategy backgroundWait = WaitStrategy.BLOCKING;
    private int journalerCpu = -1;
    private int[] shardCpus;
    private int egressCpu = -1;
    private int backgroundCpu = -1;
    private DurabilityPolicy durability = DurabilityPolicy.PAGE_CACHE;
    private int segmentSize = JournalContext.DEFAULT_SEGMENT_SIZE;
    private boolean journalPrefault;
    private int journalTouchAhead = JournalContext.DEFAULT_TOUCH_AHEAD;
    private int maxEventLength = DEFAULT_MAX_EVENT_LENGTH;
    private int egressBufferLength = DEFAULT_EGRESS_BUFFER_LENGTH;
    private ErrorPolicy errorPolicy = ErrorPolicy.DEAD_LETTER;
    private IntFunction<ShardHandler> handlers;
    private OutputListener outputListener;
    private final List<OutputSink> sinks = new ArrayList<>();
    private long closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
    private EventTimeExtractor eventTime;
    private long maxOutOfOrdernessMs;
    private long idleSourceTimeoutMs;
    private long tickIntervalMs;
    private final List<long[]> expectedSources = new ArrayList<>();
    private final List<Integer> tableSources = new ArrayList<>();
    private EpochClock tickClock = SystemEpochClock.INSTANCE;
    private boolean recordLatency = true;
    private long snapshotEveryEvents;
    private long snapshotEveryMs;
    private boolean snapshotOnClose = true;
    private IntFunction<ShardHandler> snapshotReplica;
    private String handlersId;
    private Path seedSnapshot;
    private long maxEventTimeAheadMs = DEFAULT_MAX_EVENT_TIME_AHEAD_MS;
    private long sinkFailureTimeoutMs = DEFAULT_SINK_FAILURE_TIMEOUT_MS;
    private int snapshotsToKeep = 2;
    private boolean deleteJournalBelowSnapshots;
    private boolean concluded;

    /**
     * @param directory holds the journal and the counters file; created if missing. Required.
     * @return this.
     */
    public EngineContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public Path journalDirectory()
    {
        return directory.resolve("journal");
    }

    /**
     * @param ringSize slots in the ring, a power of two (default 16384).
     * @return this.
     */
    public EngineContext ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    public int ringSize()
    {
        return ringSize;
    }

    /**
     * @param multiProducer true (default) lets any number of publishers publish at once; false allows one
     *                      publisher only, which is faster.
     * @return this.
     */
    public EngineContext multiProducer(final boolean multiProducer)
    {
        this.multiProducer = multiProducer;
        return this;
    }

    public boolean multiProducer()
    {
        return multiProducer;
    }

    public EngineContext topology(final Topology topology)
    {
        this.topology = topology;
        return this;
    }

    public Topology topology()
    {
        return topology;
    }

    /**
     * @param shardCount shards the keys are spread over (key hash modulo count), 1 to 1024. Default 1.
     * @return this.
     */
    public EngineContext shardCount(final int shardCount)
    {
        this.shardCount = shardCount;
        return this;
    }

    public int shardCount()
    {
        return shardCount;
    }

    /**
     * @param handlers makes the handler of each shard, called once per shard with its number.
     * @return this.
     */
    public EngineContext handlers(final IntFunction<ShardHandler> handlers)
    {
        this.handlers = handlers;
        return this;
    }

    public IntFunction<ShardHandler> handlers()
    {
        return handlers;
    }

    /**
     * @param wait how the journaler (or, compact, the one consumer thread) waits for events. Default blocking.
     * @return this.
     */
    public EngineContext journalerWait(final WaitStrategy wait)
    {
        this.journalerWait = wait;
        return this;
    }

    public WaitStrategy journalerWait()
    {
        return journalerWait;
    }

    /**
     * @param wait how pipelined shard threads wait for the journaler. Default blocking.
     * @return this.
     */
    public EngineContext shardWait(final WaitStrategy wait)
    {
        this.shardWait = wait;
        return this;
    }

    public WaitStrategy shardWait()
    {
        return shardWait;
    }

    /**
     * @param wait how the egress agent waits for outputs. Default backoff (it parks up to 1 ms when idle):
     *             sinks are not the microsecond path, the inline listener is. With a sink on a microsecond path (an
     *             Aeron sink), {@link WaitStrategy#BLOCKING}: parked until the journaler rings; or, with a core to spare
     *             for it, {@link WaitStrategy#BACKOFF_BLOCKING}, which spins and yields a few times after each batch first
     *             (on 2 shared cores it measured worse: its yields take the core from the thread that decides).
     * @return this.
     */
    public EngineContext egressWait(final WaitStrategy wait)
    {
        this.egressWait = wait;
        return this;
    }

    public WaitStrategy egressWait()
    {
        return egressWait;
    }

    /**
     * @param inline whether a compact engine whose sinks are all {@link InlineOutputSink}s (an Aeron sink) has its compact
     *               thread offer each output to them once durable, without waiting, the egress thread delivering only what
     *               they refuse (back pressure) until it has caught up; default true. False: the egress thread delivers
     *               everything, after a wake-up per durable batch. Order and exactly once are the same either way.
     * @return this.
     */
    public EngineContext inlineDelivery(final boolean inline)
    {
        this.inlineDelivery = inline;
        return this;
    }

    public boolean inlineDelivery()
    {
        return inlineDelivery;
    }

    /**
     * @param parkNs the compact thread's longest park while a duty runs on it ({@link Engine#addCompactDuty}: an Aeron
     *               ingress), 1 µs to 10 ms. Default {@value #DEFAULT_COMPACT_DUTY_PARK_NS}: nothing wakes the parked thread
     *               when a message arrives in Aeron, so this bounds what an idle engine adds to the first message's
     *               latency (plus the timer slack, about 50 µs). With blocking, backoff or sleeping waits only.
     * @return this.
     */
    public EngineContext compactDutyParkNs(final long parkNs)
    {
        this.compactDutyParkNs = parkNs;
        return this;
    }

    public long compactDutyParkNs()
    {
        return compactDutyParkNs;
    }

    /**
     * Sets the wait strategy of the decision path, the journaler and the shards, at once. The egress keeps
     * its own ({@link #egressWait(WaitStrategy)}), so a busy-spinning decision path does not spin a sink thread too.
     *
     * @return this.
     */
    public EngineContext waitStrategy(final WaitStrategy wait)
    {
        return journalerWait(wait).shardWait(wait);
    }

    /**
     * @param cpu the CPU to pin the journaler (compact: the consumer) thread to, or -1 (default) for none.
     * @return this.
     */
    public EngineContext journalerCpu(final int cpu)
    {
        this.journalerCpu = cpu;
        return this;
    }

    public int journalerCpu()
    {
        return journalerCpu;
    }

    /**
     * @param cpus one CPU per shard thread (pipelined), -1 for none; null (default) pins none.
     * @return this.
     */
    public EngineContext shardCpus(final int... cpus)
    {
        this.shardCpus = cpus;
        return this;
    }

    public int shardCpu(final int shard)
    {
        return shardCpus == null ? -1 : shardCpus[shard];
    }

    public EngineContext egressCpu(final int cpu)
    {
        this.egressCpu = cpu;
        return this;
    }

    public int egressCpu()
    {
        return egressCpu;
    }

    /**
     * @param wait how the background agents wait for work: the journal's segment preparer
     *             ({@code ringside-journal-preparer}) and the snapshot completer ({@code ringside-snapshot}). Default
     *             blocking: they park until handed work (with a 10 ms backstop). They are never on the decision path.
     * @return this.
     */
    public EngineContext backgroundWait(final WaitStrategy wait)
    {
        this.backgroundWait = wait;
        return this;
    }

    public WaitStrategy backgroundWait()
    {
        return backgroundWait;
    }

    /**
     * @param cpu the CPU to pin the background agents' threads to (the segment preparer, the snapshot completer), or
     *            -1 (default) for none: keep them off the journaler's and the shards' CPUs.
     * @return this.
     */
    public EngineContext backgroundCpu(final int cpu)
    {
        this.backgroundCpu = cpu;
        return this;
    }

    public int backgroundCpu()
    {
        return backgroundCpu;
    }

    /**
     * @param durability the journal's durability policy. Default page-cache.
     * @return this.
     */
    public EngineContext durability(final DurabilityPolicy durability)
    {
        this.durability = durability;
        return this;
    }

    public DurabilityPolicy durability()
    {
        return durability;
    }

    /**
     * @param segmentSize bytes per journal segment (default 64 MiB).
     * @return this.
     */
    public EngineContext segmentSize(final int segmentSize)
    {
        this.segmentSize = segmentSize;
        return this;
    }

    public int segmentSize()
    {
        return segmentSize;
    }

    /**
     * @param journalPrefault true to have the journal's segment preparer fault every page of the next segment in for
     *                        writing before the roll, in one burst a segment; false (the default) has it touch the
     *                        current segment's pages a little ahead of the journaler instead ({@link #journalTouchAhead(int)}).
     * @return this.
     */
    public EngineContext journalPrefault(final boolean journalPrefault)
    {
        this.journalPrefault = journalPrefault;
        return this;
    }

    public boolean journalPrefault()
    {
        return journalPrefault;
    }

    /**
     * @param bytes how far ahead of the journaler the segment preparer writes each page of the current segment once,
     *              so that the journaler's own first write to a page costs no page fault (JournalContext#touchAhead;
     *              default 4 MiB, 0 for off: each page's first write, 4-20 us on a VM with nested paging, is then the
     *              journaler's). Ignored with {@link #journalPrefault(boolean)}.
     * @return this.
     */
    public EngineContext journalTouchAhead(final int bytes)
    {
        this.journalTouchAhead = bytes;
        return this;
    }

    public int journalTouchAhead()
    {
        return journalTouchAhead;
    }

    /**
     * @param maxEventLength the largest event in bytes (default 256): every ring slot holds this much.
     * @return this.
     */
    public EngineContext maxEventLength(final int maxEventLength)
    {
        this.maxEventLength = maxEventLength;
        return this;
    }

    public int maxEventLength()
    {
        return maxEventLength;
    }

    /**
     * @param length bytes of each shard's egress buffer, a power of two (default 1 MiB).
     * @return this.
     */
    public EngineContext egressBufferLength(final int length)
    {
        this.egressBufferLength = length;
        return this;
    }

    public int egressBufferLength()
    {
        return egressBufferLength;
    }

    /**
     * @return the longest output payload the egress buffers take.
     */
    public int maxOutputLength()
    {
        return egressBufferLength / 8 - 8 - OutputDescriptor.HEADER_LENGTH;
    }

    public EngineContext errorPolicy(final ErrorPolicy errorPolicy)
    {
        this.errorPolicy = errorPolicy;
        return this;
    }

    public ErrorPolicy errorPolicy()
    {
        return errorPolicy;
    }

    public EngineContext outputListener(final OutputListener listener)
    {
        this.outputListener = listener;
        return this;
    }

    public OutputListener outputListener()
    {
        return outputListener;
    }

    /**
     * @param sink receives outputs on the egress thread; the engine closes it. Any number.
     * @return this.
     */
    public EngineContext addSink(final OutputSink sink)
    {
        sinks.add(Objects.requireNonNull(sink, "sink"));
        return this;
    }

    public List<OutputSink> sinks()
    {
        return sinks;
    }

    /**
     * @param closeTimeoutMs how long {@link Engine#close()} waits for events in flight to drain (default 10 s).
     * @return this.
     */
    public EngineContext closeTimeoutMs(final long closeTimeoutMs)
    {
        this.closeTimeoutMs = closeTimeoutMs;
        return this;
    }

    public long closeTimeoutMs()
    {
        return closeTimeoutMs;
    }

    /**
     * @param recordLatency record ingress-to-decision latency per event (default true; costs two clock reads).
     * @return this.
     */
    public EngineContext recordLatency(final boolean recordLatency)
    {
        this.recordLatency = recordLatency;
        return this;
    }

    public boolean recordLatency()
    {
        return recordLatency;
    }

    /**
     * @param extractor reads each event's time from its bytes; without one, event time is the publisher's timestamp.
     * @return this.
     */
    public EngineContext eventTime(final EventTimeExtractor extractor)
    {
        this.eventTime = extractor;
        return this;
    }

    public EventTimeExtractor eventTime()
    {
        return eventTime;
    }

    /**
     * @param ms bounded out-of-orderness: a source's watermark is its largest event time minus this (default 0).
     * @return this.
     */
    public EngineContext maxOutOfOrdernessMs(final long ms)
    {
        this.maxOutOfOrdernessMs = ms;
        return this;
    }

    public long maxOutOfOrdernessMs()
    {
        return maxOutOfOrdernessMs;
    }

    /**
     * @param ms processing time after which a source with no events stops holding the watermark back
     *           (default 0: never). Needs ticks, so a multi-producer ring.
     * @return this.
     */
    public EngineContext idleSourceTimeoutMs(final long ms)
    {
        this.idleSourceTimeoutMs = ms;
        return this;
    }

    public long idleSourceTimeoutMs()
    {
        return idleSourceTimeoutMs;
    }

    /**
     * @param ms how often the engine publishes a TICK (processing time, journaled like data) while the ring is not
     *           under backpressure. Default 0: off, or a quarter of the idle-source timeout (at most 1 s) when that is set.
     * @return this.
     */
    public EngineContext tickIntervalMs(final long ms)
    {
        this.tickIntervalMs = ms;
        return this;
    }

    public long tickIntervalMs()
    {
        return tickIntervalMs;
    }

    /**
     * Declares a source and its partitions up front (a Kafka topic's partitions, say): each holds the watermark
     * back until its first event, or until it is idle, so that with several sources the windows never close on
     * the ones that happened to speak first. Sources not declared join at their first event.
     *
     * @param sourceId   the publisher's source id.
     * @param partitions partitions 0 to partitions - 1.
     * @return this.
     */
    public EngineContext expectSource(final int sourceId, final int partitions)
    {
        require(partitions >= 1, "a source has at least one partition, was " + partitions);
        expectedSources.add(new long[] {sourceId, partitions});
        return this;
    }

    List<long[]> expectedSources()
    {
        return expectedSources;
    }

    /**
     * Declares a table source: a source (a compacted topic of profiles, say) that fills a keyed table beside the event
     * sources. Its events are judged late against their own partition's watermark, like any event, but they take no
     * part in the global watermark: they neither hold it back (a table read to its end would otherwise stall every
     * window until an idle timeout) nor move it. Not with {@link #expectSource} for the same id. Part of the journal's
     * meaning: a journal must be replayed with the same table sources.
     *
     * @param sourceId the publisher's source id.
     * @return this.
     */
    public EngineContext tableSource(final int sourceId)
    {
        tableSources.add(sourceId);
        return this;
    }

    List<Integer> tableSources()
    {
        return tableSources;
    }

    /**
     * @param clock the processing time that TICKs carry (default the system clock), read by the ticker; the journaler
     *              also reads it, once per batch, to time {@link #snapshotEveryMs} (never for a decision).
     * @return this.
     */
    public EngineContext tickClock(final EpochClock clock)
    {
        this.tickClock = clock;
        return this;
    }

    public EpochClock tickClock()
    {
        return tickClock;
    }

    /**
     * Snapshots let recovery replay the journal from the newest snapshot instead of from its start. They are taken
     * only when every shard's handler implements {@link Snapshottable}; otherwise recovery replays the whole journal.
     *
     * @param events take a snapshot after every this many journaled slots since the last snapshot (the slots a restart
     *               replayed after it count); default 0: only at a clean close
     *               ({@link #snapshotOnClose}). Each shard pauses while it writes its state, unless a
     *               {@link #snapshotReplica} writes them: see tuning.md.
     * @return this.
     */
    public EngineContext snapshotEveryEvents(final long events)
    {
        this.snapshotEveryEvents = events;
        return this;
    }

    public long snapshotEveryEvents()
    {
        return snapshotEveryEvents;
    }

    /**
     * @param ms also take a snapshot once this many milliseconds of processing time ({@link #tickClock()}) have passed
     *           since the last one, at the end of the next batch the journaler writes; default 0: off. With
     *           {@link #snapshotEveryEvents} as well, whichever comes first (each restarts both). Only when snapshots
     *           are taken are they timed: the outputs and the state never depend on when that is.
     * @return this.
     */
    public EngineContext snapshotEveryMs(final long ms)
    {
        this.snapshotEveryMs = ms;
        return this;
    }

    public long snapshotEveryMs()
    {
        return snapshotEveryMs;
    }

    /**
     * A sink that throws is offered the same output again (and a failed flush is tried again), so a passing fault loses
     * and doubles nothing. One that keeps failing, without a single success, for longer than this fails the engine with
     * its error: publishers are refused and {@link Engine#close()} throws it, instead of everything waiting behind it.
     *
     * @param ms how long the sinks may fail without a success (default 60 s: longer than a broker restart).
     * @return this.
     */
    public EngineContext sinkFailureTimeoutMs(final long ms)
    {
        this.sinkFailureTimeoutMs = ms;
        return this;
    }

    public long sinkFailureTimeoutMs()
    {
        return sinkFailureTimeoutMs;
    }

    /**
     * An event whose event time (from {@link #eventTime}) is more than this ahead of the processing time at which the
     * journaler journaled it is refused: its time is kept out of the watermarks (one bad clock would otherwise make
     * every later event late) and its shard dead-letters it with the reason. The processing time is read once a ring
     * batch and journaled with each record, so replay decides exactly as live did; journals written before it was kept
     * are not judged.
     *
     * @param ms the bound (default one day); 0 turns it off.
     * @return this.
     */
    public EngineContext maxEventTimeAheadMs(final long ms)
    {
        this.maxEventTimeAheadMs = ms;
        return this;
    }

    public long maxEventTimeAheadMs()
    {
        return maxEventTimeAheadMs;
    }

    /**
     * @param handlersId what your handlers are, and any setting of theirs that changes their outputs (a rule's
     *                   version and thresholds, say "fraud-velocity/1"): recorded in the engine directory at its first
     *                   start with the shard count, and a later start with another is refused rather than replaying the
     *                   journal into other outputs. Default none (recorded as empty, and checked as such).
     * @return this.
     */
    public EngineContext handlersId(final String handlersId)
    {
        this.handlersId = handlersId;
        return this;
    }

    public String handlersId()
    {
        return handlersId;
    }

    /**
     * Who writes the periodic snapshots. By default (null) each shard writes its own state at the snapshot's slot, and
     * every event behind it waits that long (about half a second for a million cards: see tuning.md). With a factory, a
     * replica does: a background thread ({@code ringside-snapshot-replica}) builds a second set of handlers with it,
     * replays the durable journal into them, and writes the snapshots from them when it reaches their positions. The
     * shards then never pause for a snapshot; the cost is a second copy of the handlers' state in memory, a second
     * core's worth of handling, and snapshots that trail the journal by the replica's lag.
     * <p>
     * The replica's handlers must be what {@link #handlers} makes (the same code and settings: their snapshots are
     * loaded into those), deterministic (a pure function of the journal, as replay already needs), and without effects
     * outside their outputs, which are dropped: often the same factory, unless yours also registers each handler
     * somewhere. The snapshot at {@link Engine#close()} is still written by the shards, stopped by then. Needs
     * {@link #snapshotEveryEvents} or {@link #snapshotEveryMs}.
     *
     * @param replicaHandlers makes the replica's handler of each shard, on the replica's thread; null: no replica.
     * @return this.
     */
    public EngineContext snapshotReplica(final IntFunction<ShardHandler> replicaHandlers)
    {
        this.snapshotReplica = replicaHandlers;
        return this;
    }

    /**
     * @return the factory of the snapshot replica's handlers, or null when the shards write the snapshots.
     */
    public IntFunction<ShardHandler> snapshotReplica()
    {
        return snapshotReplica;
    }

    /**
     * Starts a fresh engine from another engine's snapshot instead of from nothing: a directory that
     * {@link EngineSnapshot#copyTo} wrote (or an engine's {@code DIR/snapshots/<position>/}), say the last owner's state of
     * a partition that moves. It is loaded only when this engine's journal is empty and it has no snapshot of its own;
     * the engine then writes it as its own snapshot at its journal's start, so that a restart on this directory no longer needs it.
     * Its events come after it: a source goes on after the offsets it covers ({@link Engine#journaledOffset}). The outputs
     * made before it are not made again (whoever delivered them knows). A damaged one, or one of another shard count,
     * handlers id ({@code engine.id} beside its files) or watermark setting, fails {@link Engine#start()} with an
     * {@link EngineException} naming the file; start again without it. The handlers must be {@link Snapshottable}.
     *
     * @param directory the snapshot; null (the default): none.
     * @return this.
     */
    public EngineContext seedSnapshot(final Path directory)
    {
        this.seedSnapshot = directory;
        return this;
    }

    /**
     * @return the snapshot a fresh engine starts from, or null.
     */
    public Path seedSnapshot()
    {
        return seedSnapshot;
    }

    /**
     * @param snapshotOnClose take a snapshot when {@link Engine#close()} has drained everything (default true), so a
     *                        clean restart replays nothing.
     * @return this.
     */
    public EngineContext snapshotOnClose(final boolean snapshotOnClose)
    {
        this.snapshotOnClose = snapshotOnClose;
        return this;
    }

    public boolean snapshotOnClose()
    {
        return snapshotOnClose;
    }

    /**
     * @param keep complete snapshots kept in {@code DIR/snapshots} (default 2: the newest, and one to fall back on if
     *             the newest is found damaged).
     * @return this.
     */
    public EngineContext snapshotsToKeep(final int keep)
    {
        this.snapshotsToKeep = keep;
        return this;
    }

    public int snapshotsToKeep()
    {
        return snapshotsToKeep;
    }

    /**
     * @param delete delete journal segments wholly below the oldest kept snapshot (default false: the journal is
     *               kept whole, so that {@code ringside replay} can rebuild any decision from the start).
     * @return this.
     */
    public EngineContext deleteJournalBelowSnapshots(final boolean delete)
    {
        this.deleteJournalBelowSnapshots = delete;
        return this;
    }

    public boolean deleteJournalBelowSnapshots()
    {
        return deleteJournalBelowSnapshots;
    }

    /**
     * Validates the configuration once.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public EngineContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(directory != null, "engine directory is not set: call EngineContext.directory(Path)");
        require(handlers != null, "no shard handlers: call EngineContext.handlers(shard -> handler)");
        require(ringSize >= 2 && BitUtil.isPowerOfTwo(ringSize), "ring size must be a power of two of at least 2, was " + ringSize);
        require(shardCount >= 1 && shardCount <= 1024, "shard count must be 1 to 1024, was " + shardCount);
        require(topology != null && journalerWait != null && shardWait != null && egressWait != null && backgroundWait != null && errorPolicy != null &&
            durability != null, "topology, wait strategies, error policy and durability must not be null");
        require(maxEventLength >= 1 && maxEventLength <= 1 << 20, "max event length must be 1 byte to 1 MiB, was " + maxEventLength);
        final JournalContext journal = journalContext().conclude();
        require(maxEventLength + EventRecordDescriptor.EVENT_OFFSET <= journal.maxPayloadLength(),
            "max event length " + maxEventLength + " does not fit a journal record with segment size " + segmentSize +
            ": at most " + (journal.maxPayloadLength() - EventRecordDescriptor.EVENT_OFFSET) + " bytes");
        require((long)ringSize * maxEventLength <= 1L << 30, "ring size x max event length must stay within 1 GiB");
        require(egressBufferLength >= 4096 && BitUtil.isPowerOfTwo(egressBufferLength),
            "egress buffer length must be a power of two of at least 4096, was " + egressBufferLength);
        // a dead letter (reason length, reason, event bytes) must fit, or the shard fails where it should dead-letter
        require(sinks.isEmpty() || errorPolicy != ErrorPolicy.DEAD_LETTER || 4 + maxEventLength <= maxOutputLength(),
            "egress buffer length " + egressBufferLength + " cannot hold the dead letter of an event of max event length " +
            maxEventLength + ": use at least " + BitUtil.findNextPositivePowerOfTwo(8 * (4 + maxEventLength + 8 + OutputDescriptor.HEADER_LENGTH)));
        require(closeTimeoutMs > 0, "close timeout must be positive, was " + closeTimeoutMs);
        require(compactDutyParkNs >= 1_000 && compactDutyParkNs <= 10_000_000, "compactDutyParkNs must be 1 µs to 10 ms, was " + compactDutyParkNs);
        require(maxOutOfOrdernessMs >= 0 && idleSourceTimeoutMs >= 0 && tickIntervalMs >= 0,
            "max out-of-orderness, idle-source timeout and tick interval must not be negative");
        require(snapshotEveryEvents >= 0, "snapshotEveryEvents must not be negative, was " + snapshotEveryEvents);
        for (final long[] expected : expectedSources)
        {
            require(!tableSources.contains((int)expected[0]), "source " + expected[0] + " is both expected (it holds the watermark back) and a " +
                "table source (it takes no part in the watermark): choose one");
        }
        require(sinkFailureTimeoutMs > 0, "sinkFailureTimeoutMs must be positive, was " + sinkFailureTimeoutMs);
        require(maxEventTimeAheadMs >= 0, "maxEventTimeAheadMs must not be negative (0 turns the bound off), was " + maxEventTimeAheadMs);
        require(snapshotEveryMs >= 0, "snapshotEveryMs must not be negative, was " + snapshotEveryMs);
        require(snapshotReplica == null || snapshotEveryEvents > 0 || snapshotEveryMs > 0,
            "a snapshotReplica is set but no snapshots are scheduled: set snapshotEveryEvents or snapshotEveryMs, or leave the replica off");
        require(snapshotsToKeep >= 1, "keep at least one snapshot, was " + snapshotsToKeep);
        if (idleSourceTimeoutMs > 0 && tickIntervalMs == 0)
        {
            tickIntervalMs = Math.max(1, Math.min(1000, idleSourceTimeoutMs / 4));
        }
        require(tickIntervalMs == 0 || multiProducer,
            "ticks (tickIntervalMs, idleSourceTimeoutMs) are published by the engine beside your publisher: use multiProducer(true)");
        if (shardCpus != null)
        {
            require(shardCpus.length == shardCount, "give one CPU per shard (" + shardCount + "), or -1, not " + shardCpus.length);
            require(topology == Topology.PIPELINED || allNone(shardCpus),
                "shard CPUs need the pipelined topology: compact runs every shard on the journaler's thread (pin it with journalerCpu)");
        }
        final int cpus = Runtime.getRuntime().availableProcessors();
        checkCpu(journalerCpu, cpus, "journaler");
        checkCpu(egressCpu, cpus, "egress");
        checkCpu(backgroundCpu, cpus, "background");
        for (int i = 0; shardCpus != null && i < shardCpus.length; i++)
        {
            checkCpu(shardCpus[i], cpus, "shard " + i);
        }
        concluded = true;
        return this;
    }

    /**
     * @return the journal's configuration; its segment preparer runs as a background agent (pinned to
     * {@link #backgroundCpu()}, waiting with {@link #backgroundWait()}).
     */
    JournalContext journalContext()
    {
        return new JournalContext().directory(journalDirectory()).segmentSize(segmentSize).durability(durability)
            .prefault(journalPrefault)
            .touchAhead(journalTouchAhead)
            .preparerThreadFactory(new PinningThreadFactory(JournalContext.PREPARER_ROLE_NAME, backgroundCpu))
            .preparerIdleStrategy(backgroundIdleStrategy());
    }

    /**
     * @return a new idle strategy for one background agent, as {@link #backgroundWait()} says; blocking parks until the
     * agent's thread is unparked by whoever hands it work.
     */
    IdleStrategy backgroundIdleStrategy()
    {
        return backgroundWait.newIdleStrategy(new Doorbell(), () -> false);
    }

    private static boolean allNone(final int[] cpus)
    {
        for (final int cpu : cpus)
        {
            if (cpu >= 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void checkCpu(final int cpu, final int cpus, final String who)
    {
        require(cpu >= -1 && cpu < cpus, who + " CPU must be -1 (none) or 0 to " + (cpus - 1) + " on this machine, was " + cpu);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
