package io.ringside.perf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.ringside.engine.Topology;
import io.ringside.perf.fraud.ChecksumReport;
import io.ringside.perf.fraud.OutputKind;
import io.ringside.perf.fraud.WorkloadSize;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fraud target end to end at the smoke size and a low rate (about 1.5 s, blocking waits: nothing spins but
 * the publisher's last 100 µs before each send).
 */
class FraudLatencyTargetTest
{
    private static final long RATE = 2_000;
    private static final long WARM_UP_S = 1;
    private static final long MEASURE_S = 1;

    @Test
    void shouldTimeEveryMeasuredDecisionOfTheRealPipeline()
    {
        final LatencyOptions options = LatencyOptionsTest.parse("--target", "fraud", "--wait", "blocking",
            "--rates", Long.toString(RATE), "--warmup-s", Long.toString(WARM_UP_S), "--measure-s", Long.toString(MEASURE_S),
            "--events", Long.toString(WorkloadSize.SMOKE.events()), "--cards", Long.toString(WorkloadSize.SMOKE.cards()), "--ring-size", "1024");
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final FraudLatencyTarget target = new FraudLatencyTarget(Topology.COMPACT, options.wait, options.ringSize, options.events,
            options.cards, options.seed);

        final Histogram histogram = LatencyHarness.measure(target, RATE, options,
            new LatencyReport(new PrintStream(printed, true, StandardCharsets.UTF_8)));

        final long warmUp = RATE * WARM_UP_S;
        final long measured = RATE * MEASURE_S;
        assertEquals(measured, histogram.getTotalCount(), "every measured event, and no warm-up one");
        assertEquals(warmUp + measured, target.handled(), "every event sent was decided");
        assertTrue(histogram.getMinValue() > 0, "a decision after its intended send time");
        final ChecksumReport report = target.report();
        long outputs = 0;
        for (final OutputKind kind : OutputKind.v1())
        {
            outputs += report.count(kind);
        }
        assertTrue(report.count(OutputKind.DUPLICATE) > 0, () -> "the workload re-sends 1% of its events from the 1,000th: " + report);
        assertTrue(outputs > report.count(OutputKind.DUPLICATE), () -> "the pipeline decided more than duplicates: " + report);

        final String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s)\\s+2000\\s+fraud\\s+2000\\s.*"), text);
        assertTrue(text.contains("fraud: 4,000 events decided, outputs:"), text);
        assertTrue(text.contains("duplicate " + String.format(java.util.Locale.ROOT, "%,d", report.count(OutputKind.DUPLICATE))), text);
    }
}
