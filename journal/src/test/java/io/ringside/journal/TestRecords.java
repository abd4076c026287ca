package io.ringside.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Deterministic test records: record {@code i} has a payload whose length and bytes derive from {@code i},
 * so any record read back can be checked without remembering what was written.
 */
final class TestRecords
{
    static final int TYPE = 7;

    private TestRecords()
    {
    }

    static int payloadLength(final long i)
    {
        return 8 + (int)((i * 37) % 300);
    }

    static byte payloadByte(final long i, final int k)
    {
        return (byte)(i * 31 + k * 7 + 1);
    }

    /**
     * Writes record {@code i}'s payload into {@code buffer} at 0 and returns its length.
     */
    static int fill(final UnsafeBuffer buffer, final long i)
    {
        final int length = payloadLength(i);
        buffer.putLong(0, i);
        for (int k = 8; k < length; k++)
        {
            buffer.putByte(k, payloadByte(i, k));
        }
        return length;
    }

    static long append(final JournalAppender appender, final UnsafeBuffer scratch, final long i)
    {
        final int length = fill(scratch, i);
        return appender.append(TYPE, (int)(i & 0xFFFF), 3, (int)(i % 4), i, 1_700_000_000_000L + i, scratch, 0, length);
    }

    static UnsafeBuffer scratch()
    {
        return new UnsafeBuffer(new byte[4096]);
    }

    /**
     * Asserts that {@code record} is record {@code i}, intact.
     */
    static void assertRecord(final JournalRecord record, final long i)
    {
        assertEquals(TYPE, record.type(), "type");
        assertEquals(i & 0xFFFF, record.flags(), "flags");
        assertEquals(3, record.sourceId(), "source id");
        assertEquals(i % 4, record.partition(), "partition");
        assertEquals(i, record.sourceOffset(), "source offset");
        assertEquals(1_700_000_000_000L + i, record.timestamp(), "timestamp");
        assertEquals(payloadLength(i), record.payloadLength(), "payload length of record " + i);
        final DirectBuffer buffer = record.buffer();
        final int offset = record.payloadOffset();
        assertEquals(i, buffer.getLong(offset), "payload index");
        for (int k = 8; k < record.payloadLength(); k++)
        {
            if (buffer.getByte(offset + k) != payloadByte(i, k))
            {
                assertEquals(payloadByte(i, k), buffer.getByte(offset + k), "payload byte " + k + " of record " + i);
            }
        }
    }
}
