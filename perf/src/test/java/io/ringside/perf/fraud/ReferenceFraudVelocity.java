package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * workload.md v1 written out plainly, as the oracle the other implementations are tested against: java.util
 * collections, one object per window, each rule in the words of the contract. Several sources: each event comes
 * with its source; W_s follows rule 5 over source s alone, an event is late against its own W_s, and windows
 * close under W = min over the sources (a source that has sent nothing holds W at Long.MIN_VALUE).
 * <p>
 * Choices where the contract leaves room (see also the tests):
 * <ul>
 *     <li>an id is remembered exactly while its eventTimeMs > W - 600,000, W the global watermark when the
 *     re-sent event arrives, so an older re-send is judged as a new event (and is then late);</li>
 *     <li>duplicates and late events change no watermark (rule 1 and 2 "stop");</li>
 *     <li>outputs of one event come in the order DUPLICATE or LATE, or VELOCITY, AMOUNT, COUNTRY, then the windows
 *     it closes by (end, kind number, card, start or first); the flush likewise.</li>
 * </ul>
 * Event times must be within [FraudVelocityRules.MIN_EVENT_TIME_MS, MAX_EVENT_TIME_MS] and countries 0..199.
 * <p>
 * Not thread-safe: one thread.
 */
final class ReferenceFraudVelocity
{
    private static final Comparator<Window> BY_END_THEN_KIND_CARD_START = Comparator
        .comparingLong(Window::end)
        .thenComparingInt((final Window w) -> w.kind.number())
        .thenComparingLong((final Window w) -> w.cardId)
        .thenComparingLong(Window::start);

    private final OutputRecordSink sink;
    private final long[] sourceWatermarks;
    private final Map<Long, Long> eventTimeOfSeenId = new HashMap<>();
    private final Map<Long, Card> cards = new HashMap<>();
    private final TreeSet<Window> openWindows = new TreeSet<>(BY_END_THEN_KIND_CARD_START);
    private boolean ended;

    ReferenceFraudVelocity(final int sources, final OutputRecordSink sink)
    {
        this.sink = sink;
        this.sourceWatermarks = new long[sources];
        Arrays.fill(sourceWatermarks, Long.MIN_VALUE);
    }

    /**
     * The global watermark W: the minimum over the sources.
     */
    long watermark()
    {
        if (ended)
        {
            return Long.MAX_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (final long w : sourceWatermarks)
        {
            min = Math.min(min, w);
        }
        return min;
    }

    void onEvent(final int source, final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country)
    {
        if (ended)
        {
            throw new IllegalStateException("ended");
        }
        FraudVelocityRules.checkEvent(eventTimeMs, country);

        // 1. Dedup: seen before as anything but a duplicate, and still remembered.
        final Long seenAt = eventTimeOfSeenId.get(eventId);
        if (seenAt != null && seenAt > minus(watermark(), 600_000))
        {
            emit(OutputKind.DUPLICATE, eventId);
            return;
        }
        eventTimeOfSeenId.put(eventId, eventTimeMs);

        // 2. Late, against the event's own source.
        if (eventTimeMs <= minus(sourceWatermarks[source], 5_000))
        {
            emit(OutputKind.LATE, eventId);
            return;
        }

        // 3. Windows.
        final Card card = cards.computeIfAbsent(cardId, Card::new);
        final Window tumbling = addToTumbling(card, eventTimeMs, amountCents);
        addToHopping(card, eventTimeMs, amountCents);
        addToSessions(card, eventTimeMs, amountCents, country);

        // 4. Alerts.
        if (tumbling.count > 20 && !tumbling.velocityAlerted)
        {
            tumbling.velocityAlerted = true;
            emit(OutputKind.VELOCITY, cardId, eventId, tumbling.start);
        }
        if (tumbling.sum > 500_000 && !tumbling.amountAlerted)
        {
            tumbling.amountAlerted = true;
            emit(OutputKind.AMOUNT, cardId, eventId, tumbling.start);
        }
        // |previous - t| <= 30,000, written so that it cannot overflow
        if (card.hasPrevious && card.previousCountry != country &&
            card.previousEventTimeMs <= eventTimeMs + 30_000 && eventTimeMs <= card.previousEventTimeMs + 30_000)
        {
            emit(OutputKind.COUNTRY, cardId, eventId);
        }
        card.hasPrevious = true;
        card.previousCountry = country;
        card.previousEventTimeMs = eventTimeMs;

        // 5. Watermark and closing.
        sourceWatermarks[source] = Math.max(sourceWatermarks[source], eventTimeMs - 2_000);
        closeWindows(watermark());
    }

    void endOfInput()
    {
        ended = true;
        while (!openWindows.isEmpty())
        {
            close(openWindows.first());
        }
    }

    private Window addToTumbling(final Card card, final long t, final long amountCents)
    {
        final long start = t - Math.floorMod(t, 60_000L);
        final Window window = card.tumbling.computeIfAbsent(start, s -> open(new Window(OutputKind.TUMBLING, card.cardId, s, s + 60_000)));
        window.count++;
        window.sum += amountCents;
        return window;
    }

    private void addToHopping(final Card card, final long t, final long amountCents)
    {
        // the 5 windows whose start is a multiple of 60,000 in (t - 300,000, t]
        final long latestStart = t - Math.floorMod(t, 60_000L);
        for (int k = 0; k < 5; k++)
        {
            final long start = latestStart - k * 60_000L;
            final Window window = card.hopping.computeIfAbsent(start, s -> open(new Window(OutputKind.HOPPING, card.cardId, s, s + 300_000)));
            window.count++;
            window.sum += amountCents;
        }
    }

    private void addToSessions(final Card card, final long t, final long amountCents, final int country)
    {
        final List<Window> joined = new ArrayList<>();
        for (final Window session : card.sessions)
        {
            if (session.first - 30_000 < t && t < session.last + 30_000)
            {
                joined.add(session);
            }
        }
        final Window merged = new Window(OutputKind.SESSION, card.cardId, t, t);
        merged.count = 1;
        merged.sum = amountCents;
        merged.countries.add(country);
        for (final Window session : joined)
        {
            openWindows.remove(session);
            card.sessions.remove(session);
            merged.first = Math.min(merged.first, session.first);
            merged.last = Math.max(merged.last, session.last);
            merged.count += session.count;
            merged.sum += session.sum;
            merged.countries.addAll(session.countries);
        }
        card.sessions.add(open(merged));
    }

    private Window open(final Window window)
    {
        openWindows.add(window);
        return window;
    }

    private void closeWindows(final long w)
    {
        while (!openWindows.isEmpty() && openWindows.first().end() <= minus(w, 5_000))
        {
            close(openWindows.first());
        }
    }

    private void close(final Window window)
    {
        openWindows.remove(window);
        final Card card = cards.get(window.cardId);
        switch (window.kind)
        {
            case TUMBLING ->
            {
                card.tumbling.remove(window.start);
                emit(OutputKind.TUMBLING, window.cardId, window.start, window.fixedEnd, window.count, window.sum);
            }
            case HOPPING ->
            {
                card.hopping.remove(window.start);
                emit(OutputKind.HOPPING, window.cardId, window.start, window.fixedEnd, window.count, window.sum);
            }
            case SESSION ->
            {
                card.sessions.remove(window);
                emit(OutputKind.SESSION, window.cardId, window.first, window.last, window.count, window.sum, window.countries.size());
            }
            default -> throw new IllegalStateException(window.kind.name());
        }
    }

    private void emit(final OutputKind kind, final long... fields)
    {
        sink.onOutput(kind, fields);
    }

    /**
     * @return w - x, or Long.MIN_VALUE when w - x is below it (w is Long.MIN_VALUE before any event), x > 0: exact
     * for comparing with supported event times and window ends, which all lie far above Long.MIN_VALUE.
     */
    private static long minus(final long w, final long x)
    {
        return w < Long.MIN_VALUE + x ? Long.MIN_VALUE : w - x;
    }

    private static final class Card
    {
        final long cardId;
        final Map<Long, Window> tumbling = new HashMap<>();
        final Map<Long, Window> hopping = new HashMap<>();
        final List<Window> sessions = new ArrayList<>();
        boolean hasPrevious;
        int previousCountry;
        long previousEventTimeMs;

        Card(final long cardId)
        {
            this.cardId = cardId;
        }
    }

    /**
     * A tumbling or hopping window (start, end fixed) or a session (first, last; end = last + 30,000).
     */
    private static final class Window
    {
        final OutputKind kind;
        final long cardId;
        long start;
        long fixedEnd;
        long first;
        long last;
        long count;
        long sum;
        boolean velocityAlerted;
        boolean amountAlerted;
        final Set<Integer> countries = new HashSet<>();

        Window(final OutputKind kind, final long cardId, final long a, final long b)
        {
            this.kind = kind;
            this.cardId = cardId;
            if (kind == OutputKind.SESSION)
            {
                first = a;
                last = b;
            }
            else
            {
                start = a;
                fixedEnd = b;
            }
        }

        long start()
        {
            return kind == OutputKind.SESSION ? first : start;
        }

        long end()
        {
            return kind == OutputKind.SESSION ? last + 30_000 : fixedEnd;
        }
    }
}
