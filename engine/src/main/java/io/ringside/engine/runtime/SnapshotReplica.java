package io.ringside.engine.runtime;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineCounters;
import io.ringside.engine.EngineException;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SlotType;
import io.ringside.engine.Snapshottable;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes the engine's periodic snapshots from a copy of its state kept by another thread, so that no shard ever
 * pauses for one ({@link EngineContext#snapshotReplica}). It is an agent on a thread of its own
 * ({@code ringside-snapshot-replica}, pinned to {@link EngineContext#backgroundCpu()} if one is given, waiting as
 * {@link EngineContext#backgroundWait()} says when it has caught up). It builds a second set of handlers with the replica's factory, loads the snapshot recovery loaded (if any), then follows the
 * journal up to its durable position, replaying each record exactly as recovery does ({@link Engine#replayRecord}):
 * since the state is a pure function of the journal, the replica's state at a position is the shards' state there.
 * After every {@link EngineContext#snapshotEveryEvents} records (counted from its start, as the journaler counts), on
 * every SNAPSHOT record, and once {@link EngineContext#snapshotEveryMs} have passed when it has caught up, it writes a
 * snapshot of its own state at the position it has reached, through the engine's {@link SnapshotTaker} (which completes
 * it in the background as usual: after the sinks have delivered everything below it).
 * <p>
 * Its thread runs at the lowest priority (nice {@value #NICE} on Linux), so that on a machine without a spare core
 * it takes what CPU the decision path leaves: under a load that leaves none, it lags, and the snapshots with it
 * ({@link EngineCounters#replicaPosition()} shows how far it has come).
 * <p>
 * Its outputs are dropped; its counters and error log are its own, in {@code DIR/replica/} (the errors it meets are
 * the shards' errors, already in the engine's). If it fails, it records why in the engine's error log, counts a failed
 * snapshot and stops: the engine keeps running, with no further snapshots until it is restarted.
 */
public final class SnapshotReplica implements Agent
{
    /** The replica's own counters file lives in this subdirectory of the engine directory. */
    static final String DIRECTORY = "replica";
    /** Its agent's role and thread name. */
    static final String ROLE_NAME = "ringside-snapshot-replica";
    private static final int BURST = 4096;
    /** The replica's nice value: it takes the CPU the shards, the journaler and the egress leave. */
    public static final int NICE = 19;

    private final EngineContext ctx;
    private final SnapshotTaker snapshots;
    private final Journaler live;
    private final EngineCounters counters;
    private final long from;
    private final AgentRunner runner;
    private volatile Thread thread;
    private volatile boolean running = true;

    // the replica's own state, made on its thread (onStart) and closed there (onClose)
    private ShardRunner[] shards;
    private EngineCounters own;
    private JournalReader reader;
    private Journaler journaler;
    private EngineState state;
    private final Slot slot = new Slot(new UnsafeBuffer(new byte[0]), 0, 0);
    private long since;
    private long lastSnapshotMs;
    private long reached;
    private boolean failed;

    /**
     * @param from the snapshot position recovery loaded, or -1 if it replayed the journal from its start.
     */
    public SnapshotReplica(final EngineContext ctx, final SnapshotTaker snapshots, final Journaler live, final EngineCounters counters, final long from)
    {
        this.ctx = ctx;
        this.snapshots = snapshots;
        this.live = live;
        this.counters = counters;
        this.from = from;
        // caught up, it waits as the background agents do (blocking: a park of at most 10 ms, re-checking the durable
        // position first); its failures are recorded by the agent itself
        final IdleStrategy idle = ctx.backgroundWait().newIdleStrategy(new Doorbell(), this::hasWork);
        this.runner = new AgentRunner(idle, SnapshotReplica::onAgentError, null, this);
    }

    /**
     * Starts the replica's agent on its own thread, pinned to {@link EngineContext#backgroundCpu()} if one is given.
     */
    public void start()
    {
        final Thread replicaThread = new PinningThreadFactory(ROLE_NAME, ctx.backgroundCpu()).newThread(runner);
        thread = replicaThread;
        replicaThread.start();
    }

    /**
     * Stops the replica at its next burst boundary (a snapshot it is writing is finished first) and waits for it.
     *
     * @return false if it had not stopped within {@code timeoutMs}.
     */
    public boolean stop(final long timeoutMs)
    {
        running = false;
        final Thread replicaThread = thread;
        if (replicaThread == null)
        {
            return true;   // never started
        }
        try
        {
            replicaThread.join(timeoutMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !replicaThread.isAlive();
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }

    @Override
    public void onStart()
    {
        final int shardCount = ctx.shardCount();
        shards = new ShardRunner[shardCount];
        try
        {
            ThreadPriority.lowerCurrentThread(NICE);   // where it cannot (not Linux), the replica shares the CPU evenly
            final Path directory = ctx.directory().resolve(DIRECTORY);
            Files.createDirectories(directory);
            own = EngineCounters.create(directory, shardCount);
            state = new EngineState();
            journaler = Engine.newJournaler(ctx, null, own, null, state);
            for (int i = 0; i < shardCount; i++)
            {
                shards[i] = new ShardRunner(i, replicaHandler(i), null, null, ctx.maxOutputLength(), own,
                    new SingleWriterRecorder(ShardRunner.MAX_LATENCY_NS, 3), false, ctx.errorPolicy(), state);
            }
            if (from >= 0)
            {
                Engine.loadSnapshot(snapshots.open(from), journaler, shards);
            }
            reader = JournalReader.open(ctx.journalDirectory());
            if (from >= 0)
            {
                reader.seek(from);
            }
            reached = reader.position();
            lastSnapshotMs = ctx.snapshotEveryMs() > 0 ? ctx.tickClock().time() : 0;
        }
        catch (final Throwable error)
        {
            fail(error);
        }
    }

    /**
     * Replays a burst of the durable journal, writing a snapshot where one is due.
     *
     * @return records replayed (0: caught up, it idles).
     */
    @Override
    public int doWork()
    {
        if (failed || !running)
        {
            throw new AgentTerminationException();
        }
        try
        {
            return burst();
        }
        catch (final Throwable error)
        {
            fail(error);
            throw new AgentTerminationException();
        }
    }

    private int burst()
    {
        final long everyEvents = ctx.snapshotEveryEvents();
        final long everyMs = ctx.snapshotEveryMs();
        final EpochClock clock = ctx.tickClock();
        final long end = live.durablePosition();
        int replayed = 0;
        while (replayed < BURST && running)
        {
            final JournalRecord record = reader.next();
            if (record == null)
            {
                break;
            }
            if (record.position() >= end)
            {
                reader.seek(record.position());   // not durable yet: read it again next time
                break;
            }
            Engine.replayRecord(record, slot, journaler, shards, state);
            reached = record.endPosition();
            replayed++;
            since++;
            if (slot.type == SlotType.SNAPSHOT || (everyEvents > 0 && since >= everyEvents))
            {
                snapshot(reached);
                since = 0;
                lastSnapshotMs = everyMs > 0 ? clock.time() : 0;
            }
        }
        counters.replicaPosition.setRelease(reached);
        if (replayed < BURST && since > 0 && everyMs > 0 && clock.time() - lastSnapshotMs >= everyMs)
        {
            snapshot(reached);
            since = 0;
            lastSnapshotMs = clock.time();
        }
        return replayed;
    }

    private boolean hasWork()
    {
        return !running || failed || live.durablePosition() > reached;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(reader);
        if (shards != null)
        {
            for (final ShardRunner shard : shards)
            {
                if (shard != null)
                {
                    shard.onClose();
                }
            }
        }
        CloseHelper.quietClose(own);
    }

    private void fail(final Throwable error)
    {
        failed = true;
        counters.snapshotsFailed.incrementRelease();
        counters.recordError(new EngineException("the snapshot replica stopped, so no snapshot is taken until the engine restarts: " +
            error, error));
        if (error instanceof VirtualMachineError)
        {
            throw (VirtualMachineError)error;
        }
    }

    private static void onAgentError(final Throwable error)
    {
        // the agent records its own failures (fail) before it ends by AgentTerminationException; nothing else reaches here
    }

    private ShardHandler replicaHandler(final int shard)
    {
        final ShardHandler handler = ctx.snapshotReplica().apply(shard);
        if (!(handler instanceof Snapshottable))
        {
            throw new IllegalArgumentException("the snapshot replica's factory returned " + (handler == null ? "null" :
                "a handler that does not implement Snapshottable (" + handler.getClass().getName() + ")") + " for shard " + shard);
        }
        return handler;
    }

    private void snapshot(final long position)
    {
        final long start = System.nanoTime();
        final SnapshotTaker.Pending pending = snapshots.begin(position, journaler);
        for (int i = 0; i < shards.length; i++)
        {
            pending.writeShard(i, shards[i]);
        }
        counters.replicaWriteNs.setRelease(System.nanoTime() - start);
    }
}
