package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.agrona.DirectBuffer;

/**
 * Workload v2 (enrichment, a pattern and a join on top of v1) as plain single-threaded Java, written to be obviously
 * right rather than fast: the reference the engine's v2 pipeline is checked against. v1's rules for the transactions
 * (dedup, lateness, windows, VELOCITY, AMOUNT, COUNTRY) are {@link PlainJavaFraudVelocity}'s, for every type of event
 * the first two; the rest is in Java collections:
 * <ul>
 *   <li>profiles: a map from card to (limitCents, homeCountry), replaced by each accepted PROFILE, removed by a limit of
 *       0; a TXN reads it as it is when the TXN arrives (OVERLIMIT, ABROAD);</li>
 *   <li>open transactions: a map by event id and a set ordered by (event time, id); a CAPTURE within
 *       {@code 0 <= capture.time - txn.time <= 120,000} of an open TXN of its card takes it out (CAPTURED), otherwise
 *       ORPHAN; whatever is open once {@code txn.time + 125,000 <= W} comes out UNCAPTURED;</li>
 *   <li>the pattern: each card's small TXNs (amount below 150) in a list, and the large ones (200,000 or more) in a set
 *       ordered by (event time, id), each decided once {@code time + 5,000 <= W}: the small of its card with
 *       {@code L.time - 300,000 <= S.time < L.time}, the largest time, ties the smallest id (TESTCHARGE). Smalls are
 *       forgotten once {@code S.time + 305,000 <= W}: every large that could still use one is decided by then.</li>
 * </ul>
 * Closing runs whenever W moves, after v1's windows: UNCAPTURED, then TESTCHARGE, each in order of event time then id;
 * at the end of input (W = Long.MAX_VALUE) everything open comes out and every large is decided.
 * <p>
 * Not thread-safe: one thread feeds events and receives the outputs.
 */
public final class PlainJavaFraudV2
{
    static final long CAPTURE_UPPER_MS = 120_000;
    static final long UNCAPTURED_AFTER_MS = CAPTURE_UPPER_MS + FraudVelocityRules.ALLOWED_LATENESS_MS;
    static final long SMALL_BELOW_CENTS = 150;
    static final long LARGE_FROM_CENTS = 200_000;
    static final long PATTERN_WITHIN_MS = 300_000;

    /** A transaction as the join and the pattern keep it. */
    private record Txn(long cardId, long eventId, long timeMs, long amountCents)
    {
    }

    private static final Comparator<Txn> BY_TIME_THEN_ID = Comparator.comparingLong(Txn::timeMs).thenComparingLong(Txn::eventId);

    private final OutputRecord out;
    private final PlainJavaFraudVelocity v1;
    private final Map<Long, long[]> profiles = new HashMap<>();
    private final Map<Long, Txn> open = new HashMap<>();
    private final TreeSet<Txn> openByTime = new TreeSet<>(BY_TIME_THEN_ID);
    private final Map<Long, List<Txn>> smallsByCard = new HashMap<>();
    private final TreeSet<Txn> smallsByTime = new TreeSet<>(BY_TIME_THEN_ID);
    private final TreeSet<Txn> largesByTime = new TreeSet<>(BY_TIME_THEN_ID);
    private long watermark = Long.MIN_VALUE;

    public PlainJavaFraudV2(final OutputRecordSink sink)
    {
        this(sink, 1 << 10, 1 << 10);
    }

    /**
     * @param expectedCards about how many cards have open windows at once (v1's tables).
     * @param expectedIds   about how many ids are remembered at once: about ten minutes of events.
     */
    public PlainJavaFraudV2(final OutputRecordSink sink, final int expectedCards, final int expectedIds)
    {
        this.out = new OutputRecord(sink);
        this.v1 = new PlainJavaFraudVelocity(sink, expectedCards, expectedIds);
    }

    /**
     * Processes the next {@link FraudV2Event} of the one source, in arrival order, and moves the watermark.
     */
    public void onEvent(final DirectBuffer buffer, final int offset)
    {
        final long time = FraudEvent.eventTimeMs(buffer, offset);
        if (accept(buffer, offset, v1.watermark()) && v1.advance(time))
        {
            close(v1.watermark());
        }
    }

    /**
     * As {@link #onEvent(DirectBuffer, int)} for an event whose watermark is driven from outside (an engine's shard):
     * lateness against the event's own source's watermark; the watermark moves through {@link #onWatermark(long)}.
     */
    public void onEvent(final DirectBuffer buffer, final int offset, final long sourceWatermark)
    {
        accept(buffer, offset, sourceWatermark);
    }

    /**
     * The (global) watermark moved: v1's windows close, then the join's and the pattern's. Long.MAX_VALUE is the end
     * of input.
     */
    public void onWatermark(final long newWatermark)
    {
        v1.onWatermark(newWatermark);
        close(v1.watermark());
    }

    /**
     * End of input: W becomes Long.MAX_VALUE; every window closes, every open TXN is UNCAPTURED, every large decided.
     */
    public void endOfInput()
    {
        v1.endOfInput();
        close(Long.MAX_VALUE);
    }

    private boolean accept(final DirectBuffer buffer, final int offset, final long lateWatermark)
    {
        final long eventId = FraudEvent.eventId(buffer, offset);
        final long cardId = FraudEvent.cardId(buffer, offset);
        final long time = FraudEvent.eventTimeMs(buffer, offset);
        final int country = FraudEvent.country(buffer, offset);
        if (!v1.admit(eventId, time, country, lateWatermark))
        {
            return false;
        }
        switch (FraudV2Event.type(buffer, offset))
        {
            case FraudV2Event.TXN -> onTxn(eventId, cardId, FraudEvent.amountCents(buffer, offset), time, country);
            case FraudV2Event.PROFILE -> onProfile(cardId, FraudV2Event.limitCents(buffer, offset), FraudV2Event.homeCountry(buffer, offset));
            case FraudV2Event.CAPTURE -> onCapture(eventId, cardId, FraudV2Event.txnEventId(buffer, offset), time);
            default -> throw new IllegalArgumentException("event " + eventId + " has type " + FraudV2Event.type(buffer, offset) +
                ", not 0 (TXN), 1 (PROFILE) or 2 (CAPTURE)");
        }
        return true;
    }

    private void onTxn(final long eventId, final long cardId, final long amountCents, final long time, final int country)
    {
        v1.addToWindows(eventId, cardId, amountCents, time, country);
        final long[] profile = profiles.get(cardId);
        if (profile != null)
        {
            if (amountCents > profile[0])
            {
                out.emit(OutputKind.OVERLIMIT, cardId, eventId, profile[0]);
            }
            if (country != profile[1])
            {
                out.emit(OutputKind.ABROAD, cardId, eventId, profile[1]);
            }
        }
        final Txn txn = new Txn(cardId, eventId, time, amountCents);
        open.put(eventId, txn);
        openByTime.add(txn);
        if (amountCents < SMALL_BELOW_CENTS)
        {
            smallsByCard.computeIfAbsent(cardId, card -> new ArrayList<>()).add(txn);
            smallsByTime.add(txn);
        }
        if (amountCents >= LARGE_FROM_CENTS)
        {
            largesByTime.add(txn);
        }
    }

    private void onProfile(final long cardId, final long limitCents, final long homeCountry)
    {
        if (limitCents == 0)
        {
            profiles.remove(cardId);
        }
        else
        {
            profiles.put(cardId, new long[] {limitCents, homeCountry});
        }
    }

    private void onCapture(final long captureId, final long cardId, final long txnId, final long time)
    {
        final Txn txn = open.get(txnId);
        if (txn != null && txn.cardId() == cardId && time - txn.timeMs() >= 0 && time - txn.timeMs() <= CAPTURE_UPPER_MS)
        {
            open.remove(txnId);
            openByTime.remove(txn);
            out.emit(OutputKind.CAPTURED, cardId, txnId, captureId, time - txn.timeMs());
        }
        else
        {
            out.emit(OutputKind.ORPHAN, cardId, captureId, txnId);
        }
    }

    /**
     * @return whether {@code time + afterMs <= w}, without wrapping; everything is passed at the end of input.
     */
    private static boolean passed(final long time, final long afterMs, final long w)
    {
        return w == Long.MAX_VALUE || FraudVelocityRules.atOrBelow(time, w, afterMs);
    }

    private void close(final long w)
    {
        if (w <= watermark)
        {
            return;
        }
        watermark = w;
        while (!openByTime.isEmpty() && passed(openByTime.first().timeMs(), UNCAPTURED_AFTER_MS, w))
        {
            final Txn txn = openByTime.pollFirst();
            open.remove(txn.eventId());
            out.emit(OutputKind.UNCAPTURED, txn.cardId(), txn.eventId(), txn.amountCents());
        }
        while (!largesByTime.isEmpty() && passed(largesByTime.first().timeMs(), FraudVelocityRules.ALLOWED_LATENESS_MS, w))
        {
            decide(largesByTime.pollFirst());
        }
        while (!smallsByTime.isEmpty() && passed(smallsByTime.first().timeMs(), PATTERN_WITHIN_MS + FraudVelocityRules.ALLOWED_LATENESS_MS, w))
        {
            final Txn small = smallsByTime.pollFirst();
            final List<Txn> smalls = smallsByCard.get(small.cardId());
            smalls.remove(small);
            if (smalls.isEmpty())
            {
                smallsByCard.remove(small.cardId());
            }
        }
    }

    private void decide(final Txn large)
    {
        Txn best = null;
        for (final Txn small : smallsByCard.getOrDefault(large.cardId(), List.of()))
        {
            final boolean inRange = small.timeMs() < large.timeMs() && large.timeMs() - small.timeMs() <= PATTERN_WITHIN_MS;
            if (inRange && (best == null || small.timeMs() > best.timeMs() ||
                (small.timeMs() == best.timeMs() && small.eventId() < best.eventId())))
            {
                best = small;
            }
        }
        if (best != null)
        {
            out.emit(OutputKind.TESTCHARGE, large.cardId(), best.eventId(), large.eventId());
        }
    }

    /**
     * @return transactions open for capture now (for tests).
     */
    public int openTransactions()
    {
        return open.size();
    }
}
