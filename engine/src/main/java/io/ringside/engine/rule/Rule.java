package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;

/**
 * A shard's rules written on declared operators: one instance per shard, as every {@link ShardHandler}. Declare the
 * operators once, in the constructor, on {@link #operators()}; then write {@link #handle} (and {@link #control} for rule
 * changes, {@link #watermark} for work at the watermark). The rule does the rest:
 * <ul>
 *   <li>it closes every operator as the watermark moves, in declaration order, each window to the {@link Closed}
 *       listener declared with it (with the context to emit with), in slices while {@link #hasDueWork()};</li>
 *   <li>it judges lateness: an operator's {@code add} refuses an event at or below its source's watermark minus the
 *       allowed lateness, or whose window has closed; the rule reports it once per event, whichever operator found it:
 *       {@link ShardContext#late()} and {@link #onLate} (the LATE output declared by
 *       {@link Operators#lateOutput});</li>
 *   <li>it lets go of the keys the operators held when the callback returns;</li>
 *   <li>it snapshots and restores every operator, then what {@link #writeState}/{@link #readState} add (thresholds set
 *       by control events, for instance);</li>
 *   <li>it frees them in {@link #onClose()}.</li>
 * </ul>
 * All of it on the shard's thread, without allocating per event.
 */
public abstract class Rule implements ShardHandler, Snapshottable
{
    /**
     * Marks a rule's snapshot (format 2): processing time, the operators in declaration order, each after its kind, then
     * the rule's own state.
     */
    static final long SNAPSHOT_FORMAT = 0x52554C4553000002L;

    private final Operators operators;
    private Event event;
    private ShardContext context;
    private boolean lateReported;
    private long processingTimeMs = Long.MIN_VALUE;

    /**
     * @param name              for diagnostics, the prefix of every operator's name (give the shard in it).
     * @param allowedLatenessMs how long after its end a window stays open for late-but-allowed events; an event at or
     *                          below its source's watermark minus this is late.
     */
    protected Rule(final String name, final long allowedLatenessMs)
    {
        this.operators = new Operators(this, name, allowedLatenessMs);
    }

    /**
     * @return where to declare the operators (in the constructor only).
     */
    protected final Operators operators()
    {
        return operators;
    }

    /**
     * The event, with the operators ready: their {@code add}s judge its lateness; keys they hold are let go on return.
     *
     * @throws Exception handled by the engine's error policy.
     */
    protected abstract void handle(Event event, ShardContext context) throws Exception;

    /**
     * A control event ({@link ShardHandler#onControl}): change thresholds or switch rules here, and keep what it sets
     * in {@link #writeState}. Does nothing by default.
     */
    protected void control(final Event control, final ShardContext context) throws Exception
    {
    }

    /**
     * After the operators on processing time have closed what a tick made due. Does nothing by default.
     */
    protected void tick(final long tickTimeMs, final ShardContext context) throws Exception
    {
    }

    /**
     * @return processing time: the last tick's time (journaled, so the same on replay), {@link Long#MIN_VALUE} before the
     * first tick. Add events to the windows of {@link Operators#groupOnProcessingTime} at this time.
     */
    public final long processingTime()
    {
        return processingTimeMs;
    }

    /**
     * After the operators have closed what the watermark made due. Does nothing by default.
     */
    protected void watermark(final long watermark, final ShardContext context) throws Exception
    {
    }

    /**
     * A late event (once per event): emits the output declared by {@link Operators#lateOutput} (type, the event's key,
     * its bytes), or nothing. The shard's late-events counter has been counted already. Override for another output.
     */
    protected void onLate(final Event event, final ShardContext context)
    {
        final int type = operators.lateOutputType();
        if (type >= 0)
        {
            context.emit(type, event.key(), event.buffer(), event.offset(), event.length());
        }
    }

    /**
     * Writes the rule's own state, after the operators'. Nothing by default.
     */
    protected void writeState(final SnapshotWriter out) throws IOException
    {
    }

    /**
     * Reads what {@link #writeState} wrote, on a fresh rule.
     */
    protected void readState(final SnapshotReader in)
    {
    }

    /**
     * Whether an event time is late for the event being handled: at or below its source's watermark minus the allowed
     * lateness. If so it is reported (once per event: counted, {@link #onLate}). Operators' {@code add}s call it; a rule
     * calls it for an event it does not add to a window. False outside {@link #handle}.
     */
    public final boolean isLate(final long eventTime)
    {
        final Event current = event;
        if (current == null)
        {
            return false;
        }
        final long sourceWatermark = current.sourceWatermark();
        final long lateness = operators.allowedLatenessMs();
        if (sourceWatermark < Long.MIN_VALUE + lateness || sourceWatermark == Long.MIN_VALUE || eventTime > sourceWatermark - lateness)
        {
            return false;
        }
        reportLate();
        return true;
    }

    /**
     * @return the context of the callback running (for the operators' listeners).
     */
    final ShardContext context()
    {
        return context;
    }

    final void reportLate()
    {
        if (!lateReported && event != null)
        {
            lateReported = true;
            context.late();
            onLate(event, context);
        }
    }

    @Override
    public final void onEvent(final Event event, final ShardContext context) throws Exception
    {
        begin(event, context);
        try
        {
            handle(event, context);
        }
        finally
        {
            end();
        }
    }

    @Override
    public final void onControl(final Event control, final ShardContext context) throws Exception
    {
        begin(null, context);
        try
        {
            control(control, context);
        }
        finally
        {
            end();
        }
    }

    @Override
    public final void onWatermark(final long watermark, final ShardContext context) throws Exception
    {
        begin(null, context);
        try
        {
            operators.close(watermark);
            watermark(watermark, context);
        }
        finally
        {
            end();
        }
    }

    @Override
    public final void onTick(final long tickTimeMs, final ShardContext context) throws Exception
    {
        begin(null, context);
        try
        {
            processingTimeMs = Math.max(processingTimeMs, tickTimeMs);
            operators.closeProcessingTime(processingTimeMs);
            tick(processingTimeMs, context);
        }
        finally
        {
            end();
        }
    }

    @Override
    public boolean hasDueWork()
    {
        operators.build();
        return operators.hasDue();
    }

    @Override
    public final void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        operators.build();
        out.writeLong(SNAPSHOT_FORMAT);
        out.writeLong(processingTimeMs);
        operators.writeSnapshot(out);
        writeState(out);
    }

    @Override
    public final void readSnapshot(final SnapshotReader in)
    {
        operators.build();
        final long format = in.readLong();
        if (format == SNAPSHOT_FORMAT)
        {
            processingTimeMs = in.readLong();
        }
        final String mismatch = format != SNAPSHOT_FORMAT ? "its format is " + Long.toHexString(format) : operators.readSnapshot(in);
        if (mismatch != null)
        {
            throw new SnapshotCorruptedException("not a snapshot of this rule's operators: " + mismatch +
                " (a snapshot of other rules, or of an older version of these)");
        }
        readState(in);
    }

    /**
     * Frees the operators' off-heap state; overriders call it.
     */
    @Override
    public void onClose() throws Exception
    {
        operators.free();
    }

    private void begin(final Event event, final ShardContext context)
    {
        if (!operators.built())
        {
            operators.build();
        }
        this.event = event;
        this.context = context;
        this.lateReported = false;
    }

    private void end()
    {
        operators.release();
        event = null;
    }
}
