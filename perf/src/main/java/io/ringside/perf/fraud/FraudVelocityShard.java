package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.Event;
import io.ringside.engine.EventTimeExtractor;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fraud-velocity workload run inside the engine: one per shard, on that shard's thread. The rules are
 * {@link PlainJavaFraudVelocity}'s, driven by the engine's event time: each event's lateness is judged against
 * its source's watermark ({@link Event#sourceWatermark()}), and windows close when the engine's global watermark
 * moves ({@link #onWatermark}), at the same point of the stream for every shard. Every output record goes to
 * this shard's {@link ChecksumReport} and out of the engine as an output whose type is the kind's number, whose
 * key is its first field (the card, or the event id) and whose payload is its fields, little-endian int64s.
 * <p>
 * Its state is on-heap (PlainJavaFraudVelocity's collections) and not snapshotted: it is what {@code ./ringside demo
 * --state heap} runs, beside the default {@link FraudVelocityPipeline} on the engine's off-heap operators, to tell the
 * cost of the state from the cost of the engine. {@link #snapshotted} makes one that is (the consumer group's
 * partitions, whose snapshots are published for the next owner).
 */
public class FraudVelocityShard implements ShardHandler, OutputRecordSink
{
    /** Reads a {@link FraudEvent}'s event time. */
    public static final EventTimeExtractor EVENT_TIME = (buffer, offset, length) -> FraudEvent.eventTimeMs(buffer, offset);
    /** Bounded out-of-orderness of workload.md, rule 5: W = max(W, eventTimeMs - 2,000). */
    public static final long MAX_OUT_OF_ORDERNESS_MS = 2_000;

    private final PlainJavaFraudVelocity rules;
    private final ChecksumReport report = new ChecksumReport();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[FraudOutput.MAX_LENGTH]);
    private ShardContext context;

    /**
     * @param expectedCards about how many cards this shard holds open windows for at once.
     * @param expectedIds   about how many event ids this shard remembers at once (ten minutes of its events).
     */
    public FraudVelocityShard(final int expectedCards, final int expectedIds)
    {
        this.rules = new PlainJavaFraudVelocity(this, expectedCards, expectedIds);
    }

    /**
     * @return a shard whose whole state (the rules' tables and the checksum report) goes into the engine's snapshots, so
     * that an engine can start from one ({@code EngineContext.seedSnapshot}).
     */
    public static FraudVelocityShard snapshotted(final int expectedCards, final int expectedIds)
    {
        return new Snapshotted(expectedCards, expectedIds);
    }

    private static final class Snapshotted extends FraudVelocityShard implements Snapshottable
    {
        Snapshotted(final int expectedCards, final int expectedIds)
        {
            super(expectedCards, expectedIds);
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws IOException
        {
            rules().writeSnapshot(out);
            report().writeSnapshot(out);
        }

        @Override
        public void readSnapshot(final SnapshotReader in)
        {
            rules().readSnapshot(in);
            report().readSnapshot(in);
        }
    }

    PlainJavaFraudVelocity rules()
    {
        return rules;
    }

    @Override
    public void onEvent(final Event event, final ShardContext context)
    {
        this.context = context;
        try
        {
            final DirectBuffer buffer = event.buffer();
            final int offset = event.offset();
            rules.onEvent(
                FraudEvent.eventId(buffer, offset),
                FraudEvent.cardId(buffer, offset),
                FraudEvent.amountCents(buffer, offset),
                FraudEvent.eventTimeMs(buffer, offset),
                FraudEvent.country(buffer, offset),
                event.sourceWatermark());
        }
        finally
        {
            this.context = null;
        }
    }

    @Override
    public void onWatermark(final long watermark, final ShardContext context)
    {
        this.context = context;
        try
        {
            rules.onWatermark(watermark);
        }
        finally
        {
            this.context = null;
        }
    }

    @Override
    public void onOutput(final OutputKind kind, final long[] fields)
    {
        report.onOutput(kind, fields);
        emit(context, kind, fields, out);
    }

    /**
     * Sends an output record out of the engine: type = the kind's number, key = its first field, payload = its
     * fields as {@link FraudOutput} lays them out, written in {@code scratch}. A LATE output also counts the event in
     * the engine's late counter.
     */
    static void emit(final ShardContext context, final OutputKind kind, final long[] fields, final MutableDirectBuffer scratch)
    {
        if (kind == OutputKind.LATE)
        {
            context.late();
        }
        context.emit(kind.number(), fields[0], scratch, 0, FraudOutput.write(kind, fields, scratch, 0));
    }

    /**
     * @return this shard's counts and checksums. Read it once the engine is closed.
     */
    public ChecksumReport report()
    {
        return report;
    }
}
