package io.ringside.journal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash consistency with real process kills: a child JVM appends continuously and reports every
 * record it has committed; the test kills it with SIGKILL after a random number of records, reopens the
 * journal, and checks that every reported record is there, intact and in order, and nothing is after the
 * end. 24 kills, on 64 KiB segments so that many kills land near a roll, alternating page-cache and
 * group-commit. A kill that lands inside an append leaves that one record uncommitted (frame length 0,
 * other bytes written): recovery must cut exactly that off, and never anything committed.
 */
class JournalCrashTest
{
    private static final int SEGMENT = 64 * 1024;
    private static final int KILLS = 24;
    /** The largest test record in the journal, alignment included: a kill may leave at most this much torn. */
    private static final int MAX_RECORD = RecordDescriptor.alignedLength(RecordDescriptor.frameLength(8 + 299));

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryCommittedRecordAcrossSigkills() throws Exception
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final Long2LongHashMap reported = new Long2LongHashMap(-1);
        long expectedNext = 0;
        int truncations = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final String policy = kill % 2 == 0 ? "page-cache" : "group-commit";
            final Process child = ChildJvm.start(CrashingAppenderMain.class, dir.toString(), Integer.toString(SEGMENT), policy);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
            {
                final String start = out.readLine();
                assertTrue(start != null && start.startsWith("start "), "child did not start: " + start + " (seed " + seed + ")");
                final String[] parts = start.split(" ");
                assertEquals(expectedNext, Long.parseLong(parts[1]), "child resumed at the wrong record (seed " + seed + ")");
                final int records = 1 + random.nextInt(kill % 3 == 0 ? 400 : 6_000);
                String line = null;
                for (int i = 0; i < records && (line = out.readLine()) != null; i++)
                {
                    final int space = line.indexOf(' ');
                    reported.put(Long.parseLong(line.substring(0, space)), Long.parseLong(line.substring(space + 1)));
                }
                assertTrue(line != null, "child stopped early (seed " + seed + ")");
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            finally
            {
                child.destroyForcibly();
            }

            try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(SEGMENT)))
            {
                final RecoveryReport report = appender.recovery();
                if (report.truncated())
                {
                    truncations++;
                    assertTrue(report.tornBytes() <= MAX_RECORD && report.tornReason().startsWith("an uncommitted record"),
                        "a SIGKILL can tear only the record being appended, found after kill " + kill + " (" + policy + "): " +
                        report + " (seed " + seed + ")");
                }
                expectedNext = verify(reported, seed, appender.position());
            }
        }
        assertTrue(reported.size() > KILLS, "too few records reported: " + reported.size());
        System.out.println("JournalCrashTest: " + KILLS + " kills, " + reported.size() + " records committed, " + truncations +
            " kill(s) landed inside an append and left an uncommitted record that recovery cut off (seed " + seed + ")");
    }

    /**
     * @return the index of the record after the last one in the journal.
     */
    private long verify(final Long2LongHashMap reported, final long seed, final long end)
    {
        long count = 0;
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (JournalRecord record = reader.next(); record != null; record = reader.next())
            {
                TestRecords.assertRecord(record, count);
                final long position = reported.get(count);
                if (position != -1)
                {
                    assertEquals(position, record.position(), "record " + count + " moved (seed " + seed + ")");
                }
                count++;
            }
            assertNull(reader.next());
            assertEquals(end, reader.position(), "the reader and the appender disagree on the end");
        }
        for (long i = count; i < count + 100; i++)
        {
            assertEquals(-1, reported.get(i), "committed record " + i + " is missing after the kill (seed " + seed + ")");
        }
        long maxReported = -1;
        for (final Long2LongHashMap.KeyIterator it = reported.keySet().iterator(); it.hasNext(); )
        {
            maxReported = Math.max(maxReported, it.nextValue());
        }
        assertTrue(count > maxReported, "journal holds " + count + " records but " + maxReported + " was committed (seed " + seed + ")");
        return count;
    }
}
