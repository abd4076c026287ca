package io.ringside.journal;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalReaderTest
{
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldFollowTheAppenderLiveAcrossRolls() throws Exception
    {
        final int count = 20_000;
        final JournalContext ctx = new JournalContext().directory(dir).segmentSize(SEGMENT);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong read = new AtomicLong();
        try (JournalAppender appender = JournalAppender.open(ctx))
        {
            final Thread tailer = new Thread(() ->
            {
                final SleepingIdleStrategy idle = new SleepingIdleStrategy(100_000);
                try (JournalReader reader = JournalReader.open(dir))
                {
                    final long deadline = System.nanoTime() + 60_000_000_000L;
                    while (read.get() < count && System.nanoTime() < deadline)
                    {
                        final int n = reader.poll(record -> TestRecords.assertRecord(record, read.getAndIncrement()), 64);
                        idle.idle(n);
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            }, "journal-tailer");
            tailer.start();
            final UnsafeBuffer scratch = TestRecords.scratch();
            final SleepingIdleStrategy pause = new SleepingIdleStrategy(50_000);
            for (long i = 0; i < count; i++)
            {
                TestRecords.append(appender, scratch, i);
                if (i % 1_000 == 999)
                {
                    pause.idle();
                }
            }
            tailer.join(90_000);
            assertTrue(!tailer.isAlive(), "tailer did not finish");
        }
        if (failure.get() != null)
        {
            throw new AssertionError("tailer failed after " + read.get() + " records", failure.get());
        }
        assertEquals(count, read.get());
    }

    @Test
    void shouldStartFromAnyRecordPositionAndStopAtTheEnd()
    {
        final long[] positions = new long[500];
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(SEGMENT)))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            for (int i = 0; i < positions.length; i++)
            {
                positions[i] = TestRecords.append(appender, scratch, i);
            }
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (final int from : new int[] {499, 0, 321, 17})
            {
                reader.seek(positions[from]);
                for (int i = from; i < positions.length; i++)
                {
                    final JournalRecord record = reader.next();
                    TestRecords.assertRecord(record, i);
                    if (i + 1 < positions.length)
                    {
                        assertTrue(record.endPosition() <= positions[i + 1]);
                    }
                }
                assertNull(reader.next());
            }
            reader.seek(positions[200]);
            final JournalRecord record = reader.next();
            final long after = record.endPosition();
            reader.seek(after);
            TestRecords.assertRecord(reader.next(), 201);
        }
    }

    @Test
    void shouldStopAtAHoleInAnOlderSegmentWithTheSegmentAndPositionNamed() throws Exception
    {
        final long[] positions = appendRecords(2_000);
        assertTrue(positions[positions.length - 1] > 3L * SEGMENT, "the records span several segments");
        final Path first = dir.resolve(SegmentDescriptor.fileName(0));
        final int at = 40;   // from a record boundary in the oldest segment: a page's worth of zeros (cut mid-record: a CRC mismatch)
        assertTrue(positions[at] + 4_096 < SEGMENT);
        zero(first, positions[at], 4_096);
        final long[] read = {0};
        try (JournalReader reader = JournalReader.open(dir))
        {
            final JournalCorruptedException hole = org.junit.jupiter.api.Assertions.assertThrows(JournalCorruptedException.class, () ->
            {
                while (reader.next() != null)
                {
                    read[0]++;
                }
            });
            assertEquals(first, hole.segment());
            assertEquals(positions[at], hole.position(), hole.getMessage());
            assertTrue(hole.getMessage().contains("a hole"), hole.getMessage());
            assertEquals(at, read[0], "every record before the hole was read");
        }
    }

    @Test
    void shouldStopAtASegmentWhoseBodyWasZeroed() throws Exception
    {
        appendRecords(2_000);
        final Path second = dir.resolve(SegmentDescriptor.fileName(SEGMENT));
        zero(second, SegmentDescriptor.HEADER_LENGTH, SEGMENT - SegmentDescriptor.HEADER_LENGTH);
        try (JournalReader reader = JournalReader.open(dir))
        {
            final JournalCorruptedException hole = org.junit.jupiter.api.Assertions.assertThrows(JournalCorruptedException.class, () ->
            {
                while (reader.next() != null)
                {
                    // read to the hole
                }
            });
            assertEquals(second, hole.segment());
            assertEquals(SEGMENT + SegmentDescriptor.HEADER_LENGTH, hole.position());
        }
    }

    @Test
    void shouldStopWhereASegmentIsMissingBeforeLaterOnesInsteadOfTakingItForTheEnd() throws Exception
    {
        appendRecords(2_000);
        try (JournalReader reader = JournalReader.open(dir))
        {
            // deleted under a reader already open (one opened now is refused: JournalLayout checks that segments follow on)
            java.nio.file.Files.delete(dir.resolve(SegmentDescriptor.fileName(SEGMENT)));
            final JournalException gap = org.junit.jupiter.api.Assertions.assertThrows(JournalException.class, () ->
            {
                while (reader.next() != null)
                {
                    // read to the gap
                }
            });
            assertTrue(gap.getMessage().contains(SegmentDescriptor.fileName(SEGMENT)), gap.getMessage());
        }
        final JournalFormatException refused = org.junit.jupiter.api.Assertions.assertThrows(JournalFormatException.class, () -> JournalReader.open(dir));
        assertTrue(refused.getMessage().contains("missing journal segment"), refused.getMessage());
    }

    /** Appends test records 0 to count - 1 to a journal in {@code dir} of small segments; returns their positions. */
    private long[] appendRecords(final int count)
    {
        final long[] positions = new long[count];
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(SEGMENT)))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            for (int i = 0; i < count; i++)
            {
                positions[i] = TestRecords.append(appender, scratch, i);
            }
        }
        return positions;
    }

    private static void zero(final Path file, final long from, final int length) throws java.io.IOException
    {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.allocate(length), from);
        }
    }
}
