package io.ringside.engine;

import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The journal holds every published event, in publish order, with its key, bytes and source fields,
 * at the position the handler was told.
 */
class EngineJournalTest
{
    private static final int EVENTS = 3_000;
    private static final int MAX_EVENT_LENGTH = 200;
    private static final int SOURCE_ID = 42;

    @TempDir
    Path dir;

    @Test
    void shouldJournalEveryEventInPublishOrder()
    {
        final long[] positions = new long[EVENTS];
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(Topology.PIPELINED)
            .shardCount(2)
            .maxEventLength(MAX_EVENT_LENGTH)
            .handlers(shard -> (event, context) -> positions[event.buffer().getInt(event.offset())] = event.journalPosition());
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_EVENT_LENGTH]);
        try (Engine engine = new Engine(ctx).start())
        {
            final EventPublisher publisher = engine.newPublisher(SOURCE_ID);
            for (int i = 0; i < EVENTS; i++)
            {
                final int length = fill(scratch, i);
                switch (i % 3)
                {
                    case 0:
                        publisher.publish(key(i), scratch, 0, length);
                        break;
                    case 1:
                        publisher.publish(key(i), i % 5, 1_000L + i, timestamp(i), scratch, 0, length);
                        break;
                    default:
                        publisher.claim(key(i), length);
                        publisher.buffer().putBytes(0, scratch, 0, length);
                        publisher.partition(i % 5).sourceOffset(1_000L + i).timestamp(timestamp(i)).commit();
                        break;
                }
            }
        }

        final UnsafeBuffer expected = new UnsafeBuffer(new byte[MAX_EVENT_LENGTH]);
        try (JournalReader reader = JournalReader.open(ctx.journalDirectory()))
        {
            for (int i = 0; i < EVENTS; i++)
            {
                final JournalRecord record = reader.next();
                final String which = "record " + i;
                assertEquals(SlotType.DATA, record.type(), which);
                assertEquals(SOURCE_ID, record.sourceId(), which);
                assertEquals(i % 3 == 0 ? 0 : i % 5, record.partition(), which);
                assertEquals(i % 3 == 0 ? sourceOffsetAfter(i) : 1_000L + i, record.sourceOffset(), which);
                assertEquals(i % 3 == 0 ? 0 : timestamp(i), record.timestamp(), which);
                assertEquals(positions[i], record.position(), which + ": the position the handler was told");
                final int length = fill(expected, i);
                assertEquals(EventRecordDescriptor.EVENT_OFFSET + length, record.payloadLength(), which);
                assertEquals(key(i), record.buffer().getLong(record.payloadOffset() + EventRecordDescriptor.KEY_OFFSET), which);
                final byte[] actual = new byte[length];
                record.buffer().getBytes(record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET, actual);
                final byte[] wanted = new byte[length];
                expected.getBytes(0, wanted);
                assertArrayEquals(wanted, actual, which);
            }
            assertNull(reader.next(), "nothing after the last event");
        }
    }

    /**
     * @return the source offset a plain publish gives event {@code i}: one past the previous event's.
     */
    private static long sourceOffsetAfter(final int i)
    {
        return i == 0 ? 0 : 1_000L + i;
    }

    private static long key(final int i)
    {
        return new SplittableRandom(i).nextLong();
    }

    private static long timestamp(final int i)
    {
        return 1_700_000_000_000L + i * 3L;
    }

    /**
     * Writes event {@code i}: its number, then bytes derived from it; 4 to {@link #MAX_EVENT_LENGTH} bytes.
     */
    private static int fill(final MutableDirectBuffer buffer, final int i)
    {
        final int length = 4 + (i * 37) % (MAX_EVENT_LENGTH - 3);
        buffer.putInt(0, i);
        for (int k = 4; k < length; k++)
        {
            buffer.putByte(k, (byte)(i * 31 + k * 7));
        }
        return length;
    }
}
