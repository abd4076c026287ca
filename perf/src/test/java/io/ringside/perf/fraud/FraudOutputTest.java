package io.ringside.perf.fraud;

import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FraudOutput}: each flyweight's length is its kinds' payload, its fields lie where the generic reading finds
 * them (little-endian int64s in workload order), and the checksum report hashes an output's bytes as it hashes its
 * fields.
 */
class FraudOutputTest
{
    @Test
    void shouldGiveEachKindTheLengthOfItsFields()
    {
        final Map<OutputKind, Integer> lengths = Map.of(
            OutputKind.TUMBLING, FraudOutput.WindowTotals.LENGTH, OutputKind.HOPPING, FraudOutput.WindowTotals.LENGTH,
            OutputKind.SESSION, FraudOutput.SessionTotals.LENGTH,
            OutputKind.VELOCITY, FraudOutput.WindowAlert.LENGTH, OutputKind.AMOUNT, FraudOutput.WindowAlert.LENGTH,
            OutputKind.COUNTRY, FraudOutput.CountryChange.LENGTH,
            OutputKind.LATE, FraudOutput.EventRef.LENGTH, OutputKind.DUPLICATE, FraudOutput.EventRef.LENGTH);
        final Map<OutputKind, Integer> v2Lengths = Map.of(
            OutputKind.OVERLIMIT, FraudOutput.OverLimit.LENGTH, OutputKind.ABROAD, FraudOutput.Abroad.LENGTH,
            OutputKind.TESTCHARGE, FraudOutput.TestCharge.LENGTH, OutputKind.CAPTURED, FraudOutput.Captured.LENGTH,
            OutputKind.UNCAPTURED, FraudOutput.Uncaptured.LENGTH, OutputKind.ORPHAN, FraudOutput.Orphan.LENGTH);
        for (int i = 0; i < OutputKind.count(); i++)
        {
            final OutputKind kind = OutputKind.inNumberOrder(i);
            final Integer length = i < OutputKind.V1_COUNT ? lengths.get(kind) : v2Lengths.get(kind);
            assertEquals(FraudOutput.length(kind), length, kind.name());
        }
        assertEquals(FraudOutput.SessionTotals.LENGTH, FraudOutput.MAX_LENGTH);
    }

    @Test
    void shouldLayFieldsOutInWorkloadOrderLittleEndian()
    {
        final FraudOutput.SessionTotals session = new FraudOutput.SessionTotals().wrapNew()
            .cardId(0x0102030405060708L).firstMs(2).lastMs(3).count(4).sumCents(5).countries(6);
        assertEquals(0x08, session.buffer().getByte(0));
        assertEquals(0x01, session.buffer().getByte(7));
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        FraudOutput.read(OutputKind.SESSION, session.buffer(), session.offset(), fields);
        assertArrayEquals(new long[]{0x0102030405060708L, 2, 3, 4, 5, 6}, fields);
        assertEquals(0x0102030405060708L, session.key());

        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[64]);
        assertEquals(24, FraudOutput.write(OutputKind.VELOCITY, new long[]{7, 8, 9}, bytes, 16));
        final FraudOutput.WindowAlert alert = new FraudOutput.WindowAlert().wrap(bytes, 16);
        assertEquals(7, alert.cardId());
        assertEquals(8, alert.eventId());
        assertEquals(9, alert.windowStart());
    }

    @Test
    void shouldChecksumAnOutputsBytesAsItsFields()
    {
        final ChecksumReport fromFields = new ChecksumReport();
        final ChecksumReport fromBytes = new ChecksumReport();
        final FraudOutput.WindowTotals totals = new FraudOutput.WindowTotals().wrapNew()
            .cardId(11).windowStart(60_000).windowEnd(120_000).count(3).sumCents(4_500);
        fromFields.record(OutputKind.HOPPING, 11, 60_000, 120_000, 3, 4_500);
        fromBytes.onOutput(OutputKind.HOPPING, totals);
        final FraudOutput.EventRef late = new FraudOutput.EventRef().wrapNew().eventId(42);
        fromFields.record(OutputKind.LATE, 42);
        fromBytes.onOutput(OutputKind.LATE, late.buffer(), late.offset());
        assertEquals(fromFields, fromBytes);
    }
}
