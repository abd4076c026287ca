package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-Java baseline against the reference: every kind's count and checksum on the smoke size, and every
 * output record on random short streams.
 */
class PlainJavaFraudVelocityTest
{
    @Test
    void shouldMatchTheReferenceOnTheSmokeSize()
    {
        for (final long seed : new long[] {42, 7, 20_240_601})
        {
            final ChecksumReport plain = runPlain(seed);
            final ChecksumReport reference = runReference(seed);
            if (seed == 42)
            {
                System.out.println("smoke size (N=100,000, K=10,000), seed 42:");
                plain.print(System.out);
            }
            assertEquals(reference, plain, "seed " + seed + "\nreference:\n" + reference + "\nplain:\n" + plain);
            for (final OutputKind kind : OutputKind.v1())
            {
                assertTrue(plain.count(kind) > 0, kind + " never happens at seed " + seed);
            }
        }
    }

    @Test
    void shouldMatchTheReferenceRecordForRecordOnRandomShortStreams()
    {
        final SplittableRandom random = new SplittableRandom(20_240_601);
        final ChecksumReport all = new ChecksumReport();
        for (int stream = 0; stream < 200; stream++)
        {
            final long seed = random.nextLong();
            final List<FraudScenario.Event> events = RandomStreams.oneSource(new SplittableRandom(seed));
            final FraudScenario.Result reference = FraudScenario.runReference(1, events);
            final FraudScenario.Result plain = FraudScenario.runPlain(events);
            for (int i = 0; i < events.size(); i++)
            {
                assertEquals(FraudScenario.sorted(reference.after(i)), FraudScenario.sorted(plain.after(i)),
                    "stream seed " + seed + ", after event " + i + ": " + events.get(i));
            }
            assertEquals(FraudScenario.sorted(reference.atEnd()), FraudScenario.sorted(plain.atEnd()), "stream seed " + seed + ", at the end");
            final ChecksumReport expected = checksums(reference.all());
            assertEquals(expected, checksums(plain.all()), "stream seed " + seed);
            all.add(expected);
        }
        System.out.println("200 random short streams:\n" + all);
        for (final OutputKind kind : OutputKind.v1())
        {
            assertTrue(all.count(kind) > 50, kind + " too rare in the random streams: " + all.count(kind));
        }
    }

    /**
     * The smoke size spans 10 s of event time, so little closes before the end of input: here every 40th event of
     * 8,000,000 (seed 42, K = 1,000), 200,000 events over 800 s, past the ten-minute dedup horizon.
     */
    @Test
    void shouldMatchTheReferenceOverMinutesOfEventTimeAndForgetWhatItMay()
    {
        final ChecksumReport plainReport = new ChecksumReport();
        final ChecksumReport referenceReport = new ChecksumReport();
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(plainReport);
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, referenceReport);
        final WorkloadGenerator generator = new WorkloadGenerator(42, 8_000_000, 1_000);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        int fed = 0;
        while (generator.next(event, 0))
        {
            if (generator.index() % 40 == 0)
            {
                plain.onEvent(event, 0);
                feed(reference, event);
                fed++;
            }
        }
        assertEquals(200_000, fed);
        assertTrue(plain.rememberedIds() < 160_000, "remembered " + plain.rememberedIds() + " of 200,000 ids over 800 s");
        plain.endOfInput();
        reference.endOfInput();
        assertEquals(0, plain.openCards());
        assertEquals(referenceReport, plainReport, "reference:\n" + referenceReport + "\nplain:\n" + plainReport);
        assertTrue(plainReport.count(OutputKind.TUMBLING) > 10_000);
    }

    private static ChecksumReport runPlain(final long seed)
    {
        final ChecksumReport report = new ChecksumReport();
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(report);
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, seed);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        assertEquals(0, plain.openCards());
        return report;
    }

    private static ChecksumReport runReference(final long seed)
    {
        final ChecksumReport report = new ChecksumReport();
        final ReferenceFraudVelocity reference = new ReferenceFraudVelocity(1, report);
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, seed);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            feed(reference, event);
        }
        reference.endOfInput();
        return report;
    }

    private static void feed(final ReferenceFraudVelocity reference, final UnsafeBuffer event)
    {
        reference.onEvent(0,
            FraudEvent.eventId(event, 0),
            FraudEvent.cardId(event, 0),
            FraudEvent.amountCents(event, 0),
            FraudEvent.eventTimeMs(event, 0),
            FraudEvent.country(event, 0));
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
