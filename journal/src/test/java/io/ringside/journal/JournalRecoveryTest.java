package io.ringside.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Torn and corrupted bytes written into a journal's segments: a torn tail is cut off and reported; a
 * bad record followed by valid ones is refused with its segment and position, and nothing is changed.
 */
class JournalRecoveryTest
{
    private static final int SEGMENT = 64 * 1024;
    private static final int RECORDS = 1_000;

    @TempDir
    Path dir;

    private final List<Long> positions = new ArrayList<>();
    private long end;

    @BeforeEach
    void writeJournal()
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            for (long i = 0; i < RECORDS; i++)
            {
                positions.add(TestRecords.append(appender, scratch, i));
            }
            end = appender.position();
        }
    }

    private JournalContext context()
    {
        return new JournalContext().directory(dir).segmentSize(SEGMENT);
    }

    private Path segmentOf(final long position)
    {
        return dir.resolve(SegmentDescriptor.fileName(SegmentDescriptor.segmentBase(position, SEGMENT)));
    }

    private void write(final long position, final byte[] bytes) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(segmentOf(position).toFile(), "rw"))
        {
            file.seek(position % SEGMENT);
            file.write(bytes);
        }
    }

    private byte[] read(final long position, final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        try (RandomAccessFile file = new RandomAccessFile(segmentOf(position).toFile(), "r"))
        {
            file.seek(position % SEGMENT);
            file.readFully(bytes);
        }
        return bytes;
    }

    private static byte[] intLe(final int value)
    {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    @Test
    void shouldCutOffAHalfWrittenRecordAtTheTail() throws IOException
    {
        final long last = positions.get(RECORDS - 1);
        final byte[] lastRecord = read(last, RecordDescriptor.HEADER_LENGTH + TestRecords.payloadLength(RECORDS - 1));
        lastRecord[lastRecord.length - 1] ^= 0x55;
        write(last, new byte[lastRecord.length]);
        write(last, lastRecord);

        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final RecoveryReport report = appender.recovery();
            assertTrue(report.truncated(), report.toString());
            assertEquals(last, report.tornPosition());
            assertEquals(lastRecord.length, report.tornBytes());
            assertTrue(report.tornReason().contains("CRC32C mismatch"), report.tornReason());
            assertEquals(last, appender.position());
            TestRecords.append(appender, TestRecords.scratch(), RECORDS - 1);
        }
        assertAllRecordsReadable();
    }

    @Test
    void shouldCutOffStrayBytesAfterTheLastRecord() throws IOException
    {
        write(end + 24, new byte[] {1, 2, 3});
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final RecoveryReport report = appender.recovery();
            assertTrue(report.truncated(), report.toString());
            assertEquals(end, report.tornPosition());
            assertEquals(27, report.tornBytes());
            assertEquals(end, appender.position());
        }
        assertArrayEquals(new byte[32], read(end, 32), "the torn bytes are zeroed");
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            assertTrue(!appender.recovery().truncated(), "a second open finds a clean tail");
        }
    }

    @Test
    void shouldCutOffATornRecordThatOpensANewSegment() throws IOException
    {
        final long nextBase = SegmentDescriptor.segmentBase(end, SEGMENT) + SEGMENT;
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            long i = RECORDS;
            while (appender.position() < nextBase)
            {
                TestRecords.append(appender, scratch, i++);
            }
        }
        final long first = nextBase + SegmentDescriptor.HEADER_LENGTH;
        write(first + RecordDescriptor.HEADER_LENGTH, new byte[] {9, 9, 9, 9});

        try (JournalAppender appender = JournalAppender.open(context()))
        {
            assertTrue(appender.recovery().truncated(), appender.recovery().toString());
            assertTrue(appender.position() <= first, "the torn record in the new segment is gone");
        }
    }

    @Test
    void shouldRefuseACorruptRecordFollowedByValidOnesAndChangeNothing() throws IOException
    {
        final long bad = positions.get(RECORDS - 20);
        final byte[] before = Files.readAllBytes(segmentOf(bad));
        write(bad + RecordDescriptor.HEADER_LENGTH + 3, new byte[] {(byte)0xFF});
        final byte[] corrupted = Files.readAllBytes(segmentOf(bad));

        final JournalCorruptedException ex = assertThrows(JournalCorruptedException.class, () -> JournalAppender.open(context()));
        assertEquals(bad, ex.position());
        assertEquals(segmentOf(bad), ex.segment());
        assertTrue(ex.getMessage().contains(segmentOf(bad).toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("position " + bad), ex.getMessage());
        assertTrue(ex.getMessage().contains("CRC32C mismatch"), ex.getMessage());
        assertArrayEquals(corrupted, Files.readAllBytes(segmentOf(bad)), "nothing truncated or repaired");
        assertTrue(before.length == corrupted.length);
        assertTrue(!Files.exists(dir.resolve(SegmentDescriptor.LOCK_FILE_NAME)) || JournalAppenderLockProbe.canLock(dir),
            "a refused open releases the lock");
    }

    @Test
    void shouldRefuseAZeroedRecordFollowedByValidOnes() throws IOException
    {
        final long hole = positions.get(RECORDS - 5);
        write(hole, intLe(0));
        final JournalCorruptedException ex = assertThrows(JournalCorruptedException.class, () -> JournalAppender.open(context()));
        assertEquals(hole, ex.position());
        assertTrue(ex.getMessage().contains("valid record follows at position " + positions.get(RECORDS - 4)), ex.getMessage());
    }

    @Test
    void shouldReportCorruptionInAnOlderSegmentWhenReadingIt() throws IOException
    {
        final long bad = positions.get(3);
        write(bad + RecordDescriptor.TIMESTAMP_OFFSET, new byte[] {42});
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (int i = 0; i < 3; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            final JournalCorruptedException ex = assertThrows(JournalCorruptedException.class, reader::next);
            assertEquals(bad, ex.position());
            assertEquals(segmentOf(bad), ex.segment());
        }
    }

    @Test
    void shouldRefuseAnImpossibleLengthInTheMiddle() throws IOException
    {
        final long bad = positions.get(RECORDS - 3);
        write(bad, intLe(SEGMENT * 2));
        final JournalCorruptedException ex = assertThrows(JournalCorruptedException.class, () -> JournalAppender.open(context()));
        assertEquals(bad, ex.position());
        assertTrue(ex.getMessage().contains("impossible"), ex.getMessage());
    }

    @Test
    void shouldNameAMissingSegment() throws IOException
    {
        final Path second = dir.resolve(SegmentDescriptor.fileName(SEGMENT));
        Files.delete(second);
        final JournalFormatException ex = assertThrows(JournalFormatException.class, () -> JournalAppender.open(context()));
        assertTrue(ex.getMessage().contains("missing journal segment " + second), ex.getMessage());
        assertThrows(JournalFormatException.class, () -> JournalReader.open(dir));
    }

    @Test
    void shouldRefuseAnotherSegmentSize()
    {
        final JournalFormatException ex = assertThrows(JournalFormatException.class,
            () -> JournalAppender.open(context().segmentSize(SEGMENT * 2)));
        assertTrue(ex.getMessage().contains("segments of " + SEGMENT + " bytes, but the context asks for " + SEGMENT * 2), ex.getMessage());
    }

    @Test
    void shouldRefuseATruncatedSegmentFile() throws IOException
    {
        final Path first = dir.resolve(SegmentDescriptor.fileName(0));
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw"))
        {
            file.setLength(SEGMENT / 2);
        }
        final JournalFormatException ex = assertThrows(JournalFormatException.class, () -> JournalAppender.open(context()));
        assertTrue(ex.getMessage().contains("wrong segment size") && ex.getMessage().contains(first.toString()), ex.getMessage());
    }

    @Test
    void shouldRefuseAFileThatIsNotASegment() throws IOException
    {
        write(0, "not a journal!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final JournalFormatException ex = assertThrows(JournalFormatException.class, () -> JournalAppender.open(context()));
        assertTrue(ex.getMessage().contains("not a journal segment"), ex.getMessage());
    }

    @Test
    void shouldRefuseAnotherFormatVersion() throws IOException
    {
        final Path first = dir.resolve(SegmentDescriptor.fileName(0));
        final ByteBuffer header = ByteBuffer.wrap(read(0, SegmentDescriptor.HEADER_LENGTH)).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(SegmentDescriptor.VERSION_OFFSET, 99);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header.array(), 0, SegmentDescriptor.HEADER_CRC_OFFSET);
        header.putInt(SegmentDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
        write(0, header.array());
        final JournalFormatException ex = assertThrows(JournalFormatException.class, () -> JournalAppender.open(context()));
        assertTrue(ex.getMessage().contains("unsupported journal format version 99 in " + first), ex.getMessage());
    }

    @Test
    void shouldRefuseASegmentOfAnotherJournal() throws IOException
    {
        final Path other = dir.resolveSibling(dir.getFileName() + "-other");
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(other).segmentSize(SEGMENT)))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            for (long i = 0; i < RECORDS * 3; i++)
            {
                TestRecords.append(appender, scratch, i);
            }
        }
        final long lastBase = SegmentDescriptor.segmentBase(end, SEGMENT);
        final Path stranger = dir.resolve(SegmentDescriptor.fileName(lastBase + SEGMENT));
        Files.copy(other.resolve(SegmentDescriptor.fileName(lastBase + SEGMENT)), stranger);
        final JournalFormatException ex = assertThrows(JournalFormatException.class, () -> JournalAppender.open(context()));
        assertTrue(ex.getMessage().contains("belongs to another journal"), ex.getMessage());
    }

    private void assertAllRecordsReadable()
    {
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < RECORDS; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            assertNull(reader.next());
        }
    }
}
