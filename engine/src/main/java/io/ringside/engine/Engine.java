package io.ringside.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.dsl.ProducerType;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.RecoveryReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

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
    private EgressAgent egress;
    private ShardRunner[] shardRunners = new ShardRunner[0];
    private int publishers;

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
            appender = JournalAppender.open(ctx.journalContext());
            recovery = appender.recovery();
            counters = EngineCounters.create(ctx.directory(), ctx.shardCount());
            build();
            state.lifecycle(EngineState.RUNNING);
            for (final AgentRunner runner : runners)
            {
                AgentRunner.startOnThread(runner, new PinningThreadFactory(runner.agent().roleName(), cpuOf(runner.agent())));
            }
        }
        catch (final RuntimeException ex)
        {
            state.halt();
            stopThreads();
            closeHandlersNotClosed();
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
        final int slotCapacity = org.agrona.BitUtil.align(ctx.maxEventLength(), 8);
        final UnsafeBuffer slab = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ctx.ringSize() * slotCapacity, 64));
        final int[] index = {0};
        ring = RingBuffer.create(ctx.multiProducer() ? ProducerType.MULTI : ProducerType.SINGLE,
            () -> new Slot(slab, index[0]++, slotCapacity), ctx.ringSize(), new BusySpinWaitStrategy());

        final boolean pipelined = ctx.topology() == Topology.PIPELINED;
        final Doorbell egressDoorbell = ctx.egressWait() == WaitStrategy.BLOCKING ? new Doorbell() : null;
        ringDoorbell = ctx.journalerWait() == WaitStrategy.BLOCKING ? new Doorbell() : null;
        final Doorbell shardDoorbell = pipelined && ctx.shardWait() == WaitStrategy.BLOCKING ? new Doorbell() : null;
        final WatermarkTracker watermarks = new WatermarkTracker(ctx.maxOutOfOrdernessMs(), ctx.idleSourceTimeoutMs());
        for (final long[] source : ctx.expectedSources())
        {
            for (int partition = 0; partition < source[1]; partition++)
            {
                watermarks.expect((int)source[0], partition);
            }
        }
        journaler = new Journaler(appender, counters, egressDoorbell, state, watermarks, ctx.eventTime());

        final boolean hasSinks = !ctx.sinks().isEmpty();
        final OneToOneRingBuffer[] buffers = new OneToOneRingBuffer[shardCount];
        final SingleWriterRecorder[] latency = new SingleWriterRecorder[shardCount];
        final ShardRunner[] shards = new ShardRunner[shardCount];
        shardRunners = shards;
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
                ctx.recordLatency(), ctx.errorPolicy(), state, pipelined ? null : journaler);
        }

        final EventPoller<Slot> first = ring.newPoller();
        ring.addGatingSequences(first.getSequence());
        consumerSequences.add(first.getSequence());
        final Sequence firstSequence = first.getSequence();
        final RingBuffer<Slot> r = ring;
        if (!pipelined)
        {
            add(new CompactAgent(first, state, ringDoorbell, journaler, shards), ctx.journalerWait(), ringDoorbell,
                () -> r.isAvailable(firstSequence.get() + 1));
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
                add(new ShardAgent(i, poller, state, shardDoorbell, shards[i], egressDoorbell), ctx.shardWait(), shardDoorbell,
                    () -> firstSequence.get() > own.get());
            }
        }
        egress = new EgressAgent(buffers, ctx.sinks(), journaler, counters, ring, consumerSequences.toArray(new Sequence[0]), latency,
            egressDoorbell);
        if (ctx.tickIntervalMs() > 0)
        {
            egress.ticker(new EventPublisher(ring, state, -1, shardCount, ctx.maxEventLength(), ringDoorbell), ctx.tickIntervalMs(),
                ctx.tickClock());
        }
        add(egress, ctx.egressWait(), egressDoorbell, () -> false);
    }

    private void add(final Agent agent, final WaitStrategy wait, final Doorbell doorbell, final java.util.function.BooleanSupplier hasWork)
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
        if (agent instanceof EgressAgent)
        {
            return ctx.egressCpu();
        }
        return ctx.journalerCpu();
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
        publishers++;
        return new EventPublisher(ring, state, sourceId, ctx.shardCount(), ctx.maxEventLength(), ringDoorbell);
    }

    /**
     * @return what opening the journal found (torn tail cut off, end position); null before start.
     */
    public RecoveryReport journalRecovery()
    {
        return recovery;
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
        if (egress == null)
        {
            throw new IllegalStateException("the engine is not started: it has recorded no latency");
        }
        return egress.totalLatency();
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
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.closeTimeoutMs());
        final boolean drained = awaitDrained(deadline);
        state.halt();
        stopThreads();
        final long unprocessed = ring.getCursor() - minConsumerSequence();
        final boolean outputsWaiting = !egress.isDrained();
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
            throw new EngineException("the engine did not drain within " + ctx.closeTimeoutMs() + " ms: " + unprocessed +
                " event(s) were not processed" + (outputsWaiting ?
                " and outputs were still waiting for the sinks (a sink that keeps failing? see ringside stat DIR --errors)" :
                " (an unfinished publisher claim, or a stuck handler?)"));
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
        for (final ShardRunner runner : shardRunners)
        {
            if (runner != null)
            {
                runner.onClose();
            }
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
