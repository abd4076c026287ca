package io.ringside.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk on a real, small file system (a tmpfs of 96 KiB mounted for the test, which needs root: skipped
 * otherwise): the preparer makes the file system back every page of a segment before it is used, so running out of
 * space is an IOException at the roll, never a fault inside an append.
 */
class JournalDiskFullTest
{
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path parent;

    private Path dir;
    private boolean mounted;

    @BeforeEach
    void mountSmallFileSystem() throws Exception
    {
        dir = Files.createDirectory(parent.resolve("small"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", dir.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (not root?): the full-disk test needs one");
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mounted)
        {
            assertEquals(0, run("umount", dir.toString()), "unmount " + dir);
        }
    }

    @Test
    void shouldRefuseToOpenWhenTheFirstSegmentDoesNotFit() throws Exception
    {
        final JournalContext ctx = new JournalContext().directory(dir).segmentSize(2 * SEGMENT);
        final UncheckedIOException error = assertThrows(UncheckedIOException.class, () -> JournalAppender.open(ctx).close());
        assertTrue(error.getMessage().contains("cannot create journal segment") && error.getMessage().contains("disk full"),
            error.getMessage());
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(name -> !name.equals("journal.lock")).toList(),
                "no segment, whole or temporary, is left behind");
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("ringside-journal-preparer")),
            "the failed open stopped its preparer thread");
    }

    @Test
    void shouldFailTheRollClearlyAndKeepEveryRecordBeforeIt() throws Exception
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        long appended = 0;
        UncheckedIOException error = null;
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(SEGMENT)))
        {
            // the first segment fits; the preparer runs out of space half way through the second
            try
            {
                for (; appended < 10_000; appended++)
                {
                    TestRecords.append(appender, scratch, appended);
                    appender.endOfBatch();
                }
            }
            catch (final UncheckedIOException ex)
            {
                error = ex;
            }
        }
        assertTrue(error != null, "the roll into a segment without space fails");
        assertTrue(error.getMessage().contains("disk full"), error.getMessage());
        assertTrue(appended > 100, "the first segment took records: " + appended);
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < appended; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            assertNull(reader.next());
        }
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
