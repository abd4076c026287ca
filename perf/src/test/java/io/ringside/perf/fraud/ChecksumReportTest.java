package io.ringside.perf.fraud;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumReportTest
{
    @Test
    void shouldMixAsSplitMix64()
    {
        // SplittableRandom(seed).nextLong() is mix64(seed + golden gamma), with the contract's mix as mix64
        for (final long seed : new long[] {0, 1, 42, -1, Long.MIN_VALUE})
        {
            assertEquals(new SplittableRandom(seed).nextLong(), ChecksumReport.mix(seed + 0x9e3779b97f4a7c15L));
        }
        assertEquals(0, ChecksumReport.mix(0));
    }

    @Test
    void shouldHashTheKindNumberFirstThenEachField()
    {
        final long velocity = ChecksumReport.mix(ChecksumReport.mix(ChecksumReport.mix(ChecksumReport.mix(4) ^ 123) ^ 456) ^ 1_700_000_040_000L);
        assertEquals(velocity, ChecksumReport.hash(OutputKind.VELOCITY, new long[] {123, 456, 1_700_000_040_000L}));

        final ChecksumReport report = new ChecksumReport();
        report.record(OutputKind.VELOCITY, 123, 456, 1_700_000_040_000L);
        report.record(OutputKind.LATE, 5);
        assertEquals(1, report.count(OutputKind.VELOCITY));
        assertEquals(velocity, report.checksum(OutputKind.VELOCITY));
        assertEquals(ChecksumReport.mix(ChecksumReport.mix(7) ^ 5), report.checksum(OutputKind.LATE));
    }

    @Test
    void shouldGiveTheSameReportThroughEveryRecordingMethod()
    {
        final long[][] records = {
            {1, 7, 60_000, 120_000, 3, 300},
            {2, 7, 0, 300_000, 3, 300},
            {3, 7, 1, 2, 3, 4, 5},
            {4, 7, 8, 9},
            {5, 7, 8, 9},
            {6, 7, 8},
            {7, -1},
            {8, Long.MIN_VALUE}};
        final ChecksumReport varargs = new ChecksumReport();
        final ChecksumReport fixed = new ChecksumReport();
        final ChecksumReport sink = new ChecksumReport();
        for (final long[] record : records)
        {
            final OutputKind kind = OutputKind.fromNumber((int)record[0]);
            final long[] fields = java.util.Arrays.copyOfRange(record, 1, record.length);
            varargs.record(kind, fields);
            final long[] padded = java.util.Arrays.copyOf(fields, OutputKind.MAX_FIELDS);
            sink.onOutput(kind, padded);
            switch (fields.length)
            {
                case 1 -> fixed.record(kind, fields[0]);
                case 2 -> fixed.record(kind, fields[0], fields[1]);
                case 3 -> fixed.record(kind, fields[0], fields[1], fields[2]);
                case 5 -> fixed.record(kind, fields[0], fields[1], fields[2], fields[3], fields[4]);
                case 6 -> fixed.record(kind, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
                default -> throw new AssertionError(fields.length);
            }
        }
        assertEquals(varargs, fixed);
        assertEquals(varargs, sink);
        assertEquals(varargs.hashCode(), sink.hashCode());
    }

    @Test
    void shouldNotDependOnOrderAndWrapOnOverflow()
    {
        final ChecksumReport forward = new ChecksumReport();
        final ChecksumReport backward = new ChecksumReport();
        final int n = 1_000;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            forward.record(OutputKind.DUPLICATE, i);
            backward.record(OutputKind.DUPLICATE, n - 1 - i);
            sum += ChecksumReport.mix(ChecksumReport.mix(8) ^ i);
        }
        assertEquals(forward, backward);
        assertEquals(sum, forward.checksum(OutputKind.DUPLICATE));

        backward.record(OutputKind.DUPLICATE, 0);
        assertNotEquals(forward, backward);
    }

    @Test
    void shouldPrintAllEightKindsInNumberOrder()
    {
        final ChecksumReport report = new ChecksumReport();
        report.record(OutputKind.LATE, 5);
        final String late = String.format("%016x", ChecksumReport.mix(ChecksumReport.mix(7) ^ 5));
        assertEquals(List.of(
            "TUMBLING count=0 checksum=0000000000000000",
            "HOPPING count=0 checksum=0000000000000000",
            "SESSION count=0 checksum=0000000000000000",
            "VELOCITY count=0 checksum=0000000000000000",
            "AMOUNT count=0 checksum=0000000000000000",
            "COUNTRY count=0 checksum=0000000000000000",
            "LATE count=1 checksum=" + late,
            "DUPLICATE count=0 checksum=0000000000000000"), report.lines());
        assertTrue(late.matches("[0-9a-f]{16}"));
    }

    @Test
    void shouldAddReports()
    {
        final ChecksumReport a = new ChecksumReport();
        final ChecksumReport b = new ChecksumReport();
        final ChecksumReport both = new ChecksumReport();
        a.record(OutputKind.COUNTRY, 1, 2);
        b.record(OutputKind.COUNTRY, 3, 4);
        b.record(OutputKind.LATE, 9);
        both.record(OutputKind.LATE, 9);
        both.record(OutputKind.COUNTRY, 3, 4);
        both.record(OutputKind.COUNTRY, 1, 2);
        a.add(b);
        assertEquals(both, a);
    }

    @Test
    void shouldRefuseTheWrongNumberOfFields()
    {
        final ChecksumReport report = new ChecksumReport();
        assertThrows(IllegalArgumentException.class, () -> report.record(OutputKind.LATE, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> report.record(OutputKind.TUMBLING, 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> report.record(OutputKind.SESSION, 1, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> report.onOutput(OutputKind.SESSION, new long[5]));
    }

    @Test
    void shouldAllocateNothingToRecord()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ChecksumReport report = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            report.record(OutputKind.TUMBLING, i, 2, 3, 4, 5);
            report.record(OutputKind.COUNTRY, i, 2);
            fields[0] = i;
            report.onOutput(OutputKind.SESSION, fields);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(100_000, report.count(OutputKind.SESSION));
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 300,000 records");
    }
}
