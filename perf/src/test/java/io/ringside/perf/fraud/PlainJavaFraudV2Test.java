package io.ringside.perf.fraud;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-Java implementation of workload v2 against the contract's reference values: seed 42, smoke size, one source.
 */
class PlainJavaFraudV2Test
{
    /** The workload v2 contract's reference lines (an independent implementation's). */
    static final List<String> SMOKE_SEED_42 = List.of(
        "TUMBLING count=9917 checksum=1c41799a3ee61c57",
        "HOPPING count=49585 checksum=a670bbdeffa194b8",
        "SESSION count=9917 checksum=cb2915da3f8c5967",
        "VELOCITY count=100 checksum=d1b29e53f3005d24",
        "AMOUNT count=4141 checksum=9acb155e166902ab",
        "COUNTRY count=8138 checksum=06765cd341c910f7",
        "LATE count=90 checksum=d6cd377c6a1fd05c",
        "DUPLICATE count=968 checksum=5c51c7828c8e93e0",
        "OVERLIMIT count=4317 checksum=9a1cb65351c48255",
        "ABROAD count=6458 checksum=4939c9029cf0ff29",
        "TESTCHARGE count=8592 checksum=41ea6e114459f76e",
        "CAPTURED count=2376 checksum=879329a4f2d20d3d",
        "UNCAPTURED count=91084 checksum=c87b552bf51c4d69",
        "ORPHAN count=150 checksum=452499f9a3ba21f4");

    static ChecksumReport runPlain(final WorkloadGeneratorV2 generator)
    {
        final ChecksumReport report = ChecksumReport.v2();
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2(report);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        assertEquals(0, plain.openTransactions());
        return report;
    }

    @Test
    void shouldGiveTheContractsReferenceValuesAtTheSmokeSizeSeed42()
    {
        final ChecksumReport report = runPlain(new WorkloadGeneratorV2(WorkloadSize.SMOKE, 42));
        assertEquals(SMOKE_SEED_42, report.lines(), () -> String.join("\n", report.lines()));
    }

    @Test
    void shouldProduceEveryKindAtAnotherSeed()
    {
        final ChecksumReport report = runPlain(new WorkloadGeneratorV2(WorkloadSize.SMOKE, 7));
        for (int i = 0; i < OutputKind.V2_COUNT; i++)
        {
            assertTrue(report.count(OutputKind.inNumberOrder(i)) > 0, OutputKind.inNumberOrder(i) + " at seed 7");
        }
    }
}
