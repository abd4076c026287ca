package io.ringside.engine.runtime;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineCounters;
import io.ringside.engine.EngineException;
import io.ringside.engine.EngineFailedException;
import io.ringside.engine.ErrorPolicy;
import io.ringside.engine.Output;
import io.ringside.engine.OutputListener;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SlotType;
import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Runs one shard: hands it the events of its keys, gives each output its id, delivers outputs to the
 * inline listener and the shard's egress buffer, and applies the error policy when the handler throws.
 * Called only on the thread that runs the shard. While its egress buffer is full it asks the agent that runs it
 * what to do meanwhile ({@link EgressFullWait}: compact, publish what was journaled as durable), then waits a moment.
 */
public final class ShardRunner implements ShardContext
{
    /** Latencies above this (60 s) are recorded as this. */
    public static final long MAX_LATENCY_NS = 60_000_000_000L;
    private static final int MAX_REASON_BYTES = 1024;

    private final int shard;
    private final ShardHandler handler;
    private final OutputListener listener;
    private final OneToOneRingBuffer egress;
    private final int maxOutputLength;
    private final EngineCounters counters;
    private final SingleWriterRecorder latency;
    private final boolean recordLatency;
    private final ErrorPolicy errorPolicy;
    private final EngineControl control;
    private EgressFullWait egressFullWait;
    private final OutputView view = new OutputView();
    private final IdleStrategy egressFull = new SleepingIdleStrategy(20_000);
    private UnsafeBuffer deadLetterBuffer;
    private Slot current;
    private int ordinal;
    private long handledPosition = Long.MIN_VALUE;
    private long lastWatermark = Long.MIN_VALUE;
    private boolean closed;
    private boolean replaying;
    private long prefetched;

    public ShardRunner(
        final int shard, final ShardHandler handler, final OutputListener listener, final OneToOneRingBuffer egress,
        final int maxOutputLength, final EngineCounters counters, final SingleWriterRecorder latency, final boolean recordLatency,
        final ErrorPolicy errorPolicy, final EngineControl control)
    {
        this.shard = shard;
        this.handler = handler;
        this.listener = listener;
        this.egress = egress;
        this.maxOutputLength = maxOutputLength;
        this.counters = counters;
        this.latency = latency;
        this.recordLatency = recordLatency;
        this.errorPolicy = errorPolicy;
        this.control = control;
    }

    /**
     * @param wait what the agent that runs this shard does meanwhile when its egress buffer is full; null: nothing.
     */
    void egressFullWait(final EgressFullWait wait)
    {
        this.egressFullWait = wait;
    }

    public void onEvent(final Slot slot)
    {
        handle(slot);
        counters.processed[shard].incrementRelease();
        if (recordLatency && !replaying)
        {
            latency.recordValue(Math.min(MAX_LATENCY_NS, Math.max(0, System.nanoTime() - slot.ingressNanoTime)));
        }
    }

    /**
     * Hands an event (its key's shard) or a control event (every shard) to the handler; a handler error is a dead
     * letter, or STRICT's stop.
     */
    private void handle(final Slot slot)
    {
        current = slot;
        ordinal = 0;
        try
        {
            if (slot.type == SlotType.CONTROL)
            {
                handler.onControl(slot, this);
            }
            else if (slot.type == SlotType.TICK)
            {
                handler.onTick(slot.timestamp, this);
            }
            else if (slot.eventTimeError != null)
            {
                throw new EngineException("the event-time extractor failed on this event: " + slot.eventTimeError, slot.eventTimeError);
            }
            else
            {
                handler.onEvent(slot, this);
            }
        }
        catch (final Throwable error)
        {
            rethrowIfNotTheHandlers(slot, error);
            onHandlerError(slot, error);
        }
        finally
        {
            current = null;
            handledPosition = slot.journalPosition;
        }
    }

    /**
     * A hint for the slot's event, handled soon: its first stage ({@link #prefetchEarly}) if {@code early}, else the
     * second ({@link #prefetch}). Never throws.
     */
    public void hint(final Slot slot, final boolean early)
    {
        if (early)
        {
            prefetchEarly(slot);
        }
        else
        {
            prefetch(slot);
        }
    }

    /**
     * The first stage of the hint, further ahead ({@link ShardHandler#prefetchEarly}). Never throws.
     */
    void prefetchEarly(final Slot slot)
    {
        try
        {
            prefetched += handler.prefetchEarly(slot);
        }
        catch (final RuntimeException ignored)
        {
            // a hint read a slot still being written: nothing to do
        }
    }

    /**
     * A hint: the handler may start loading the state of an event it will handle soon. Never throws.
     */
    void prefetch(final Slot slot)
    {
        try
        {
            prefetched += handler.prefetch(slot);
        }
        catch (final RuntimeException ignored)
        {
            // a hint read a slot still being written: nothing to do
        }
    }

    /**
     * After every slot this shard sees (its own event, if any, handled first): tells the handler when the
     * watermark moved. Outputs continue the slot's ordinals if this shard handled its event.
     */
    public void afterSlot(final Slot slot)
    {
        if (slot.type == SlotType.CONTROL || slot.type == SlotType.TICK)
        {
            handle(slot);
        }
        if (slot.watermark > lastWatermark || handler.hasDueWork())
        {
            onWatermark(slot);
        }
        if (slot.snapshot != null)
        {
            final long start = System.nanoTime();
            slot.snapshot.writeShard(shard, this);
            final long pause = System.nanoTime() - start;
            counters.snapshotPauseNs.setRelease(pause);
            counters.snapshotPauseMaxNs.proposeMaxRelease(pause);
        }
    }

    /**
     * Writes what this shard's future outputs depend on: the last watermark it saw and its handler's state.
     */
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        if (!(handler instanceof Snapshottable))
        {
            throw new IllegalStateException("the handler of shard " + shard + " (" + handler.getClass().getName() +
                ") does not implement Snapshottable");
        }
        out.writeLong(lastWatermark);
        ((Snapshottable)handler).writeSnapshot(out);
    }

    public void readSnapshot(final SnapshotReader in) throws IOException
    {
        lastWatermark = in.readLong();
        ((Snapshottable)handler).readSnapshot(in);
        if (in.remaining() != 0)
        {
            throw new SnapshotCorruptedException("snapshot " + in.file() + ": the handler of shard " + shard + " read " +
                in.remaining() + " bytes less than it wrote (written by another version of its code?)");
        }
    }

    public ShardHandler handler()
    {
        return handler;
    }

    /**
     * Recovery: outputs from now on are replays (their inputs were journaled before this start), until {@code false}.
     */
    public void replaying(final boolean replaying)
    {
        this.replaying = replaying;
        view.replay(replaying);
    }

    private void onWatermark(final Slot slot)
    {
        lastWatermark = Math.max(lastWatermark, slot.watermark);
        if (handledPosition != slot.journalPosition)
        {
            ordinal = 0;
        }
        current = slot;
        try
        {
            handler.onWatermark(lastWatermark, this);
        }
        catch (final Throwable error)
        {
            rethrowIfNotTheHandlers(slot, error);
            counters.errors.increment();
            counters.recordError(error);
            failIfStrict("on the watermark " + slot.watermark + " at journal position " + slot.journalPosition, error);
        }
        finally
        {
            current = null;
        }
    }

    /**
     * Tells the handler that the engine closes ({@link ShardHandler#onClose()}), once, whatever calls this first: the
     * shard's thread as its agent stops, or the thread whose {@link Engine#start()} failed. An error is counted and recorded.
     */
    public void onClose()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            handler.onClose();
        }
        catch (final Throwable error)
        {
            if (error instanceof VirtualMachineError)
            {
                throw (VirtualMachineError)error;
            }
            counters.errors.increment();
            counters.recordError(error);
        }
    }

    /**
     * A fatal VM error stops the engine; a stop signal (the engine closing while this shard waited for egress
     * space) passes through: neither is the handler's error.
     */
    private void rethrowIfNotTheHandlers(final Slot slot, final Throwable error)
    {
        if (error instanceof VirtualMachineError)
        {
            control.fail(new EngineFailedException("shard " + shard + " hit a fatal error at position " + slot.journalPosition, error));
            throw (VirtualMachineError)error;
        }
        if (error instanceof AgentTerminationException)
        {
            throw (AgentTerminationException)error;
        }
    }

    private void failIfStrict(final String where, final Throwable error)
    {
        if (errorPolicy == ErrorPolicy.STRICT)
        {
            control.fail(new EngineFailedException("the handler of shard " + shard + " threw " + where + ", and the error policy is STRICT", error));
            throw new AgentTerminationException(error);
        }
    }

    private void onHandlerError(final Slot slot, final Throwable error)
    {
        counters.errors.increment();
        counters.recordError(error);
        failIfStrict("on the event at journal position " + slot.journalPosition + " (key " + slot.key + ")", error);
        final byte[] reason = truncate(String.valueOf(error).getBytes(StandardCharsets.UTF_8));
        final int length = 4 + reason.length + slot.length;
        if (deadLetterBuffer == null || deadLetterBuffer.capacity() < length)
        {
            deadLetterBuffer = new UnsafeBuffer(new byte[Math.max(length, 1024)]);
        }
        deadLetterBuffer.putInt(0, reason.length);
        deadLetterBuffer.putBytes(4, reason);
        deadLetterBuffer.putBytes(4 + reason.length, slot.buffer, 0, slot.length);
        current = slot;
        deliver(Output.DEAD_LETTER, slot.key, deadLetterBuffer, 0, length);
        counters.deadLetters.increment();
    }

    private byte[] truncate(final byte[] reason)
    {
        final int room = Math.min(MAX_REASON_BYTES, maxOutputLength - 4 - current().length);
        return reason.length <= room ? reason : Arrays.copyOf(reason, Math.max(0, room));
    }

    private Slot current()
    {
        return current;
    }

    @Override
    public int shard()
    {
        return shard;
    }

    @Override
    public long journalPosition()
    {
        checkHandling();
        return current.journalPosition;
    }

    @Override
    public void emit(final int type, final long key, final DirectBuffer buffer, final int offset, final int length)
    {
        checkHandling();
        if (type < 0)
        {
            throw new IllegalArgumentException("output type must be 0 or more (negative types are the engine's), was " + type);
        }
        if (length < 0 || length > maxOutputLength)
        {
            throw new IllegalArgumentException("output of " + length + " bytes: the egress buffers take 0 to " + maxOutputLength +
                " (raise EngineContext.egressBufferLength)");
        }
        deliver(type, key, buffer, offset, length);
    }

    @Override
    public void late()
    {
        checkHandling();
        counters.late[shard].incrementRelease();
    }

    private void deliver(final int type, final long key, final DirectBuffer buffer, final int offset, final int length)
    {
        final int rank = ordinal++;
        final long position = current.journalPosition;
        if (listener != null)
        {
            listener.onOutput(view.set(position, rank, type, key, shard, buffer, offset, length));
            counters.lastOutputPosition[shard].setRelease(position);
            counters.lastOutputOrdinal[shard].setRelease(rank);
        }
        if (egress != null)
        {
            final int recordLength = OutputDescriptor.HEADER_LENGTH + length;
            int index;
            while ((index = egress.tryClaim(OutputDescriptor.MSG_TYPE_ID, recordLength)) < 0)
            {
                counters.egressWaits[shard].incrementRelease();
                if (control.isHalted())
                {
                    throw new AgentTerminationException("the engine stopped while shard " + shard + " waited for egress space");
                }
                if (egressFullWait != null)
                {
                    egressFullWait.onEgressFull();
                }
                egressFull.idle();
            }
            final AtomicBuffer record = egress.buffer();
            record.putLong(index + OutputDescriptor.POSITION_OFFSET, position);
            record.putLong(index + OutputDescriptor.KEY_OFFSET, key);
            record.putInt(index + OutputDescriptor.ORDINAL_OFFSET, rank);
            record.putInt(index + OutputDescriptor.TYPE_OFFSET, type);
            record.putInt(index + OutputDescriptor.SHARD_OFFSET, shard);
            record.putInt(index + OutputDescriptor.FLAGS_OFFSET, replaying ? OutputDescriptor.FLAG_REPLAY : 0);
            record.putBytes(index + OutputDescriptor.HEADER_LENGTH, buffer, offset, length);
            egress.commit(index);
        }
        counters.outputs[shard].incrementRelease();
    }

    private void checkHandling()
    {
        if (current == null)
        {
            throw new IllegalStateException("the shard context is usable only while its handler handles an event");
        }
    }
}
