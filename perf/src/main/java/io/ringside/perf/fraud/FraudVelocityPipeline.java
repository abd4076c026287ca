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

/**
 * The fraud-velocity workload (README, "The fraud workloads") as a {@link Rule}, one instance per shard: event ids in
 * {@link SeenIds}; each card's windows in ONE entry of a {@link KeyGroup}: tumbling (count, sum; VELOCITY and AMOUNT
 * at most once per window), hopping (count, sum) whose panes are the tumbling windows (so an event updates one window
 * for both, and the hopping takes no bytes of the entry), sessions (count, sum, distinct countries), and three words of its
 * own for the card's previous accepted event (for COUNTRY). So an accepted event is two map accesses: the dedup check
 * and the card's entry. The rule judges lateness against the event's source watermark (LATE) and closes the windows
 * as the watermark moves, {@value #CLOSE_SLICE_KEYS} cards (or hopping-pane merge units) at most per slot: small enough
 * that an event and its slice cost less than 10 us, so that at 100,000 events/s the minute boundary's closing never
 * builds a queue, large enough to finish a minute's closing well within the next minute. Outputs are
 * {@link FraudOutput} flyweights: type = kind number, key = first field, payload = the fields.
 * <p>
 * A card's previous event goes with its entry when its last window closes: by then its session has closed, so any
 * accepted event is more than 30 s after it and could not raise COUNTRY.
 */
public final class FraudVelocityPipeline extends Rule implements AutoCloseable
{
    static final long ALLOWED_LATENESS_MS = 5_000;
    static final long TUMBLING_MS = 60_000;
    static final long HOPPING_MS = 300_000;
    static final long SESSION_GAP_MS = 30_000;
    static final long DEDUP_TTL_MS = 600_000;
    static final long VELOCITY_MAX_COUNT = 20;
    static final long AMOUNT_MAX_CENTS = 500_000;
    /** Keys closed at most per slot the shard sees: a minute boundary's million due cards, this many between events. */
    static final int CLOSE_SLICE_KEYS = 4;
    /**
     * Open sessions per card at most. Accepted events lie within 7 s of the newest (2 s out of order, 5 s of lateness),
     * so a card has at most two sessions not yet due: a new one starts 30 s or more after the previous one's last event,
     * which is due 37 s after it. The third slot holds a due session until its visit, which may come up to 53 s of event
     * time later; sliced closing takes about 15 s to get through a minute boundary's cards. More slots would cost a cache
     * line of every card's entry.
     */
    static final int SESSION_SLOTS = 3;
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
    private final FraudOutput.WindowTotals windowTotals = new FraudOutput.WindowTotals().wrapNew();
    private final FraudOutput.SessionTotals sessionTotals = new FraudOutput.SessionTotals().wrapNew();
    private final FraudOutput.WindowAlert alert = new FraudOutput.WindowAlert().wrapNew();
    private final FraudOutput.CountryChange countryChange = new FraudOutput.CountryChange().wrapNew();
    private final FraudOutput.EventRef eventRef = new FraudOutput.EventRef().wrapNew();
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
        // the hopping panes are the tumbling windows (60 s, count and sum, closing together): shared, not kept twice
        hopping = cards.hopping(HOPPING_MS, tumbling, this::onHoppingClosed);
        sessions = cards.sessions(SESSION_GAP_MS, SESSION_SLOTS, this::onSessionClosed, Aggregates.count(), Aggregates.sum(),
            Aggregates.distinct(199));
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
            send(context, OutputKind.DUPLICATE, eventRef.eventId(eventId));
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
        if (!tumbling.add(cardId, time, 0, amountCents) || !sessions.add(cardId, time, 0, amountCents, country))
        {
            // cannot happen: an event not late against its source's watermark finds its windows open
            throw new IllegalStateException("event " + eventId + " at " + time + " fell in a closed window of card " + cardId);
        }
        final Window window = tumbling.window();
        if (window.result(0) > VELOCITY_MAX_COUNT && tumbling.once(VELOCITY_FLAG))
        {
            send(context, OutputKind.VELOCITY, alert.cardId(cardId).eventId(eventId).windowStart(window.start()));
        }
        if (window.result(1) > AMOUNT_MAX_CENTS && tumbling.once(AMOUNT_FLAG))
        {
            send(context, OutputKind.AMOUNT, alert.cardId(cardId).eventId(eventId).windowStart(window.start()));
        }
        if (previous.get(cardId, PREVIOUS_SEEN) != 0 && previous.get(cardId, PREVIOUS_COUNTRY) != country &&
            Math.abs(previous.get(cardId, PREVIOUS_TIME) - time) <= SESSION_GAP_MS)
        {
            send(context, OutputKind.COUNTRY, countryChange.cardId(cardId).eventId(eventId));
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
        send(context, OutputKind.LATE, eventRef.eventId(FraudEvent.eventId(event.buffer(), event.offset())));   // counted by the rule
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
        send(context, OutputKind.TUMBLING, windowTotals.of(cardId, window));
    }

    private void onHoppingClosed(final long cardId, final Window window, final ShardContext context)
    {
        send(context, OutputKind.HOPPING, windowTotals.of(cardId, window));
    }

    private void onSessionClosed(final long cardId, final Window window, final ShardContext context)
    {
        send(context, OutputKind.SESSION, sessionTotals.cardId(cardId).firstMs(window.start()).lastMs(Sessions.last(window))
            .count(window.result(0)).sumCents(window.result(1)).countries(window.result(2)));
    }

    /**
     * Counts the output in the report and emits it: type = the kind's number, key = its first field.
     */
    private void send(final ShardContext context, final OutputKind kind, final FraudOutput<?> output)
    {
        report.onOutput(kind, output);
        output.emit(context, kind);
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
