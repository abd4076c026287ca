package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A hand-written input stream and what it produced: builds events, runs them through the
 * {@link ReferenceFraudVelocity} and, with one source, through {@link PlainJavaFraudVelocity} and
 * {@link FastPlainFraudVelocity} too, asserting that all produce the same outputs after each event and at the end of
 * input (in any order within an event).
 */
final class FraudScenario
{
    /** A tumbling window start (a multiple of 60,000) near the workload's t0. */
    static final long T = 1_700_000_040_000L;
    static final long DEFAULT_AMOUNT = 100;
    static final int DEFAULT_COUNTRY = 1;

    record Event(int source, long eventId, long cardId, long amountCents, long eventTimeMs, int country)
    {
    }

    /**
     * Outputs after each event (in arrival order) and at the end of input.
     */
    record Result(List<List<String>> perEvent, List<String> atEnd)
    {
        List<String> after(final int event)
        {
            return perEvent.get(event);
        }

        List<String> all()
        {
            final List<String> all = new ArrayList<>();
            perEvent.forEach(all::addAll);
            all.addAll(atEnd);
            return all;
        }

        List<String> all(final OutputKind kind)
        {
            return all().stream().filter(line -> line.startsWith(kind.name() + ",")).toList();
        }

        List<String> atEnd(final OutputKind kind)
        {
            return atEnd.stream().filter(line -> line.startsWith(kind.name() + ",")).toList();
        }
    }

    private final int sources;
    private final List<Event> events = new ArrayList<>();

    FraudScenario(final int sources)
    {
        this.sources = sources;
    }

    static FraudScenario oneSource()
    {
        return new FraudScenario(1);
    }

    FraudScenario event(final long eventId, final long cardId, final long eventTimeMs)
    {
        return eventOn(0, eventId, cardId, eventTimeMs, DEFAULT_AMOUNT, DEFAULT_COUNTRY);
    }

    FraudScenario event(final long eventId, final long cardId, final long eventTimeMs, final long amountCents, final int country)
    {
        return eventOn(0, eventId, cardId, eventTimeMs, amountCents, country);
    }

    FraudScenario eventOn(final int source, final long eventId, final long cardId, final long eventTimeMs)
    {
        return eventOn(source, eventId, cardId, eventTimeMs, DEFAULT_AMOUNT, DEFAULT_COUNTRY);
    }

    FraudScenario eventOn(
        final int source, final long eventId, final long cardId, final long eventTimeMs, final long amountCents, final int country)
    {
        events.add(new Event(source, eventId, cardId, amountCents, eventTimeMs, country));
        return this;
    }

    /**
     * Re-sends the first event with this id, unchanged, on its source.
     */
    FraudScenario resend(final long eventId)
    {
        events.add(events.stream().filter(e -> e.eventId() == eventId).findFirst().orElseThrow());
        return this;
    }

    List<Event> events()
    {
        return events;
    }

    Result run()
    {
        final Result reference = runReference(sources, events);
        if (sources == 1)
        {
            assertSameOutputs(reference, runPlain(events), "plain");
            assertSameOutputs(reference, runFast(events), "fast plain");
        }
        return reference;
    }

    /**
     * Asserts that {@code actual} produced what the reference did after each event and at the end of input, in any
     * order within an event.
     */
    void assertSameOutputs(final Result reference, final Result actual, final String name)
    {
        for (int i = 0; i < events.size(); i++)
        {
            assertEquals(sorted(reference.after(i)), sorted(actual.after(i)), name + " vs reference after event " + i + ": " + events.get(i));
        }
        assertEquals(sorted(reference.atEnd()), sorted(actual.atEnd()), name + " vs reference at the end of input");
    }

    static Result runReference(final int sources, final List<Event> events)
    {
        final LineCollector lines = new LineCollector();
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(sources, lines);
        final List<List<String>> perEvent = new ArrayList<>();
        for (final Event e : events)
        {
            reference.onEvent(e.source(), e.eventId(), e.cardId(), e.amountCents(), e.eventTimeMs(), e.country());
            perEvent.add(lines.takeNew());
        }
        reference.endOfInput();
        return new Result(perEvent, lines.takeNew());
    }

    static Result runPlain(final List<Event> events)
    {
        final LineCollector lines = new LineCollector();
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(lines);
        final List<List<String>> perEvent = new ArrayList<>();
        for (final Event e : events)
        {
            plain.onEvent(e.eventId(), e.cardId(), e.amountCents(), e.eventTimeMs(), e.country());
            perEvent.add(lines.takeNew());
        }
        plain.endOfInput();
        assertEquals(0, plain.openCards(), "cards left after the end of input");
        return new Result(perEvent, lines.takeNew());
    }

    static Result runFast(final List<Event> events)
    {
        final LineCollector lines = new LineCollector();
        final FastPlainFraudVelocity fast = new FastPlainFraudVelocity(lines);
        final List<List<String>> perEvent = new ArrayList<>();
        for (final Event e : events)
        {
            fast.onEvent(e.eventId(), e.cardId(), e.amountCents(), e.eventTimeMs(), e.country());
            perEvent.add(lines.takeNew());
        }
        fast.endOfInput();
        assertEquals(0, fast.openCards(), "cards left after the end of input");
        return new Result(perEvent, lines.takeNew());
    }

    static List<String> sorted(final List<String> lines)
    {
        final List<String> copy = new ArrayList<>(lines);
        Collections.sort(copy);
        return copy;
    }

    static String line(final OutputKind kind, final long... fields)
    {
        return OutputLine.format(kind, fields);
    }
}
