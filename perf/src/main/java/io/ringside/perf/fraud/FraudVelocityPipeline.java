package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.rule.Hopping;
import io.ringside.engine.rule.KeyBytes;
import io.ringside.engine.rule.KeyGroup;
import io.ringside.engine.rule.Rule;
import io.ringside.engine.rule.SeenIds;
import io.ringside.engine.rule.Sessions;
import io.ringside.engine.rule.Tumbling;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Window;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fraud-velocity workload (README, "The fraud workloads") as a {@link Rule}, one instance per shard: event ids in
 * {@link SeenIds}; each card's windows in ONE entry of a {@link KeyGroup}: tumbling (count, sum; VELOCITY and AMOUNT
 * at most once per window), hopping (count, sum), sessions (count, sum, distinct countries), and three words of its
 * own for the card's previous accepted event (for COUNTRY). So an accepted event is two map accesses: the dedup check
 * and the card's entry. The rule judges lateness against the event's source watermark (LATE) and closes the windows
 * as the watermark moves, {@value #CLOSE_SLICE_KEYS} cards (or hopping-pane merge units) at most per slot: small enough
 * that an event and its slice cost less than 10 us, so that at 100,000 events/s the minute boundary's closing never
 * builds a queue, large enough to finish a minute's closing well within the next minute. Outputs go out as
 * {@link FraudVelocityShard} sends them: type = kind number, key = first field, payload = the fields.
 * <p>
 * A card's previous event goes with its entry when its last window closes: by then its session has closed, so any
 * accepted event is more than 30 s after it and could not raise COUNTRY.
 */
public final class FraudVelocityPipeline extends Rule implements AutoCloseable
{
    static final long ALLOWED_LATENESS_MS = 5_000;
    static final long TUMBLING_MS = 60_000;
    static final long HOPPING_MS = 300_000;
    static final long HOPPING_ADVANCE_MS = 60_000;
    static final long SESSION_GAP_MS = 30_000;
    static final long DEDUP_TTL_MS = 600_000;
    static final long VELOCITY_MAX_COUNT = 20;
    static final long AMOUNT_MAX_CENTS = 500_000;
    /** Keys closed at most per slot the shard sees: a minute boundary's million due cards, this many between events. */
    static final int CLOSE_SLICE_KEYS = 4;
    /**
     * What the demo records as its handlers (EngineContext.handlersId): the rules of the workload, whose outputs the
     * on-heap FraudVelocityShard gives too. Change it when a rule changes.
     */
    public static final String HANDLERS_ID = "fraud-velocity/1";
    private static final int VELOCITY_FLAG = 0;
    private static final int AMOUNT_FLAG = 1;
    private static final int PREVIOUS_TIME = 0;
    private static final int PREVIOUS_COUNTRY = 1;
    private static final int PREVIOUS_SEEN = 2;

    private final SeenIds seen;
    private final KeyGroup cards;
    private final Tumbling tumbling;
    private final Hopping hopping;
    private final Sessions sessions;
    private final KeyBytes previous;
    private final ChecksumReport report;
    private final FraudEvent fraud = new FraudEvent();
    private final long[] fields = new long[OutputKind.MAX_FIELDS];
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[8 * OutputKind.MAX_FIELDS]);
    private boolean admitted;

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
        super("fraud-" + shard, ALLOWED_LATENESS_MS);
        this.report = report;
        seen = operators().seenIds("dedup", DEDUP_TTL_MS, 60_000, idsPerMinute);
        cards = operators().group("cards", expectedCards).closeSlice(CLOSE_SLICE_KEYS);
        tumbling = cards.tumbling(TUMBLING_MS, 3, this::onTumblingClosed, Aggregates.count(), Aggregates.sum());
        hopping = cards.hopping(HOPPING_MS, HOPPING_ADVANCE_MS, 3, this::onHoppingClosed, Aggregates.count(), Aggregates.sum());
        sessions = cards.sessions(SESSION_GAP_MS, 4, this::onSessionClosed, Aggregates.count(), Aggregates.sum(), Aggregates.distinct(199));
        previous = cards.words(3);
        operators().build();   // the state made (and faulted in) as the engine starts, not at the first event
    }

    /**
     * Sized as the demo sizes each shard's pipeline for a workload of {@code events} events over {@code cards} cards:
     * state for its share of the cards, and a dedup bucket for its share of a minute of event time's ids (the workload
     * emits 600,000 a minute, fewer when it is shorter than a minute).
     */
    public static FraudVelocityPipeline forWorkload(final int shard, final int shards, final long events, final long cards)
    {
        return new FraudVelocityPipeline(shard, Math.min(1 << 30, cards / shards + 1024),
            Math.max(1_024, Math.min(events, 600_000) / shards + 1_024));
    }

    /**
     * Rules 1 and 2 for an event of any type: a DUPLICATE, a LATE (the rule reports it: {@link #onLate}), or admitted
     * ({@link #admitted()}); then rules 3 and 4 for an admitted TXN (every v1 event): the card's windows, VELOCITY,
     * AMOUNT and COUNTRY.
     */
    @Override
    protected void handle(final Event event, final ShardContext context)
    {
        fraud.wrap(event);
        final long eventId = fraud.eventId();
        final long time = fraud.eventTimeMs();
        admitted = false;
        if (!seen.add(eventId, time))
        {
            send(context, OutputKind.DUPLICATE, eventId);
            return;
        }
        if (isLate(time))
        {
            return;
        }
        admitted = true;
        if (fraud.flags() != FraudV2Event.TXN)
        {
            return;
        }
        final long cardId = fraud.cardId();
        final long amountCents = fraud.amountCents();
        final int country = fraud.country();
        if (!tumbling.add(cardId, time, 0, amountCents) || !hopping.add(cardId, time, 0, amountCents) ||
            !sessions.add(cardId, time, 0, amountCents, country))
        {
            // cannot happen: an event not late against its source's watermark finds its windows open
            throw new IllegalStateException("event " + eventId + " at " + time + " fell in a closed window of card " + cardId);
        }
        final Window window = tumbling.window();
        if (window.result(0) > VELOCITY_MAX_COUNT && tumbling.once(VELOCITY_FLAG))
        {
            send(context, OutputKind.VELOCITY, cardId, eventId, window.start());
        }
        if (window.result(1) > AMOUNT_MAX_CENTS && tumbling.once(AMOUNT_FLAG))
        {
            send(context, OutputKind.AMOUNT, cardId, eventId, window.start());
        }
        if (previous.get(cardId, PREVIOUS_SEEN) != 0 && previous.get(cardId, PREVIOUS_COUNTRY) != country &&
            Math.abs(previous.get(cardId, PREVIOUS_TIME) - time) <= SESSION_GAP_MS)
        {
            send(context, OutputKind.COUNTRY, cardId, eventId);
        }
        previous.put(cardId, PREVIOUS_TIME, time);
        previous.put(cardId, PREVIOUS_COUNTRY, country);
        previous.put(cardId, PREVIOUS_SEEN, 1);
    }

    /**
     * @return whether the event just handled was neither a duplicate nor late (for v2's rules after v1's).
     */
    boolean admitted()
    {
        return admitted;
    }

    @Override
    protected void onLate(final Event event, final ShardContext context)
    {
        fields[0] = FraudEvent.eventId(event.buffer(), event.offset());
        report.onOutput(OutputKind.LATE, fields);
        FraudVelocityShard.emitOnly(context, OutputKind.LATE, fields, out);   // the rule has counted it late
    }

    @Override
    public long prefetchEarly(final Event event)
    {
        fraud.wrap(event);
        return cards.prefetchIndex(fraud.cardId()) + seen.prefetch(fraud.eventId(), fraud.eventTimeMs());
    }

    @Override
    public long prefetch(final Event event)
    {
        fraud.wrap(event);
        return cards.prefetch(fraud.cardId());
    }

    private void onTumblingClosed(final long cardId, final Window window, final ShardContext context)
    {
        send(context, OutputKind.TUMBLING, cardId, window.start(), window.end(), window.result(0), window.result(1));
    }

    private void onHoppingClosed(final long cardId, final Window window, final ShardContext context)
    {
        send(context, OutputKind.HOPPING, cardId, window.start(), window.end(), window.result(0), window.result(1));
    }

    private void onSessionClosed(final long cardId, final Window window, final ShardContext context)
    {
        fields[5] = window.result(2);
        send(context, OutputKind.SESSION, cardId, window.start(), Sessions.last(window), window.result(0), window.result(1));
    }

    private void send(final ShardContext context, final OutputKind kind, final long f0)
    {
        send(context, kind, f0, 0, 0, 0, 0);
    }

    private void send(final ShardContext context, final OutputKind kind, final long f0, final long f1)
    {
        send(context, kind, f0, f1, 0, 0, 0);
    }

    private void send(final ShardContext context, final OutputKind kind, final long f0, final long f1, final long f2)
    {
        send(context, kind, f0, f1, f2, 0, 0);
    }

    /**
     * Fields beyond the kind's count are not sent nor summed; a sixth (SESSION's) is set in fields[5] before.
     */
    private void send(final ShardContext context, final OutputKind kind, final long f0, final long f1, final long f2, final long f3,
        final long f4)
    {
        fields[0] = f0;
        fields[1] = f1;
        fields[2] = f2;
        fields[3] = f3;
        fields[4] = f4;
        report.onOutput(kind, fields);
        FraudVelocityShard.emit(context, kind, fields, out);
    }

    @Override
    protected void writeState(final SnapshotWriter out) throws IOException
    {
        report.writeSnapshot(out);
    }

    @Override
    protected void readState(final SnapshotReader in)
    {
        report.readSnapshot(in);
    }

    /**
     * @return this shard's counts and checksums; read it once the engine is closed.
     */
    public ChecksumReport report()
    {
        return report;
    }

    /**
     * Frees the operators (as the engine's {@link #onClose()} does; again does nothing).
     */
    @Override
    public void close()
    {
        try
        {
            onClose();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
