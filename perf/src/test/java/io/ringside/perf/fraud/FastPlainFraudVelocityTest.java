package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.ringside.perf.fraud.FraudScenario.T;
import static io.ringside.perf.fraud.FraudScenario.line;
import static io.ringside.perf.fraud.OutputKind.COUNTRY;
import static io.ringside.perf.fraud.OutputKind.SESSION;
import static io.ringside.perf.fraud.OutputKind.TUMBLING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written fast plain-Java comparator against the reference: every kind's count and checksum on the smoke
 * size (event by event and in batches), every output record on random short streams, over minutes of event time
 * while the card table grows and sheds its tombstones, and a few edges of its own representation (the table's
 * sentinel card ids, country sets past seven). The rules' hand-computed cases run through it too (FraudScenario).
 */
class FastPlainFraudVelocityTest
{
    private static final int BATCH = 64;

    @Test
    void shouldMatchTheReferenceOnTheSmokeSize()
    {
        for (final long seed : new long[] {42, 7, 20_240_601})
        {
            final ChecksumReport reference = runReference(new WorkloadGenerator(WorkloadSize.SMOKE, seed));
            final ChecksumReport oneByOne = runFast(new WorkloadGenerator(WorkloadSize.SMOKE, seed), 1);
            final ChecksumReport batched = runFast(new WorkloadGenerator(WorkloadSize.SMOKE, seed), BATCH);
            if (seed == 42)
            {
                System.out.println("smoke size (N=100,000, K=10,000), seed 42, fast plain:");
                batched.print(System.out);
            }
            assertEquals(reference, oneByOne, "seed " + seed + "\nreference:\n" + reference + "\nfast, one by one:\n" + oneByOne);
            assertEquals(reference, batched, "seed " + seed + "\nreference:\n" + reference + "\nfast, in batches:\n" + batched);
            for (final OutputKind kind : OutputKind.v1())
            {
                assertTrue(reference.count(kind) > 0, kind + " never happens at seed " + seed);
            }
        }
    }

    @Test
    void shouldMatchTheReferenceRecordForRecordOnRandomShortStreams()
    {
        final SplittableRandom random = new SplittableRandom(20_240_602);
        final ChecksumReport all = new ChecksumReport();
        for (int stream = 0; stream < 300; stream++)
        {
            final long seed = random.nextLong();
            final List<FraudScenario.Event> events = RandomStreams.oneSource(new SplittableRandom(seed));
            final FraudScenario.Result reference = FraudScenario.runReference(1, events);
            final FraudScenario.Result fast = FraudScenario.runFast(events);
            for (int i = 0; i < events.size(); i++)
            {
                assertEquals(FraudScenario.sorted(reference.after(i)), FraudScenario.sorted(fast.after(i)),
                    "stream seed " + seed + ", after event " + i + ": " + events.get(i));
            }
            assertEquals(FraudScenario.sorted(reference.atEnd()), FraudScenario.sorted(fast.atEnd()), "stream seed " + seed + ", at the end");
            all.add(checksums(reference.all()));
        }
        System.out.println("300 random short streams:\n" + all);
    }

    /**
     * The smoke size spans 10 s of event time, so little closes before the end of input: here every 40th event of
     * 8,000,000 (seed 42, K = 1,000), 200,000 events over 800 s, past the ten-minute dedup horizon.
     */
    @Test
    void shouldMatchTheReferenceOverMinutesOfEventTimeAndForgetWhatItMay()
    {
        final ChecksumReport fastReport = new ChecksumReport();
        final ChecksumReport referenceReport = new ChecksumReport();
        final FastPlainFraudVelocity fast = new FastPlainFraudVelocity(fastReport);
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, referenceReport);
        final WorkloadGenerator generator = new WorkloadGenerator(42, 8_000_000, 1_000);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        int fed = 0;
        while (generator.next(event, 0))
        {
            if (generator.index() % 40 == 0)
            {
                fast.onEvent(event, 0);
                feed(reference, event, 0);
                fed++;
            }
        }
        assertEquals(200_000, fed);
        assertTrue(fast.rememberedIds() < 160_000, "remembered " + fast.rememberedIds() + " of 200,000 ids over 800 s");
        fast.endOfInput();
        reference.endOfInput();
        assertEquals(0, fast.openCards());
        assertEquals(referenceReport, fastReport, "reference:\n" + referenceReport + "\nfast:\n" + fastReport);
        assertTrue(fastReport.count(OutputKind.TUMBLING) > 10_000);
    }

    /**
     * A card table sized for 16 cards, fed 200,000 cards over 800 s (every 20th event of 8,000,000: about two events
     * a card, so that cards keep leaving), two of them renamed to the table's sentinel ids: it grows, and every 10,000
     * events it is either rebuilt in place (every card's slot moves, while panes, closed pane lists, sessions and
     * timers hold card slots) or swept of the tombstones no probe passes through (which must lose no card).
     */
    @Test
    void shouldMatchTheReferenceWhileTheCardTableGrowsAndRehashes()
    {
        final ChecksumReport fastReport = new ChecksumReport();
        final ChecksumReport referenceReport = new ChecksumReport();
        final FastPlainFraudVelocity fast = new FastPlainFraudVelocity(fastReport, 16, 16);
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, referenceReport);
        final WorkloadGenerator generator = new WorkloadGenerator(7, 8_000_000, 200_000);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        int maxCards = 0;
        int swept = 0;
        while (generator.next(event, 0))
        {
            if (generator.index() % 20 == 0)
            {
                final long cardId = FraudEvent.cardId(event, 0);
                final long renamed = cardId == 0 ? Long.MIN_VALUE : cardId == 1 ? Long.MIN_VALUE + 1 : cardId;
                final long eventId = FraudEvent.eventId(event, 0);
                final long amountCents = FraudEvent.amountCents(event, 0);
                final long eventTimeMs = FraudEvent.eventTimeMs(event, 0);
                final int country = FraudEvent.country(event, 0);
                fast.onEvent(eventId, renamed, amountCents, eventTimeMs, country);
                reference.onEvent(0, eventId, renamed, amountCents, eventTimeMs, country);
                maxCards = Math.max(maxCards, fast.openCards());
                if (generator.index() % 400_000 == 0)
                {
                    fast.rehashInPlace();
                }
                else if (generator.index() % 200_000 == 0)
                {
                    final int before = fast.tombstones();
                    swept += before - fast.sweepTombstonesNow();
                }
            }
        }
        fast.endOfInput();
        reference.endOfInput();
        assertEquals(0, fast.openCards());
        assertEquals(referenceReport, fastReport, "reference:\n" + referenceReport + "\nfast:\n" + fastReport);
        assertTrue(maxCards > 50_000 && fast.tableCapacity() > maxCards, "capacity " + fast.tableCapacity() + ", cards " + maxCards);
        System.out.println("card table: at most " + maxCards + " cards, capacity " + fast.tableCapacity() + ", " + swept +
            " tombstones swept");
        assertTrue(swept > 1_000, swept + " tombstones swept");
    }

    @Test
    void shouldTreatTheTableSentinelsAsOrdinaryCardIds()
    {
        final long min = Long.MIN_VALUE;
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, min, T + 1_000, 100, 1)
            .event(2, min + 1, T + 1_000, 100, 1)
            .event(3, min, T + 2_000, 100, 2)
            .event(4, 0, T + 3_000, 100, 1)
            .event(5, min + 1, T + 70_000, 100, 1)   // W = T + 68,000: closes the first minute, and three sessions
            .run();

        assertEquals(List.of(line(COUNTRY, min, 3)), result.all(COUNTRY));
        assertEquals(FraudScenario.sorted(List.of(
            line(SESSION, min, T + 1_000, T + 2_000, 2, 200, 2),
            line(SESSION, min + 1, T + 1_000, T + 1_000, 1, 100, 1),
            line(SESSION, 0, T + 3_000, T + 3_000, 1, 100, 1))), only(SESSION, result.after(4)));
        assertEquals(FraudScenario.sorted(List.of(
            line(TUMBLING, min, T, T + 60_000, 2, 200),
            line(TUMBLING, min + 1, T, T + 60_000, 1, 100),
            line(TUMBLING, 0, T, T + 60_000, 1, 100))), only(TUMBLING, result.after(4)));
    }

    /**
     * Two sessions of more than seven countries each (so each in a pooled set), bridged by an event of a seventeenth.
     */
    @Test
    void shouldCountDistinctCountriesPastSevenAndAcrossAMerge()
    {
        final FraudScenario scenario = FraudScenario.oneSource();
        for (int i = 0; i < 8; i++)
        {
            scenario.event(1 + i, 7, T + 1_000 + i * 1_000L, 100, i);          // countries 0..7, last at T + 8,000
        }
        for (int i = 0; i < 9; i++)
        {
            scenario.event(9 + i, 7, T + 40_000 + i, 100, 7 + i);              // countries 7..15: a second session
        }
        final FraudScenario.Result result = scenario
            .event(18, 7, T + 35_000, 100, 16)                                  // within both gaps: merges them
            .run();

        assertEquals(List.of(), only(SESSION, result.after(16)));
        assertEquals(List.of(line(SESSION, 7, T + 1_000, T + 40_008, 18, 1_800, 17)), result.all(SESSION));
    }

    private static List<String> only(final OutputKind kind, final List<String> lines)
    {
        return FraudScenario.sorted(lines.stream().filter(l -> l.startsWith(kind.name() + ",")).toList());
    }

    private static ChecksumReport runFast(final WorkloadGenerator generator, final int batch)
    {
        final ChecksumReport report = new ChecksumReport();
        final FastPlainFraudVelocity fast = batch == 1 ? new FastPlainFraudVelocity(report) :
            new FastPlainFraudVelocity(report, (int)generator.cards(), (int)generator.events());
        final UnsafeBuffer events = new UnsafeBuffer(new byte[batch * FraudEvent.LENGTH]);
        while (true)
        {
            int count = 0;
            while (count < batch && generator.next(events, count * FraudEvent.LENGTH))
            {
                count++;
            }
            if (count == 0)
            {
                break;
            }
            if (batch == 1)
            {
                fast.onEvent(events, 0);
            }
            else
            {
                fast.onEvents(events, 0, count);
            }
        }
        fast.endOfInput();
        assertEquals(0, fast.openCards());
        return report;
    }

    private static ChecksumReport runReference(final WorkloadGenerator generator)
    {
        final ChecksumReport report = new ChecksumReport();
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, report);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            feed(reference, event, 0);
        }
        reference.endOfInput();
        return report;
    }

    private static void feed(final ReferenceFraudVelocity reference, final UnsafeBuffer event, final int offset)
    {
        reference.onEvent(0,
            FraudEvent.eventId(event, offset),
            FraudEvent.cardId(event, offset),
            FraudEvent.amountCents(event, offset),
            FraudEvent.eventTimeMs(event, offset),
            FraudEvent.country(event, offset));
    }

    private static ChecksumReport checksums(final List<String> lines)
    {
        final ChecksumReport report = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : new ArrayList<>(lines))
        {
            report.onOutput(OutputLine.parse(line, fields), fields);
        }
        return report;
    }
}
