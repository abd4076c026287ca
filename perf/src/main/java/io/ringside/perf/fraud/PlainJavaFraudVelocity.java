package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.DirectBuffer;

import static io.ringside.perf.fraud.FraudVelocityRules.AMOUNT_MAX_CENTS;
import static io.ringside.perf.fraud.FraudVelocityRules.HOPPING_ADVANCE_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.HOPPING_SIZE_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.HOPPING_WINDOWS_PER_EVENT;
import static io.ringside.perf.fraud.FraudVelocityRules.TUMBLING_SIZE_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.VELOCITY_MAX_COUNT;

/**
 * The fraud-velocity workload (workload.md, v1) for one source, as plain single-threaded Java: the
 * performance baseline. No ring, no journal; primitive open-addressing maps and pooled window slots, windows
 * closed through per-end timer chains rather than a scan of the keys, so that the steady state allocates nothing
 * per event (the pools and maps only grow to their peak). Outputs go to one {@link OutputRecordSink}.
 * <p>
 * Memory holds about ten minutes of event ids ({@link DedupIndex}), the cards with open windows and their
 * windows.
 * <p>
 * Not thread-safe: one thread feeds events and receives the outputs.
 */
public final class PlainJavaFraudVelocity
{
    private static final int NONE = TimerIndex.NONE;
    private static final int ALL_HOPPING_FOUND = (1 << HOPPING_WINDOWS_PER_EVENT) - 1;

    private final OutputRecord out;
    private final DedupIndex dedup;
    private final CardTable cards;
    private final FixedWindowTable tumbling = new FixedWindowTable(TUMBLING_SIZE_MS);
    private final FixedWindowTable hopping = new FixedWindowTable(HOPPING_SIZE_MS);
    private final SessionTable sessions = new SessionTable();
    private long watermark = Long.MIN_VALUE;
    private boolean ended;

    public PlainJavaFraudVelocity(final OutputRecordSink sink)
    {
        this(sink, 1 << 10, 1 << 10);
    }

    /**
     * @param expectedCards about how many cards have open windows at once (sizes the card table up front).
     * @param expectedIds   about how many ids are remembered at once: about ten minutes of event time.
     */
    public PlainJavaFraudVelocity(final OutputRecordSink sink, final int expectedCards, final int expectedIds)
    {
        this.out = new OutputRecord(sink);
        this.cards = new CardTable(expectedCards);
        this.dedup = new DedupIndex(expectedIds);
    }

    /**
     * @return the watermark W: Long.MIN_VALUE before the first accepted event, Long.MAX_VALUE after
     * {@link #endOfInput()}.
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * Processes the {@link FraudEvent} at {@code offset}.
     */
    public void onEvent(final DirectBuffer buffer, final int offset)
    {
        onEvent(
            FraudEvent.eventId(buffer, offset),
            FraudEvent.cardId(buffer, offset),
            FraudEvent.amountCents(buffer, offset),
            FraudEvent.eventTimeMs(buffer, offset),
            FraudEvent.country(buffer, offset));
    }

    /**
     * Processes the next event in arrival order: rules 1 to 5.
     *
     * @throws IllegalArgumentException if the event time or country is out of the supported range.
     * @throws IllegalStateException    after {@link #endOfInput()}.
     */
    public void onEvent(final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country)
    {
        if (!accept(eventId, cardId, amountCents, eventTimeMs, country, watermark))
        {
            return;
        }
        advance(eventTimeMs);
    }

    /**
     * Rule 5 for an accepted event of one source: W = max(W, eventTimeMs - 2,000), closing what it passes.
     *
     * @return whether W moved.
     */
    boolean advance(final long eventTimeMs)
    {
        final long advanced = FraudVelocityRules.advance(watermark, eventTimeMs);
        if (advanced == watermark)
        {
            return false;
        }
        watermark = advanced;
        closeWindows(FraudVelocityRules.closeLimit(watermark));
        dedup.forget(watermark);
        return true;
    }

    /**
     * Rules 1 to 4 for an event whose watermark is driven from outside (an engine's shard, where the watermark is
     * global and moves through {@link #onWatermark(long)}): dedup against the last watermark given, lateness
     * against the event's own source's watermark.
     *
     * @param sourceWatermark the watermark of the event's source just before it (workload.md, "Several sources").
     */
    public void onEvent(
        final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country, final long sourceWatermark)
    {
        accept(eventId, cardId, amountCents, eventTimeMs, country, sourceWatermark);
    }

    /**
     * Rule 5 driven from outside: the (global) watermark moved; closes what it passed. {@link Long#MAX_VALUE} is the
     * end of input.
     */
    public void onWatermark(final long newWatermark)
    {
        if (newWatermark == Long.MAX_VALUE)
        {
            endOfInput();
        }
        else if (newWatermark > watermark)
        {
            watermark = newWatermark;
            closeWindows(FraudVelocityRules.closeLimit(watermark));
            dedup.forget(watermark);
        }
    }

    /**
     * Rules 1 to 4: dedup against the current watermark, lateness against {@code lateWatermark}, then windows and alerts.
     *
     * @return true if the event was accepted (neither duplicate nor late).
     */
    private boolean accept(
        final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country, final long lateWatermark)
    {
        if (!admit(eventId, eventTimeMs, country, lateWatermark))
        {
            return false;
        }
        addToWindows(eventId, cardId, amountCents, eventTimeMs, country);
        return true;
    }

    /**
     * Rules 1 and 2: dedup against the current watermark, lateness against {@code lateWatermark}.
     *
     * @return true if the event is neither a duplicate nor late (DUPLICATE or LATE emitted otherwise).
     */
    boolean admit(final long eventId, final long eventTimeMs, final int country, final long lateWatermark)
    {
        if (ended)
        {
            throw new IllegalStateException("endOfInput() has been called");
        }
        FraudVelocityRules.checkEvent(eventTimeMs, country);
        if (dedup.isRemembered(eventId, watermark))
        {
            out.emit(OutputKind.DUPLICATE, eventId);
            return false;
        }
        dedup.remember(eventId, eventTimeMs);
        if (FraudVelocityRules.isLate(eventTimeMs, lateWatermark))
        {
            out.emit(OutputKind.LATE, eventId);
            return false;
        }
        return true;
    }

    /**
     * Rules 3 and 4 for an admitted event: its windows, then VELOCITY, AMOUNT and COUNTRY.
     */
    void addToWindows(final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country)
    {
        final int card = cards.acquire(cardId);
        final long tumblingStart = FraudVelocityRules.tumblingStart(eventTimeMs);
        addToTumbling(card, cardId, eventId, tumblingStart, amountCents);
        addToHopping(card, tumblingStart, amountCents);
        cards.addOpenWindows(card, sessions.add(card, eventTimeMs, amountCents, country));
        if (cards.acceptForCountry(card, eventTimeMs, country))
        {
            out.emit(OutputKind.COUNTRY, cardId, eventId);
        }
    }

    /**
     * End of input: W becomes Long.MAX_VALUE and every open window closes. Further events are refused.
     */
    public void endOfInput()
    {
        if (!ended)
        {
            ended = true;
            watermark = Long.MAX_VALUE;
            closeWindows(Long.MAX_VALUE);
        }
    }

    /**
     * @return cards with open windows (for tests and memory estimates).
     */
    public int openCards()
    {
        return cards.size();
    }

    /**
     * @return event ids remembered for rule 1 (for tests and memory estimates).
     */
    public int rememberedIds()
    {
        return dedup.size();
    }

    private void addToTumbling(final int card, final long cardId, final long eventId, final long start, final long amountCents)
    {
        int window = tumbling.find(card, start);
        if (window == NONE)
        {
            window = tumbling.open(card, start);
            cards.addOpenWindows(card, 1);
        }
        tumbling.add(window, amountCents);
        if (tumbling.count(window) > VELOCITY_MAX_COUNT && tumbling.markVelocityAlerted(window))
        {
            out.emit(OutputKind.VELOCITY, cardId, eventId, start);
        }
        if (tumbling.sum(window) > AMOUNT_MAX_CENTS && tumbling.markAmountAlerted(window))
        {
            out.emit(OutputKind.AMOUNT, cardId, eventId, start);
        }
    }

    /**
     * Adds the event to the five hopping windows starting at tumblingStart - k * 60,000, k = 0..4: one pass over
     * the card's open hopping windows finds those already open, then the missing ones open.
     */
    private void addToHopping(final int card, final long tumblingStart, final long amountCents)
    {
        int found = 0;
        for (int window = hopping.head(card); window != NONE; window = hopping.nextInCard(window))
        {
            final long back = tumblingStart - hopping.start(window);
            if (back >= 0 && back < HOPPING_SIZE_MS)
            {
                hopping.add(window, amountCents);
                found |= 1 << (int)(back / HOPPING_ADVANCE_MS);
            }
        }
        if (found != ALL_HOPPING_FOUND)
        {
            for (int k = 0; k < HOPPING_WINDOWS_PER_EVENT; k++)
            {
                if ((found & (1 << k)) == 0)
                {
                    final int window = hopping.open(card, tumblingStart - k * HOPPING_ADVANCE_MS);
                    hopping.add(window, amountCents);
                    cards.addOpenWindows(card, 1);
                }
            }
        }
    }

    private void closeWindows(final long limitMs)
    {
        closeFixed(tumbling, OutputKind.TUMBLING, limitMs);
        closeFixed(hopping, OutputKind.HOPPING, limitMs);
        closeSessions(limitMs);
    }

    private void closeFixed(final FixedWindowTable table, final OutputKind kind, final long limitMs)
    {
        while (table.hasDue(limitMs))
        {
            int window = table.takeFirstDue();
            while (window != NONE)
            {
                final int next = table.nextDue(window);
                final int card = table.card(window);
                final long start = table.start(window);
                out.emit(kind, cards.cardId(card), start, start + table.sizeMs(), table.count(window), table.sum(window));
                table.release(window);
                cards.windowClosed(card);
                window = next;
            }
        }
    }

    private void closeSessions(final long limitMs)
    {
        while (sessions.hasDue(limitMs))
        {
            int session = sessions.takeFirstDue();
            while (session != NONE)
            {
                final int next = sessions.nextDue(session);
                if (sessions.isMergedAway(session))
                {
                    sessions.release(session);
                }
                else if (sessions.end(session) <= limitMs)
                {
                    final int card = sessions.card(session);
                    emitSession(card, session);
                    sessions.release(session);
                    cards.windowClosed(card);
                }
                else
                {
                    sessions.reschedule(session);
                }
                session = next;
            }
        }
    }

    private void emitSession(final int card, final int session)
    {
        out.emit(OutputKind.SESSION, cards.cardId(card), sessions.first(session), sessions.last(session), sessions.count(session),
            sessions.sum(session), sessions.distinctCountries(session));
    }

    /**
     * Writes the whole state (watermark, ids, cards, windows, sessions) as its tables hold it, so that
     * {@link #readSnapshot} into a new instance gives one that makes the same outputs in the same order. Not on the event
     * path.
     */
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        out.writeLong(watermark);
        out.writeBoolean(ended);
        dedup.write(out);
        cards.write(out);
        tumbling.write(out);
        hopping.write(out);
        sessions.write(out);
    }

    /**
     * Replaces the state with one {@link #writeSnapshot} wrote.
     */
    public void readSnapshot(final SnapshotReader in)
    {
        watermark = in.readLong();
        ended = in.readBoolean();
        dedup.read(in);
        cards.read(in);
        tumbling.read(in);
        hopping.read(in);
        sessions.read(in);
    }
}
