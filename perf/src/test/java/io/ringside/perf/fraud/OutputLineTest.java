package io.ringside.perf.fraud;

import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutputLineTest
{
    @Test
    void shouldFormatKindThenFieldsAsCommaSeparatedDecimals()
    {
        assertEquals("VELOCITY,123,456,1700000040000", OutputLine.format(OutputKind.VELOCITY, 123, 456, 1_700_000_040_000L));
        assertEquals("SESSION,-1,2,3,4,5,6", OutputLine.format(OutputKind.SESSION, -1, 2, 3, 4, 5, 6));
        assertEquals("LATE," + Long.MIN_VALUE, OutputLine.format(OutputKind.LATE, Long.MIN_VALUE));
    }

    @Test
    void shouldParseWhatItFormatsForEveryKind()
    {
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final OutputKind kind : OutputKind.values())
        {
            final long[] expected = new long[kind.fieldCount()];
            for (int i = 0; i < expected.length; i++)
            {
                expected[i] = i % 2 == 0 ? Long.MAX_VALUE - i : Long.MIN_VALUE + i;
            }
            assertEquals(kind, OutputLine.parse(OutputLine.format(kind, expected), fields));
            assertArrayEquals(expected, java.util.Arrays.copyOf(fields, kind.fieldCount()));
        }
    }

    @Test
    void shouldRefuseMalformedLines()
    {
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : new String[] {
            "", "LATE", "LATE,", "LATE,1,2", "velocity,1,2,3", "VELOCITY,1,2", "VELOCITY,1,2,3,4", "VELOCITY,1, 2,3",
            "COUNTRY,1,+2", "COUNTRY,1,2x", "COUNTRY,,2", "FRAUD,1", "DUPLICATE,99999999999999999999"})
        {
            assertThrows(IllegalArgumentException.class, () -> OutputLine.parse(line, fields), line);
        }
        assertThrows(IllegalArgumentException.class, () -> OutputLine.parse("LATE,1", new long[1]));
        assertThrows(IllegalArgumentException.class, () -> OutputLine.format(OutputKind.LATE, 1, 2));
    }

    @Test
    void shouldWriteOneLinePerRecord()
    {
        final StringWriter out = new StringWriter();
        final OutputRecordSink writer = new OutputLineWriter(out);
        writer.onOutput(OutputKind.COUNTRY, new long[] {7, 8, 99, 99, 99, 99});
        writer.onOutput(OutputKind.DUPLICATE, new long[] {3});
        assertEquals("COUNTRY,7,8\nDUPLICATE,3\n", out.toString());
    }
}
