package io.ringside.journal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the API gets a clear, specific error, and leaves the journal usable.
 */
class JournalMisuseTest
{
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private JournalContext context()
    {
        return new JournalContext().directory(dir.resolve("journal")).segmentSize(SEGMENT);
    }

    @Test
    void shouldRefuseAnOversizedRecordAndCarryOn()
    {
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final int max = appender.maxPayloadLength();
            final UnsafeBuffer big = new UnsafeBuffer(new byte[max + 1]);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> appender.append(1, 0, 0, 0, 0, 0, big, 0, max + 1));
            assertTrue(ex.getMessage().contains("payload of " + (max + 1) + " bytes does not fit"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> appender.claim(1, 0, 0, 0, 0, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> appender.claim(40_000, 0, 0, 0, 0, 0, 8));
            assertThrows(IllegalArgumentException.class, () -> appender.claim(1, 0x10000, 0, 0, 0, 0, 8));
            TestRecords.append(appender, TestRecords.scratch(), 0);
        }
        try (JournalReader reader = JournalReader.open(context().directory()))
        {
            TestRecords.assertRecord(reader.next(), 0);
        }
    }

    @Test
    void shouldRefuseUseAfterCloseAndCloseTwiceQuietly()
    {
        final JournalAppender appender = JournalAppender.open(context());
        appender.close();
        appender.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> TestRecords.append(appender, TestRecords.scratch(), 0));
        assertTrue(ex.getMessage().contains("is closed"), ex.getMessage());
        assertThrows(IllegalStateException.class, appender::force);
        assertThrows(IllegalStateException.class, () -> appender.deleteSegmentsBelow(0));

        final JournalReader reader = JournalReader.open(context().directory());
        reader.close();
        reader.close();
        assertThrows(IllegalStateException.class, reader::next);
    }

    @Test
    void shouldRefuseAClaimInsideAClaimAndACommitWithoutOne()
    {
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            assertThrows(IllegalStateException.class, appender::commit);
            assertThrows(IllegalStateException.class, appender::abort);
            final long position = appender.claim(1, 0, 0, 0, 0, 0, 8);
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> appender.claim(1, 0, 0, 0, 0, 0, 8));
            assertTrue(ex.getMessage().contains("a claim is open at position " + position), ex.getMessage());
            appender.commit();
        }
    }

    @Test
    void shouldRefuseASecondAppenderInThisProcess()
    {
        try (JournalAppender ignored = JournalAppender.open(context()))
        {
            final JournalLockedException ex = assertThrows(JournalLockedException.class, () -> JournalAppender.open(context()));
            assertTrue(ex.getMessage().contains("already open for appending in this process"), ex.getMessage());
            assertTrue(ignored.position() > 0);
        }
        JournalAppender.open(context()).close();
    }

    @Test
    void shouldRefuseAnAppenderWhileAnotherProcessHoldsTheJournal() throws Exception
    {
        JournalAppender.open(context()).close();
        final Process holder = ChildJvm.start(CrashingAppenderMain.class,
            context().directory().toString(), Integer.toString(SEGMENT), "page-cache", "hold");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII)))
        {
            assertEquals("locked", out.readLine());
            final JournalLockedException ex = assertThrows(JournalLockedException.class, () -> JournalAppender.open(context()));
            assertTrue(ex.getMessage().contains("by another process"), ex.getMessage());
            try (JournalReader reader = JournalReader.open(context().directory()))
            {
                assertEquals(null, reader.next(), "readers take no lock");
            }
        }
        finally
        {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        JournalAppender.open(context()).close();
    }

    @Test
    void shouldRefuseADirectoryThatIsNotAJournal() throws Exception
    {
        final Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "hello");
        final JournalFormatException ex = assertThrows(JournalFormatException.class,
            () -> JournalAppender.open(context().directory(home)));
        assertTrue(ex.getMessage().contains("not a journal") && ex.getMessage().contains("notes.txt"), ex.getMessage());
        assertTrue(!Files.exists(home.resolve(SegmentDescriptor.fileName(0))), "nothing written into it");

        final Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertTrue(assertThrows(JournalFormatException.class, () -> JournalAppender.open(context().directory(file)))
            .getMessage().contains("is a file, not a directory"));
        assertTrue(assertThrows(JournalFormatException.class, () -> JournalReader.open(dir.resolve("nowhere")))
            .getMessage().contains("no such directory"));
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(JournalFormatException.class, () -> JournalReader.open(empty))
            .getMessage().contains("holds no segment files"));
    }

    @Test
    void shouldValidateTheContextOnce()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JournalAppender.open(new JournalContext()))
            .getMessage().contains("directory is not set"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JournalAppender.open(context().segmentSize(1000)))
            .getMessage().contains("segment size must be a multiple of 4096"));
        assertThrows(IllegalArgumentException.class, () -> JournalAppender.open(context().segmentSize(SEGMENT + 4096 * 3 + 1)));
        assertThrows(IllegalArgumentException.class, () -> JournalAppender.open(context().durability(null)));
    }

    @Test
    void shouldRefuseSeekingToAPositionThatIsNotARecord()
    {
        final long second;
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final UnsafeBuffer scratch = TestRecords.scratch();
            TestRecords.append(appender, scratch, 0);
            second = TestRecords.append(appender, scratch, 1);
        }
        try (JournalReader reader = JournalReader.open(context().directory()))
        {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.seek(second + 8))
                .getMessage().contains("not the start of a record"));
            assertThrows(IllegalArgumentException.class, () -> reader.seek(second + 3));
            assertThrows(IllegalArgumentException.class, () -> reader.seek(8));
            assertTrue(assertThrows(JournalException.class, () -> reader.seek(100L * SEGMENT))
                .getMessage().contains("beyond the end"));
            reader.seek(second);
            TestRecords.assertRecord(reader.next(), 1);
        }
    }
}
