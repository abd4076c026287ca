package io.ringside.perf.fraud;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Dedup;
import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fraud-velocity workload (shared/workload.md) written on the engine's operators, as an embedder would
 * write it: one instance per shard. State is off-heap in Chronicle Map: event ids in {@link Dedup}; each card's
 * windows in ONE {@link KeyedWindows} entry: tumbling (count, sum; VELOCITY and AMOUNT as at-most-once window
 * flags), hopping (count, sum), sessions (count, sum, distinct countries), and 24 bytes of its own for the card's
 * previous accepted event (for COUNTRY). So an accepted event is two map accesses: the dedup check and the card's
 * entry. Lateness is judged against the event's source watermark; windows close in {@link #onWatermark}, one visit
 * per card due, {@value #CLOSE_SLICE_KEYS} cards (or hopping-pane merge units) at most per slot (the engine calls again
 * while {@link #hasDueWork()}): small enough that an event and its slice cost less than 10 us, so that at 100,000 events/s
 * the minute boundary's closing never builds a queue (8 did: p99 25 ms in the latency harness), large enough to finish
 * a minute's closing well within the next minute at the engine's full rate. Outputs go out as
 * {@link FraudVelocityShard} sends them: type = kind number, key = first field, payload = the fields.
 * <p>
 * A card's previous event goes with its entry when its last window closes: by then its session has closed, so
 * any accepted event is more than 30 s after it and could not raise COUNTRY.
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
    /**
     * Keys closed at most per slot the shard sees: a minute boundary's million due cards are closed this many between
     * events (a few µs a slot), never in one stall.
     */
    static final int CLOSE_SLICE_KEYS = 4;
    /**
     * What the demo records as its handlers (EngineContext.handlersId): the rules of workload.md, whose outputs the
     * on-heap FraudVelocityShard gives too. Change it when a rule changes.
     */
    public static final String HANDLERS_ID = "fraud-velocity/1";
    private static final int VELOCITY_FLAG = 0;
    private static final int AMOUNT_FLAG = 1;
    private static final int PREVIOUS_TIME = 0;
    private static final int PREVIOUS_COUNTRY = 8;
    private static final int PREVIOUS_SEEN = 16;

    private final Dedup dedup;
    private final KeyedWindows cards;
    private final KeyedWindows.Tumbling tumbling;
    private final KeyedWindows.Hopping hopping;
    private final KeyedWindows.Sessions sessions;
    private final int previous;
    private final ChecksumReport report;
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
        this(shard, expectedCards, idsPerMinute, new ChecksumReport());
    }

    /**
     * @param report where every output is counted (a v2 pipeline's, of fourteen kinds, when this is its v1 part).
     */
    FraudVelocityPipeline(final int shard, final long expectedCards, final long idsPerMinute, final ChecksumReport report)
    {
        this.report = report;
        dedup = new Dedup("dedup-" + shard, DEDUP_TTL_MS, 60_000, idsPerMinute);
        final KeyedWindows.Builder builder = KeyedWindows.builder("cards-" + shard, ALLOWED_LATENESS_MS, expectedCards)
            .closeSlice(CLOSE_SLICE_KEYS);
        tumbling = builder.tumbling(TUMBLING_MS, 3, tumblingClosed, Aggregates.count(), Aggregates.sum());
        hopping = builder.hopping(HOPPING_MS, HOPPING_ADVANCE_MS, 3, hoppingClosed, Aggregates.count(), Aggregates.sum());
        sessions = builder.sessions(SESSION_GAP_MS, 4, sessionClosed, Aggregates.count(), Aggregates.sum(), Aggregates.distinct(199));
        previous = builder.bytes(24);
        cards = builder.build();
    }

    /**
     * Sized as the demo sizes each shard's pipeline for a workload (shared/workload.md) of {@code events} events over
     * {@code cards} cards: state for its share of the cards, and a dedup bucket for its share of a minute of event
     * time's ids (the workload emits 600,000 a minute, fewer when it is shorter than a minute).
     */
    public static FraudVelocityPipeline forWorkload(final int shard, final int shards, final long events, final long cards)
    {
        return new FraudVelocityPipeline(shard, Math.min(1 << 30, cards / shards + 1024),
            Math.max(1_024, Math.min(events, 600_000) / shards + 1_024));
    }

    @Override
    public void onEvent(final Event event, final ShardContext context)
    {
        final DirectBuffer buffer = event.buffer();
        final int offset = event.offset();
        final long eventId = FraudEvent.eventId(buffer, offset);
        final long time = FraudEvent.eventTimeMs(buffer, offset);
        if (admit(eventId, time, event.sourceWatermark(), context))
        {
            addToWindows(eventId, FraudEvent.cardId(buffer, offset), FraudEvent.amountCents(buffer, offset), time,
                FraudEvent.country(buffer, offset), context);
        }
    }

    /**
     * Rules 1 and 2 (dedup, then lateness against the event's source's watermark), for an event of any type.
     *
     * @return true if the event is neither a duplicate nor late (DUPLICATE or LATE emitted otherwise).
     */
    boolean admit(final long eventId, final long time, final long sourceWatermark, final ShardContext context)
    {
        this.context = context;
        if (dedup.isDuplicate(eventId, time))
        {
            emit(OutputKind.DUPLICATE, eventId);
            return false;
        }
        if (sourceWatermark != Long.MIN_VALUE && sourceWatermark >= Long.MIN_VALUE + ALLOWED_LATENESS_MS &&
            time <= sourceWatermark - ALLOWED_LATENESS_MS)
        {
            emit(OutputKind.LATE, eventId);
            return false;
        }
        return true;
    }

    /**
     * Rules 3 and 4 for an admitted event (v2: an admitted TXN): the card's windows, VELOCITY, AMOUNT and COUNTRY.
     */
    void addToWindows(final long eventId, final long cardId, final long amountCents, final long time, final int country,
        final ShardContext context)
    {
        this.context = context;
        amount[1] = amountCents;
        session[1] = amountCents;
        session[2] = country;
        final MutableDirectBuffer card = cards.acquire(cardId);
        try
        {
            final Window window = tumbling.add(time, amount);
            if (window == null || !hopping.add(time, amount) || !sessions.add(time, session))
            {
                // cannot happen: an event not late against its source's watermark finds its windows open
                throw new IllegalStateException("event " + eventId + " at " + time + " fell in a closed window of card " + cardId);
            }
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
            if (card.getLong(previous + PREVIOUS_SEEN) != 0 && card.getLong(previous + PREVIOUS_COUNTRY) != country &&
                Math.abs(card.getLong(previous + PREVIOUS_TIME) - time) <= SESSION_GAP_MS)
            {
                emit(OutputKind.COUNTRY, cardId, eventId);
            }
            card.putLong(previous + PREVIOUS_TIME, time);
            card.putLong(previous + PREVIOUS_COUNTRY, country);
            card.putLong(previous + PREVIOUS_SEEN, 1);
        }
        finally
        {
            cards.release();
        }
    }

    @Override
    public void onWatermark(final long watermark, final ShardContext context)
    {
        this.context = context;
        cards.close(watermark);
        dedup.expire(watermark);
    }

    @Override
    public long prefetchEarly(final Event event)
    {
        final DirectBuffer buffer = event.buffer();
        final int offset = event.offset();
        return cards.prefetchIndex(FraudEvent.cardId(buffer, offset)) +
            dedup.prefetch(FraudEvent.eventId(buffer, offset), FraudEvent.eventTimeMs(buffer, offset));
    }

    @Override
    public long prefetch(final Event event)
    {
        return cards.prefetch(FraudEvent.cardId(event.buffer(), event.offset()));
    }

    @Override
    public boolean hasDueWork()
    {
        return cards.hasDue();
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
        fields[2] = KeyedWindows.Sessions.last(window);
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
        cards.writeSnapshot(out);
        report.writeSnapshot(out);
    }

    @Override
    public void readSnapshot(final SnapshotReader in)
    {
        dedup.readSnapshot(in);
        cards.readSnapshot(in);
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
        cards.close();
    }
}
