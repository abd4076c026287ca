package io.ringside.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalDumpTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long[] positions;

    @BeforeEach
    void writeJournal()
    {
        positions = new long[10];
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(64 * 1024)))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            for (int i = 0; i < positions.length; i++)
            {
                positions[i] = TestRecords.append(appender, scratch, i);
            }
        }
    }

    private long dump(final long from, final long limit, final int bytes)
    {
        return JournalDump.dump(dir, from, limit, bytes, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintEveryRecordWithItsFields()
    {
        assertEquals(10, dump(-1, Long.MAX_VALUE, 64));
        final String text = out();
        assertTrue(text.contains("position=64 type=7 flags=0x0 source=3 partition=0 offset=0 timestamp=1700000000000 payload=8 0000000000000000"), text);
        assertTrue(text.contains("position=" + positions[9] + " type=7 flags=0x9 source=3 partition=1 offset=9"), text);
        assertTrue(text.contains("-- 10 record(s) printed"), text);
        assertTrue(text.contains("-- end of journal (clean tail)"), text);
    }

    @Test
    void shouldStartFromAPositionAndStopAtALimit()
    {
        assertEquals(2, dump(positions[4], 2, 0));
        final String text = out();
        assertTrue(text.contains("offset=4 ") && text.contains("offset=5 ") && !text.contains("offset=6 "), text);
        assertTrue(text.contains("-- 2 record(s) printed; next position " + positions[6]), text);
    }

    @Test
    void shouldReportATornTailWithoutCuttingIt() throws IOException
    {
        final long end = positions[9] + RecordDescriptor.alignedLength(RecordDescriptor.frameLength(TestRecords.payloadLength(9)));
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(SegmentDescriptor.fileName(0)).toFile(), "rw"))
        {
            file.seek(end + 16);
            file.write(7);
        }
        assertEquals(10, dump(-1, Long.MAX_VALUE, 64));
        assertTrue(out().contains("-- torn tail of 17 byte(s) at position " + end), out());
        out.reset();
        assertEquals(10, dump(-1, Long.MAX_VALUE, 64));
        assertTrue(out().contains("-- torn tail of 17 byte(s) at position " + end), "the dump repairs nothing: " + out());
    }

    @Test
    void shouldStopAtCorruptionWithItsPosition() throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(SegmentDescriptor.fileName(0)).toFile(), "rw"))
        {
            file.seek(positions[3] + RecordDescriptor.HEADER_LENGTH);
            file.write(0xEE);
        }
        final String error = assertThrows(JournalCorruptedException.class, () -> dump(-1, Long.MAX_VALUE, 64)).getMessage();
        assertTrue(out().contains("-- 3 record(s) printed before the corruption"), out());
        assertTrue(error.contains("at position " + positions[3]) && error.contains(SegmentDescriptor.fileName(0)), error);
    }

    @Test
    void shouldRefuseWhatIsNoJournalOrNoRecordPosition()
    {
        assertTrue(assertThrows(JournalFormatException.class, () -> JournalDump.dump(dir.resolve("missing"), -1, 1, 0, System.out))
            .getMessage().contains("no such directory"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> dump(13, Long.MAX_VALUE, 64)).getMessage()
            .contains("not a record boundary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> dump(-1, -1, 64)).getMessage().contains("limit -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> dump(-2, 1, 64)).getMessage().contains("from -2"));
    }
}
