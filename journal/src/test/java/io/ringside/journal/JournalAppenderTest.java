package io.ringside.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalAppenderTest
{
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private JournalContext context()
    {
        return new JournalContext().directory(dir).segmentSize(SEGMENT);
    }

    @Test
    void shouldReadBackWhatWasAppended()
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        final List<Long> positions = new ArrayList<>();
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            assertTrue(appender.recovery().created());
            for (long i = 0; i < 100; i++)
            {
                final long expected = appender.position();
                final long position = TestRecords.append(appender, scratch, i);
                assertEquals(expected, position);
                positions.add(position);
            }
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < 100; i++)
            {
                final JournalRecord record = reader.next();
                TestRecords.assertRecord(record, i);
                assertEquals(positions.get((int)i), record.position());
                assertEquals(0, record.position() % RecordDescriptor.FRAME_ALIGNMENT);
            }
            assertNull(reader.next());
        }
    }

    @Test
    void shouldRollSegmentsWithoutSplittingARecord() throws IOException
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        final int count = 2_000;
        final long end;
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            for (long i = 0; i < count; i++)
            {
                TestRecords.append(appender, scratch, i);
            }
            end = appender.position();
        }
        final long segments;
        try (Stream<Path> files = Files.list(dir))
        {
            segments = files.filter(p -> p.toString().endsWith(".seg")).count();
        }
        assertTrue(segments >= 5, "expected several segments, found " + segments);
        assertEquals(SEGMENT, Files.size(dir.resolve(SegmentDescriptor.fileName(SEGMENT))));

        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < count; i++)
            {
                final JournalRecord record = reader.next();
                TestRecords.assertRecord(record, i);
                final long base = SegmentDescriptor.segmentBase(record.position(), SEGMENT);
                assertTrue(record.position() + record.frameLength() <= base + SEGMENT, "record straddles a segment");
            }
            assertNull(reader.next());
            assertEquals(end, reader.position());
        }
    }

    @Test
    void shouldWriteTheSameRecordsWhetherThePreparerPrefaultsOrNot() throws IOException
    {
        assertFalse(new JournalContext().prefault(), "the appender takes each page's first write by default");
        final UnsafeBuffer scratch = TestRecords.scratch();
        final Path plain = dir.resolve("plain");
        final Path prefaulted = dir.resolve("prefaulted");
        for (final Path journal : List.of(plain, prefaulted))
        {
            try (JournalAppender appender = JournalAppender.open(
                new JournalContext().directory(journal).segmentSize(SEGMENT).prefault(journal == prefaulted)))
            {
                for (long i = 0; i < 2_000; i++)
                {
                    TestRecords.append(appender, scratch, i);
                }
            }
        }
        assertSameSegmentsAfterTheirHeaders(plain, prefaulted, 2_000);
    }

    /**
     * Both journals hold the same segments, byte for byte after the headers (which differ in the journal id only), and
     * {@code other} reads back records 0 to {@code records - 1}.
     */
    private static void assertSameSegmentsAfterTheirHeaders(final Path plain, final Path other, final long records) throws IOException
    {
        final List<Path> segments;
        try (Stream<Path> files = Files.list(plain))
        {
            segments = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        assertTrue(segments.size() >= 5, "expected several rolls, found " + segments.size() + " segments");
        for (final Path segment : segments)
        {
            final byte[] a = Files.readAllBytes(segment);
            final byte[] b = Files.readAllBytes(other.resolve(segment.getFileName()));
            assertTrue(java.util.Arrays.equals(a, SegmentDescriptor.HEADER_LENGTH, a.length, b, SegmentDescriptor.HEADER_LENGTH, b.length),
                "segment " + segment.getFileName() + " differs in " + other.getFileName());
        }
        try (JournalReader reader = JournalReader.open(other))
        {
            for (long i = 0; i < records; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            assertNull(reader.next());
        }
    }

    @Test
    void shouldTouchPagesAheadOfTheAppenderWithoutChangingAByte() throws IOException
    {
        assertEquals(JournalContext.DEFAULT_TOUCH_AHEAD, new JournalContext().touchAhead(), "on by default");
        final UnsafeBuffer scratch = TestRecords.scratch();
        final Path plain = dir.resolve("plain");
        final Path touched = dir.resolve("touched");
        long pages = 0;
        for (final Path journal : List.of(plain, touched))
        {
            // a preparer that wakes every 50 us, so that its touches land among the appends, a few pages ahead
            try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(journal).segmentSize(SEGMENT)
                .touchAhead(journal == touched ? 4 * 4096 : 0).preparerIdleStrategy(new SleepingIdleStrategy(50_000))))
            {
                long before = 0;
                for (long i = 0; i < 4_000; i++)
                {
                    TestRecords.append(appender, scratch, i);
                    if (i % 100 == 99)
                    {
                        // batches of several pages: the touches ahead of the published tail also land on pages the
                        // appender has written since, which a compare-and-set of zero must leave as they are
                        appender.endOfBatch();
                    }
                    if (journal == touched && i % 400 == 399)
                    {
                        // let the preparer follow the tail now and then (it has nothing to touch when the tail is
                        // within its reach of the segment's end and it has touched that far already)
                        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                        while (appender.touchedPages() == before && System.nanoTime() < deadline)
                        {
                            LockSupport.parkNanos(100_000);
                        }
                        before = appender.touchedPages();
                    }
                }
                if (journal == plain)
                {
                    assertEquals(0, appender.touchedPages(), "touchAhead(0) touches nothing");
                }
                pages = appender.touchedPages();
            }
        }
        assertTrue(pages >= 10, "pages touched ahead: " + pages);
        assertSameSegmentsAfterTheirHeaders(plain, touched, 4_000);
    }

    @Test
    void shouldRefuseANegativeTouchAhead()
    {
        final IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> JournalAppender.open(context().touchAhead(-1)));
        assertTrue(refused.getMessage().contains("touchAhead"), refused.getMessage());
    }

    @Test
    void shouldContinueAfterReopenWhereItLeftOff()
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        final long end;
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            for (long i = 0; i < 700; i++)
            {
                TestRecords.append(appender, scratch, i);
            }
            end = appender.position();
        }
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final RecoveryReport report = appender.recovery();
            assertFalse(report.created());
            assertFalse(report.truncated(), report.toString());
            assertEquals(end, report.endPosition());
            assertEquals(end, appender.position());
            for (long i = 700; i < 1_400; i++)
            {
                TestRecords.append(appender, scratch, i);
            }
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < 1_400; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            assertNull(reader.next());
        }
    }

    @Test
    void shouldCommitAClaimAndDropAnAbortedOne()
    {
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final long first = appender.claim(1, 0, 9, 2, 41, 100, 16);
            appender.buffer().putLong(appender.payloadOffset(), 0xCAFEL);
            appender.buffer().putLong(appender.payloadOffset() + 8, 0xBABEL);
            appender.commit();

            final long aborted = appender.claim(1, 0, 9, 2, 42, 101, 8);
            appender.buffer().putLong(appender.payloadOffset(), 0xDEADL);
            appender.abort();

            final long second = appender.claim(2, 0, 9, 2, 43, 102, 0);
            appender.commit();
            assertEquals(aborted, second, "an aborted claim gives its place to the next record");
            assertTrue(second > first);
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            final JournalRecord first = reader.next();
            assertEquals(41, first.sourceOffset());
            assertEquals(0xCAFEL, first.buffer().getLong(first.payloadOffset()));
            assertEquals(0xBABEL, first.buffer().getLong(first.payloadOffset() + 8));
            final JournalRecord second = reader.next();
            assertEquals(43, second.sourceOffset());
            assertEquals(2, second.type());
            assertEquals(0, second.payloadLength());
            assertNull(reader.next());
        }
    }

    @Test
    void shouldAcceptTheLargestPayloadAndRollForIt()
    {
        final int max = JournalContext.maxPayloadLength(SEGMENT);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[max]);
        big.setMemory(0, max, (byte)5);
        final UnsafeBuffer scratch = TestRecords.scratch();
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            assertEquals(max, appender.maxPayloadLength());
            TestRecords.append(appender, scratch, 0);
            final long position = appender.append(1, 0, 0, 0, 1, 0, big, 0, max);
            assertEquals(SEGMENT + SegmentDescriptor.HEADER_LENGTH, position, "a full-size record opens a new segment");
            assertEquals(2L * SEGMENT + SegmentDescriptor.HEADER_LENGTH, appender.position());
            TestRecords.append(appender, scratch, 2);
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            TestRecords.assertRecord(reader.next(), 0);
            final JournalRecord record = reader.next();
            assertEquals(max, record.payloadLength());
            assertEquals(5, record.buffer().getByte(record.payloadOffset() + max - 1));
            TestRecords.assertRecord(reader.next(), 2);
            assertNull(reader.next());
        }
    }

    @Test
    void shouldDeleteWholeSegmentsBelowAPositionAndNeverTheCurrentOne()
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        final List<Long> positions = new ArrayList<>();
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            for (long i = 0; i < 2_000; i++)
            {
                positions.add(TestRecords.append(appender, scratch, i));
            }
            final long keepFrom = positions.get(1_000);
            final long keepBase = SegmentDescriptor.segmentBase(keepFrom, SEGMENT);
            final int deleted = appender.deleteSegmentsBelow(keepFrom);
            assertEquals(keepBase / SEGMENT, deleted);
            assertFalse(Files.exists(dir.resolve(SegmentDescriptor.fileName(0))));
            assertTrue(Files.exists(dir.resolve(SegmentDescriptor.fileName(keepBase))));

            try (JournalReader reader = JournalReader.open(dir))
            {
                final JournalRecord first = reader.next();
                assertEquals(keepBase + SegmentDescriptor.HEADER_LENGTH, first.position());
                reader.seek(keepFrom);
                TestRecords.assertRecord(reader.next(), 1_000);
                final JournalException gone = org.junit.jupiter.api.Assertions.assertThrows(
                    JournalException.class, () -> reader.seek(positions.get(0)));
                assertTrue(gone.getMessage().contains("deleted by retention"), gone.getMessage());
            }

            final int all = appender.deleteSegmentsBelow(appender.position());
            assertTrue(all > 0);
            TestRecords.append(appender, scratch, 2_000);
            try (JournalReader reader = JournalReader.open(dir))
            {
                JournalRecord last = null;
                for (JournalRecord r = reader.next(); r != null; r = reader.next())
                {
                    last = r;
                }
                TestRecords.assertRecord(last, 2_000);
            }
        }
        try (JournalAppender reopened = JournalAppender.open(context()))
        {
            assertFalse(reopened.recovery().truncated());
        }
    }

    @Test
    void shouldForceUnderEveryPolicyAndCountForces()
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        for (final DurabilityPolicy policy : List.of(DurabilityPolicy.PAGE_CACHE, DurabilityPolicy.GROUP_COMMIT))
        {
            final Path journal = dir.resolve(policy.toString());
            try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(journal).segmentSize(SEGMENT).durability(policy)))
            {
                for (long i = 0; i < 10; i++)
                {
                    TestRecords.append(appender, scratch, i);
                    appender.endOfBatch();
                }
                assertEquals(policy == DurabilityPolicy.GROUP_COMMIT ? 10 : 0, appender.forceCount(), policy.toString());
                appender.endOfBatch();
                assertEquals(policy == DurabilityPolicy.GROUP_COMMIT ? 10 : 0, appender.forceCount(), "nothing new to force");
                assertEquals(appender.position(), appender.durablePosition(), "after a batch everything is durable under " + policy);
            }
        }
    }

    @Test
    void shouldForceOnAnIntervalMeasuredByTheContextClock()
    {
        final long[] now = {0};
        final UnsafeBuffer scratch = TestRecords.scratch();
        try (JournalAppender appender = JournalAppender.open(
            context().durability(DurabilityPolicy.interval(5)).nanoClock(() -> now[0])))
        {
            final long first = appender.position();
            TestRecords.append(appender, scratch, 0);
            now[0] = 4_999_999;
            appender.endOfBatch();
            assertEquals(0, appender.forceCount());
            assertEquals(first, appender.durablePosition(), "not forced yet, not durable");
            now[0] = 5_000_000;
            appender.endOfBatch();
            assertEquals(1, appender.forceCount());
            assertEquals(appender.position(), appender.durablePosition());
            TestRecords.append(appender, scratch, 1);
            now[0] = 9_000_000;
            appender.endOfBatch();
            assertEquals(1, appender.forceCount());
            now[0] = 10_000_000;
            appender.endOfBatch();
            assertEquals(2, appender.forceCount());
        }
    }

    @Test
    void shouldParseAndPrintPolicies()
    {
        assertEquals(DurabilityPolicy.PAGE_CACHE, DurabilityPolicy.parse("page-cache"));
        assertEquals(DurabilityPolicy.GROUP_COMMIT, DurabilityPolicy.parse("GROUP_COMMIT"));
        assertEquals(DurabilityPolicy.interval(7), DurabilityPolicy.parse("interval:7"));
        assertEquals("interval:7", DurabilityPolicy.interval(7).toString());
        final IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> DurabilityPolicy.parse("fsync"));
        assertTrue(bad.getMessage().contains("page-cache, group-commit or interval:<ms>"), bad.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DurabilityPolicy.parse("interval:x"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DurabilityPolicy.interval(0));
    }

    @Test
    void shouldPrepareTheNextSegmentAheadAndRemoveItOnClose() throws Exception
    {
        final Path next = dir.resolve(SegmentDescriptor.fileName(SEGMENT) + ".tmp");
        final UnsafeBuffer scratch = TestRecords.scratch();
        try (JournalAppender appender = JournalAppender.open(context()))
        {
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(Files.exists(next) && Files.size(next) == SEGMENT) && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertTrue(Files.exists(next), "the next segment is prepared ahead of the roll");
            long i = 0;
            while (appender.position() < SEGMENT)
            {
                TestRecords.append(appender, scratch, i++);
            }
            assertTrue(Files.exists(dir.resolve(SegmentDescriptor.fileName(SEGMENT))));
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ringside-journal-preparer")));
        }
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".tmp")).count(), "close removes the prepared segment");
        }
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ringside-journal-preparer") && t.isAlive()) &&
            System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ringside-journal-preparer")),
            "close stops the preparer thread");
    }

    @Test
    void shouldRollThroughSparseSegmentsWithoutAPreparer() throws IOException
    {
        final UnsafeBuffer scratch = TestRecords.scratch();
        try (JournalAppender appender = JournalAppender.open(context().preallocate(false).durability(DurabilityPolicy.GROUP_COMMIT)))
        {
            for (long i = 0; i < 1_500; i++)
            {
                TestRecords.append(appender, scratch, i);
                appender.endOfBatch();
            }
        }
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".tmp")).count());
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            for (long i = 0; i < 1_500; i++)
            {
                TestRecords.assertRecord(reader.next(), i);
            }
            assertNull(reader.next());
        }
    }
}
