package io.ringside.perf.fraud;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Dedup;
import io.ringside.engine.state.HoppingWindows;
import io.ringside.engine.state.KeyedStore;
import io.ringside.engine.state.SessionWindows;
import io.ringside.engine.state.TumblingWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fraud-velocity workload (shared/workload.md) written on the engine's operators, as an embedder would
 * write it: one instance per shard. State is off-heap in Chronicle Map: event ids in {@link Dedup}, windows in
 * {@link TumblingWindows} (count, sum; VELOCITY and AMOUNT as at-most-once window flags),
 * {@link HoppingWindows} (count, sum) and {@link SessionWindows} (count, sum, distinct countries), and each
 * card's previous accepted event (for COUNTRY) in a {@link KeyedStore}. Lateness is judged against the event's
 * source watermark; windows close in {@link #onWatermark}. Outputs go out as {@link FraudVelocityShard} sends them:
 * type = kind number, key = first field, payload = the fields.
 */
public final class FraudVelocityPipeline implements ShardHandler, Snapshottable, AutoCloseable
{
    static final long ALLOWED_LATENESS_MS = 5_000;
    static final long TUMBLING_MS = 60_000;
    static final long HOPPING_MS = 300_000;
    static final long HOPPING_ADVANCE_MS = 60_000;
    static final long SESSION_GAP_MS = 30_000;
    static final long DEDUP_TTL_MS = 600_000;
    static final long VELOCITY_MAX_COUNT = 20;
    static final long AMOUNT_MAX_CENTS = 500_000;
    private static final int VELOCITY_FLAG = 0;
    private static final int AMOUNT_FLAG = 1;
    private static final int COUNTRY_ENTRY = 24;

    private final Dedup dedup;
    private final TumblingWindows tumbling;
    private final HoppingWindows hopping;
    private final SessionWindows sessions;
    private final KeyedStore previous;
    private final ChecksumReport report = new ChecksumReport();
    private final long[] fields = new long[OutputKind.MAX_FIELDS];
    private final long[] amount = new long[2];
    private final long[] session = new long[3];
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[8 * OutputKind.MAX_FIELDS]);
    private final WindowListener tumblingClosed = this::onTumblingClosed;
    private final WindowListener hoppingClosed = this::onHoppingClosed;
    private final WindowListener sessionClosed = this::onSessionClosed;
    private ShardContext context;

    /**
     * @param expectedCards cards this shard holds state for at once.
     * @param idsPerMinute  event ids this shard sees per minute of event time (sizes a dedup bucket).
     */
    public FraudVelocityPipeline(final int shard, final long expectedCards, final long idsPerMinute)
    {
        dedup = new Dedup("dedup-" + shard, DEDUP_TTL_MS, 60_000, idsPerMinute);
        tumbling = new TumblingWindows("tumbling-" + shard, TUMBLING_MS, ALLOWED_LATENESS_MS, 3, expectedCards,
            Aggregates.count(), Aggregates.sum());
        hopping = new HoppingWindows("hopping-" + shard, HOPPING_MS, HOPPING_ADVANCE_MS, ALLOWED_LATENESS_MS, 7, expectedCards,
            Aggregates.count(), Aggregates.sum());
        sessions = new SessionWindows("session-" + shard, SESSION_GAP_MS, ALLOWED_LATENESS_MS, 4, expectedCards,
            Aggregates.count(), Aggregates.sum(), Aggregates.distinct(199));
        previous = new KeyedStore("previous-" + shard, expectedCards, COUNTRY_ENTRY);
    }

    @Override
    public void onEvent(final Event event, final ShardContext context)
    {
        this.context = context;
        final DirectBuffer buffer = event.buffer();
        final int offset = event.offset();
        final long eventId = FraudEvent.eventId(buffer, offset);
        final long cardId = FraudEvent.cardId(buffer, offset);
        final long amountCents = FraudEvent.amountCents(buffer, offset);
        final long time = FraudEvent.eventTimeMs(buffer, offset);
        final int country = FraudEvent.country(buffer, offset);

        if (dedup.isDuplicate(eventId, time))
        {
            emit(OutputKind.DUPLICATE, eventId);
            return;
        }
        final long sourceWatermark = event.sourceWatermark();
        if (sourceWatermark != Long.MIN_VALUE && sourceWatermark >= Long.MIN_VALUE + ALLOWED_LATENESS_MS &&
            time <= sourceWatermark - ALLOWED_LATENESS_MS)
        {
            emit(OutputKind.LATE, eventId);
            return;
        }

        amount[1] = amountCents;
        final Window window = tumbling.add(cardId, time, amount);
        try
        {
            if (window.result(0) > VELOCITY_MAX_COUNT && !window.flag(VELOCITY_FLAG))
            {
                window.setFlag(VELOCITY_FLAG);
                emit(OutputKind.VELOCITY, cardId, eventId, window.start());
            }
            if (window.result(1) > AMOUNT_MAX_CENTS && !window.flag(AMOUNT_FLAG))
            {
                window.setFlag(AMOUNT_FLAG);
                emit(OutputKind.AMOUNT, cardId, eventId, window.start());
            }
        }
        finally
        {
            tumbling.release();
        }
        hopping.add(cardId, time, amount);
        session[1] = amountCents;
        session[2] = country;
        sessions.add(cardId, time, session);

        final MutableDirectBuffer last = previous.acquire(cardId);
        try
        {
            if (last.getLong(16) != 0 && last.getLong(8) != country && Math.abs(last.getLong(0) - time) <= SESSION_GAP_MS)
            {
                emit(OutputKind.COUNTRY, cardId, eventId);
            }
            last.putLong(0, time);
            last.putLong(8, country);
            last.putLong(16, 1);
        }
        finally
        {
            previous.release();
        }
    }

    @Override
    public void onWatermark(final long watermark, final ShardContext context)
    {
        this.context = context;
        tumbling.close(watermark, tumblingClosed);
        hopping.close(watermark, hoppingClosed);
        sessions.close(watermark, sessionClosed);
        dedup.expire(watermark);
    }

    private void onTumblingClosed(final long cardId, final Window window)
    {
        emit(OutputKind.TUMBLING, cardId, window.start(), window.end(), window.result(0), window.result(1));
    }

    private void onHoppingClosed(final long cardId, final Window window)
    {
        emit(OutputKind.HOPPING, cardId, window.start(), window.end(), window.result(0), window.result(1));
    }

    private void onSessionClosed(final long cardId, final Window window)
    {
        fields[0] = cardId;
        fields[1] = window.start();
        fields[2] = SessionWindows.last(window);
        fields[3] = window.result(0);
        fields[4] = window.result(1);
        fields[5] = window.result(2);
        send(OutputKind.SESSION);
    }

    private void emit(final OutputKind kind, final long f0)
    {
        fields[0] = f0;
        send(kind);
    }

    private void emit(final OutputKind kind, final long f0, final long f1)
    {
        fields[0] = f0;
        fields[1] = f1;
        send(kind);
    }

    private void emit(final OutputKind kind, final long f0, final long f1, final long f2)
    {
        fields[0] = f0;
        fields[1] = f1;
        fields[2] = f2;
        send(kind);
    }

    private void emit(final OutputKind kind, final long f0, final long f1, final long f2, final long f3, final long f4)
    {
        fields[0] = f0;
        fields[1] = f1;
        fields[2] = f2;
        fields[3] = f3;
        fields[4] = f4;
        send(kind);
    }

    private void send(final OutputKind kind)
    {
        report.onOutput(kind, fields);
        FraudVelocityShard.emit(context, kind, fields, out);
    }

    @Override
    public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        dedup.writeSnapshot(out);
        tumbling.writeSnapshot(out);
        hopping.writeSnapshot(out);
        sessions.writeSnapshot(out);
        previous.writeSnapshot(out);
        report.writeSnapshot(out);
    }

    @Override
    public void readSnapshot(final SnapshotReader in)
    {
        dedup.readSnapshot(in);
        tumbling.readSnapshot(in);
        hopping.readSnapshot(in);
        sessions.readSnapshot(in);
        previous.readSnapshot(in);
        report.readSnapshot(in);
    }

    /**
     * @return this shard's counts and checksums; read it once the engine is closed.
     */
    public ChecksumReport report()
    {
        return report;
    }

    @Override
    public void close()
    {
        dedup.close();
        tumbling.close();
        hopping.close();
        sessions.close();
        previous.close();
    }
}
