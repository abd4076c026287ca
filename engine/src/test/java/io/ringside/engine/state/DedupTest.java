package io.ringside.engine.state;

import java.nio.file.Path;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DedupTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TTL = 600_000;

    @Test
    void shouldTellADuplicateFromANewId()
    {
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000))
        {
            assertFalse(dedup.isDuplicate(1, T0));
            assertFalse(dedup.isDuplicate(2, T0 + 10));
            assertTrue(dedup.isDuplicate(1, T0));
            assertTrue(dedup.isDuplicate(2, T0 + 10));
            assertEquals(2, dedup.size());
        }
    }

    @Test
    void shouldRememberIdsWhileTheirTimeIsAboveTheWatermarkMinusTheTtlAndForgetThemInBulkAfter()
    {
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000))
        {
            final long bucketStart = Math.floorDiv(T0, 60_000) * 60_000;
            final long last = bucketStart + 59_999;
            for (long id = 0; id < 100; id++)
            {
                assertFalse(dedup.isDuplicate(id, bucketStart + id * 600));
            }
            assertFalse(dedup.isDuplicate(100, last));
            dedup.expire(last + TTL - 1);
            assertTrue(dedup.isDuplicate(100, last), "an id at the bucket's last ms is above watermark - ttl: the bucket is kept");
            assertEquals(1, dedup.liveBuckets());
            dedup.expire(last + TTL);
            assertEquals(0, dedup.liveBuckets(), "every id of the bucket is at or below watermark - ttl: the bucket goes whole");
            assertEquals(0, dedup.size());
        }
    }

    @Test
    void shouldNotRememberAnEventAlreadyBeyondTheTtl()
    {
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000))
        {
            dedup.expire(T0);
            assertFalse(dedup.isDuplicate(7, T0 - TTL));
            assertFalse(dedup.isDuplicate(7, T0 - TTL), "too old to be remembered");
            assertFalse(dedup.isDuplicate(8, T0 - TTL + 1));
            assertTrue(dedup.isDuplicate(8, T0 - TTL + 1));
        }
    }

    @Test
    void shouldReuseClearedBucketsAndClearAllAtTheEndOfTime()
    {
        try (Dedup dedup = new Dedup("ids", 1_000, 100, 100))
        {
            for (int round = 0; round < 50; round++)
            {
                final long base = T0 + round * 1_000L;
                for (long id = 0; id < 20; id++)
                {
                    assertFalse(dedup.isDuplicate(round * 100L + id, base + id * 10));
                }
                dedup.expire(base + 500);
                assertTrue(dedup.liveBuckets() <= 13, "buckets older than the TTL are cleared: " + dedup.liveBuckets());
            }
            assertFalse(dedup.isDuplicate(1, Long.MAX_VALUE - 5), "a far-future event");
            dedup.expire(Long.MAX_VALUE);
            assertEquals(0, dedup.liveBuckets());
        }
    }

    @Test
    void shouldRefuseAnImpossibleConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> new Dedup("ids", 100, 200, 10));
        assertThrows(IllegalArgumentException.class, () -> new Dedup("ids", 0, 1, 10));
    }

    @Test
    void shouldComeBackFromASnapshot(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("dedup.snap");
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000))
        {
            for (long id = 1; id <= 5_000; id++)
            {
                dedup.isDuplicate(id, T0 + id * 100);
            }
            dedup.expire(T0 + 300_000);
            try (SnapshotWriter out = SnapshotWriter.create(file))
            {
                dedup.writeSnapshot(out);
                out.finish();
            }
        }
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000); SnapshotReader in = SnapshotReader.open(file))
        {
            dedup.readSnapshot(in);
            assertEquals(0, in.remaining());
            assertEquals(5_000, dedup.size());
            assertTrue(dedup.isDuplicate(4_321, T0 + 432_100));
            assertFalse(dedup.isDuplicate(5_001, T0 + 500_100));
            dedup.expire(T0 + 60_000 + TTL);   // the watermark came back too: the first minute's ids go
            assertFalse(dedup.isDuplicate(1, T0 + 100));
        }
    }

    @Test
    void shouldRefuseASnapshotOfTheFormerFormatNamingTheFix(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("dedup-v1.snap");
        try (SnapshotWriter out = SnapshotWriter.create(file))
        {
            out.writeLong(TTL);   // version 1: TTL, bucket width, watermark, then each bucket's ids one by one
            out.writeLong(60_000);
            out.writeLong(Long.MIN_VALUE);
            out.writeInt(1);
            out.writeLong(T0 / 60_000);
            out.writeLong(1);
            out.writeLong(7);
            out.finish();
        }
        try (Dedup dedup = new Dedup("ids", TTL, 60_000, 1_000); SnapshotReader in = SnapshotReader.open(file))
        {
            final SnapshotCorruptedException refused = assertThrows(SnapshotCorruptedException.class, () -> dedup.readSnapshot(in));
            assertTrue(refused.getMessage().contains("move the snapshots aside to replay the journal"), refused.getMessage());
        }
    }
}
