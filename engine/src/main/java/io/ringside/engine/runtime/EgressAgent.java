package io.ringside.engine.runtime;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineCounters;
import io.ringside.engine.EngineFailedException;
import io.ringside.engine.InlineOutputSink;
import io.ringside.engine.OutputSink;

import java.util.List;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Drains the shards' egress buffers to the sinks, releasing each output only once the journal holds its
 * input durably; keeps each shard's order; offers an output again when a sink throws, and fails the engine when the
 * sinks keep failing. Egress thread only ({@link EgressThread}, beside the snapshot completion, the ticker and the
 * counters' refresh).
 * <p>
 * With {@link #inlineEgress()} (every sink an {@link InlineOutputSink}, a compact engine) the compact thread delivers
 * while it owns the buffers, and this agent reads them only between a refusal there and the hand-back
 * ({@link InlineEgress}).
 */
public final class EgressAgent implements Agent, ControlledMessageHandler
{
    private static final int READ_LIMIT = 256;

    private final OneToOneRingBuffer[] buffers;
    private final OutputSink[] sinks;
    private final int[] nextSink;
    private final Journaler journaler;
    private final EngineCounters counters;
    private final Doorbell doorbell;
    private final OutputView view = new OutputView();
    private final ControlledMessageHandler peek = (msgTypeId, buffer, index, length) ->
    {
        peekedPosition = buffer.getLong(index + OutputDescriptor.POSITION_OFFSET);
        return Action.ABORT;
    };
    private long peekedPosition;
    private long durable;
    private int shard;
    private boolean dirty;
    private EngineControl control;
    private long sinkFailureTimeoutNs;
    /** When the sinks started failing without a success since, or 0. */
    private long failingSinceNs;
    /** Outputs delivered in this pass, added to the shared counter once (the compact thread adds its own). */
    private long deliveredCount;
    private InlineEgress inline;

    public EgressAgent(
        final OneToOneRingBuffer[] buffers, final List<OutputSink> sinks, final Journaler journaler, final EngineCounters counters,
        final Doorbell doorbell)
    {
        this.buffers = buffers;
        this.sinks = sinks.toArray(new OutputSink[0]);
        this.nextSink = new int[buffers.length];
        this.journaler = journaler;
        this.counters = counters;
        this.doorbell = doorbell;
    }

    @Override
    public void onStart()
    {
        if (doorbell != null)
        {
            doorbell.register(Thread.currentThread());
        }
    }

    /**
     * Delivery on the compact thread, if every sink takes it: the {@link InlineEgress} to run there, created once.
     *
     * @return null if a sink is not an {@link InlineOutputSink} (or there is none).
     */
    public InlineEgress inlineEgress()
    {
        if (inline == null && sinks.length > 0)
        {
            final InlineOutputSink[] inlineSinks = new InlineOutputSink[sinks.length];
            for (int s = 0; s < sinks.length; s++)
            {
                if (!(sinks[s] instanceof InlineOutputSink))
                {
                    return null;
                }
                inlineSinks[s] = (InlineOutputSink)sinks[s];
            }
            inline = new InlineEgress(buffers, inlineSinks, nextSink, journaler, counters, doorbell);
        }
        return inline;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (sinks.length > 0 && (inline == null || !inline.inlineOwns()))
        {
            durable = journaler.durablePosition();
            deliveredCount = 0;
            for (int i = 0; i < buffers.length; i++)
            {
                shard = i;
                work += buffers[i].controlledRead(this, READ_LIMIT);
            }
            if (deliveredCount > 0)
            {
                counters.delivered.getAndAdd(deliveredCount);
            }
            if (work > 0 || dirty)
            {
                flushSinks();
            }
            if (inline != null && !dirty && failingSinceNs == 0 && deliveredBelow(durable))
            {
                // caught up: what waits is not durable yet, and the compact thread delivers it once it is
                inline.handBack(durable);
            }
        }
        return work;
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (buffer.getLong(index + OutputDescriptor.POSITION_OFFSET) >= durable)
        {
            return Action.ABORT;
        }
        view.wrapRecord((UnsafeBuffer)buffer, index, length);
        for (int s = nextSink[shard]; s < sinks.length; s++)
        {
            try
            {
                sinks[s].onOutput(view);
            }
            catch (final Exception ex)
            {
                nextSink[shard] = s;
                sinkFailed(sinks[s], ex);
                return Action.ABORT;
            }
        }
        nextSink[shard] = 0;
        failingSinceNs = 0;
        dirty = true;
        deliveredCount++;
        return Action.CONTINUE;
    }

    /**
     * The blocking wait's re-check, after it has announced that it sleeps and before it parks: whether there is
     * something a wake-up may have been rung for meanwhile (the durable position moved since the last pass, an output
     * below it waits in a buffer), so that a ring racing with going to sleep is not left to the 10 ms backstop. A
     * failing sink is retried at the backstop's pace, as before. Egress thread; a volatile read and a peek per buffer.
     */
    public boolean hasWork()
    {
        if (sinks.length == 0 || dirty || failingSinceNs != 0 || (inline != null && inline.inlineOwns()))
        {
            return false;   // none, a failing sink (retried at the wait's own pace, not in a spin), or the compact thread delivers
        }
        final long durableNow = journaler.durablePosition();
        if (durableNow != durable)
        {
            return true;
        }
        for (final OneToOneRingBuffer buffer : buffers)
        {
            peekedPosition = Long.MAX_VALUE;
            buffer.controlledRead(peek, 1);
            if (peekedPosition < durableNow)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether every output delivered has been flushed (no flush is owed or failed).
     */
    boolean isFlushed()
    {
        return !dirty;
    }

    /**
     * @return whether no output caused below {@code position} waits in a buffer (for {@link SnapshotCompletion}).
     */
    boolean deliveredBelow(final long position)
    {
        if (inline != null)
        {
            if (position <= inline.deliveredBelow())
            {
                return true;
            }
            if (inline.inlineOwns())
            {
                return false;   // not this thread's buffers to peek: the compact thread's next pass moves the mark
            }
        }
        for (final OneToOneRingBuffer buffer : buffers)
        {
            peekedPosition = Long.MAX_VALUE;
            buffer.controlledRead(peek, 1);
            if (peekedPosition < position)
            {
                return false;
            }
        }
        return true;
    }

    private void flushSinks()
    {
        boolean failed = false;
        for (final OutputSink sink : sinks)
        {
            try
            {
                sink.flush();
            }
            catch (final Exception ex)
            {
                failed = true;
                sinkFailed(sink, ex);
            }
        }
        dirty = failed;
    }

    /**
     * Counts and records a sink's failure; its output (or flush) is tried again. A sink that has failed without a
     * success in between for longer than {@link EngineContext#sinkFailureTimeoutMs} fails the engine: otherwise the egress
     * buffers fill, the shards wait, the ring fills and the publishers wait, for ever.
     */
    private void sinkFailed(final OutputSink sink, final Exception error)
    {
        counters.sinkErrors.incrementRelease();
        counters.recordError(error);
        final long now = System.nanoTime();
        if (failingSinceNs == 0)
        {
            failingSinceNs = now;
        }
        else if (control != null && now - failingSinceNs > sinkFailureTimeoutNs)
        {
            control.fail(new EngineFailedException("the sink " + sink + " has failed for " + (now - failingSinceNs) / 1_000_000 +
                " ms without a success (EngineContext.sinkFailureTimeoutMs): " + error, error));
        }
    }

    /**
     * @param control           failed when a sink keeps failing.
     * @param failureTimeoutMs how long a sink may fail without a success.
     */
    public void failOnSinkFailure(final EngineControl control, final long failureTimeoutMs)
    {
        this.control = control;
        this.sinkFailureTimeoutNs = failureTimeoutMs * 1_000_000L;
    }

    /**
     * @return true once every shard's egress buffer is empty (always, without sinks: there are no buffers).
     */
    public boolean isDrained()
    {
        for (final OneToOneRingBuffer buffer : buffers)
        {
            if (buffer != null && buffer.size() > 0)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onClose()
    {
        if (sinks.length > 0 && (inline == null || inline.takeOverAtClose()))
        {
            durable = journaler.durablePosition();
            deliveredCount = 0;
            for (int i = 0; i < buffers.length; i++)
            {
                shard = i;
                while (buffers[i].controlledRead(this, READ_LIMIT) > 0)
                {
                    // deliver what is durable; what is not stays for replay after a restart
                }
            }
            counters.delivered.getAndAdd(deliveredCount);
            flushSinks();
        }
    }

    @Override
    public String roleName()
    {
        return "ringside-egress";
    }
}
