package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.EngineContext;
import io.ringside.engine.TestDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Workload v2's rules on {@link TestDriver}, hand-computed at their edges (workload-v2 "What the pipeline computes"):
 * the table as of arrival with a tombstone, a capture's inclusive 120 s bound, a second capture, the outer join's
 * UNCAPTURED once the watermark passes time + 125 s, and the pattern's inclusive 300 s bound with its tie rule.
 */
class FraudV2DriverTest
{
    private static final long T0 = WorkloadGenerator.T0_MS;

    private final List<FraudV2Pipeline> pipelines = new ArrayList<>();
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);

    private TestDriver driver()
    {
        return TestDriver.create(new EngineContext()
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .handlers(shard ->
            {
                final FraudV2Pipeline pipeline = FraudV2Pipeline.forWorkload(shard, 1, 10_000, 1_000);
                pipelines.add(pipeline);
                return pipeline;
            }));
    }

    private void txn(final TestDriver driver, final long id, final long card, final long amount, final long time, final int country)
    {
        FraudV2Event.write(event, 0, id, card, 1, amount, time, country, FraudV2Event.TXN);
        driver.pipe(card, event, 0, FraudEvent.LENGTH);
    }

    private void profile(final TestDriver driver, final long id, final long card, final long limit, final long home, final long time)
    {
        FraudV2Event.write(event, 0, id, card, limit, home, time, 0, FraudV2Event.PROFILE);
        driver.pipe(card, event, 0, FraudEvent.LENGTH);
    }

    private void capture(final TestDriver driver, final long id, final long card, final long txnId, final long time)
    {
        FraudV2Event.write(event, 0, id, card, txnId, 0, time, 0, FraudV2Event.CAPTURE);
        driver.pipe(card, event, 0, FraudEvent.LENGTH);
    }

    /**
     * @return the v2 outputs (kinds 9 to 14) as {@code KIND,field,...}, in the order they came.
     */
    private static List<String> v2Outputs(final TestDriver driver)
    {
        final List<String> lines = new ArrayList<>();
        for (final TestDriver.Record record : driver.outputs())
        {
            final OutputKind kind = OutputKind.fromNumber(record.type());
            if (kind.number() >= OutputKind.OVERLIMIT.number())
            {
                final StringBuilder line = new StringBuilder(kind.name());
                for (int i = 0; i < kind.fieldCount(); i++)
                {
                    line.append(',').append(FraudOutput.field(record.buffer(), record.offset(), i));
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }

    @Test
    void shouldDecideTheTableTheJoinAndThePatternAtTheirEdges()
    {
        try (TestDriver driver = driver())
        {
            profile(driver, 1, 7, 10_000, 7, T0);                 // card 7: limit 100.00, home country 7
            txn(driver, 2, 7, 20_000, T0 + 1_000, 9);            // over the limit and abroad
            profile(driver, 3, 7, 0, 0, T0 + 2_000);              // limit 0: the profile is deleted
            txn(driver, 4, 7, 20_000, T0 + 3_000, 9);            // no profile: neither
            capture(driver, 5, 7, 2, T0 + 121_000);                // 120,000 ms after txn 2: the bound is inclusive
            capture(driver, 6, 7, 4, T0 + 123_001);                // 120,001 ms after txn 4: out of bounds
            capture(driver, 7, 7, 2, T0 + 123_500);                // txn 2 was captured already
            txn(driver, 8, 8, 100, T0 + 124_000, 8);             // small
            txn(driver, 9, 8, 120, T0 + 124_000, 8);             // small, same time, larger id
            txn(driver, 10, 8, 250_000, T0 + 424_000, 8);        // large, 300,000 ms after both smalls: inclusive
            txn(driver, 11, 9, 100, T0 + 425_000, 9);            // small
            txn(driver, 12, 9, 250_000, T0 + 725_001, 9);        // large, 300,001 ms after it: no test charge
            driver.endOfInput();

            final List<String> expected = List.of(
                "OVERLIMIT,7,2,10000",
                "ABROAD,7,2,7",
                "CAPTURED,7,2,5,120000",
                "ORPHAN,7,6,4",
                "ORPHAN,7,7,2");
            final List<String> outputs = v2Outputs(driver);
            assertEquals(expected, outputs.subList(0, expected.size()), "as they come: " + outputs);
            // then, as the watermark passes their bounds (closed in slices, so compared as a sorted list): every TXN not
            // captured, once, and the large TXN whose pattern is decided, with the tie's smaller id
            final List<String> closed = new ArrayList<>(outputs.subList(expected.size(), outputs.size()));
            closed.sort(null);
            assertEquals(List.of(
                "TESTCHARGE,8,8,10",
                "UNCAPTURED,7,4,20000",
                "UNCAPTURED,8,10,250000",
                "UNCAPTURED,8,8,100",
                "UNCAPTURED,8,9,120",
                "UNCAPTURED,9,11,100",
                "UNCAPTURED,9,12,250000"), closed);
        }
        finally
        {
            pipelines.forEach(FraudV2Pipeline::close);
        }
    }
}
