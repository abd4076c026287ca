package io.ringside.engine.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operator's snapshot: fed half a random stream, written, read into a fresh instance, then both fed the rest;
 * the restored one must close the same windows with the same results in the same order, and dedup must judge the same
 * ids duplicates. A damaged file is refused before any state is read.
 */
class OperatorSnapshotTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final int EVENTS = 4_000;

    @TempDir
    Path dir;

    /** One operator under test: feeds an event, closes up to a watermark, snapshots. */
    private interface Subject extends AutoCloseable
    {
        void add(long key, long time, long amount, List<String> out);

        void close(long watermark, List<String> out);

        void write(SnapshotWriter out) throws IOException;

        void read(SnapshotReader in);

        @Override
        void close();
    }

    private static WindowListener into(final List<String> out)
    {
        return (key, window) -> out.add(key + " " + window.start() + " " + window.end() + " " + window.events() + " " + window.result(0) +
            " " + window.result(1));
    }

    private static Subject tumbling()
    {
        final TumblingWindows w = new TumblingWindows("t", 60_000, 5_000, 4, 1_000, Aggregates.count(), Aggregates.sum());
        return subject(
            (key, time, amount, out) ->
            {
                if (w.add(key, time, new long[] {0, amount}) != null)
                {
                    w.release();
                }
            },
            (watermark, out) -> w.close(watermark, into(out)), w::writeSnapshot, w::readSnapshot, w);
    }

    private static Subject hopping()
    {
        final HoppingWindows w = new HoppingWindows("h", 300_000, 60_000, 5_000, 8, 1_000, Aggregates.count(), Aggregates.sum());
        return subject((key, time, amount, out) -> w.add(key, time, new long[] {0, amount}),
            (watermark, out) -> w.close(watermark, into(out)), w::writeSnapshot, w::readSnapshot, w);
    }

    private static Subject sessions()
    {
        final SessionWindows w = new SessionWindows("s", 30_000, 5_000, 6, 1_000, Aggregates.count(), Aggregates.sum());
        return subject((key, time, amount, out) -> w.add(key, time, new long[] {0, amount}),
            (watermark, out) -> w.close(watermark, into(out)), w::writeSnapshot, w::readSnapshot, w);
    }

    private static Subject counts()
    {
        final CountWindows w = new CountWindows("c", 10, 5, 1_000, Aggregates.count(), Aggregates.sum());
        return subject((key, time, amount, out) -> w.add(key, new long[] {0, amount}, into(out)),
            (watermark, out) -> w.close(watermark, into(out)), w::writeSnapshot, w::readSnapshot, w);
    }

    private static Subject globals()
    {
        final GlobalWindows w = new GlobalWindows("g", 25, 1_000, Aggregates.count(), Aggregates.sum());
        return subject((key, time, amount, out) -> w.add(key, new long[] {0, amount}, into(out)),
            (watermark, out) -> w.close(watermark, into(out)), w::writeSnapshot, w::readSnapshot, w);
    }

    private static Subject dedup()
    {
        final Dedup d = new Dedup("d", 600_000, 60_000, 10_000);
        return subject((key, time, amount, out) -> out.add(amount % 500 + (d.isDuplicate(amount % 500, time) ? " duplicate" : " new")),
            (watermark, out) -> d.expire(watermark), d::writeSnapshot, d::readSnapshot, d);
    }

    @FunctionalInterface
    private interface Add
    {
        void add(long key, long time, long amount, List<String> out);
    }

    @FunctionalInterface
    private interface Close
    {
        void close(long watermark, List<String> out);
    }

    @FunctionalInterface
    private interface Write
    {
        void write(SnapshotWriter out) throws IOException;
    }

    private static Subject subject(final Add add, final Close close, final Write write, final java.util.function.Consumer<SnapshotReader> read,
        final AutoCloseable resource)
    {
        return new Subject()
        {
            @Override
            public void add(final long key, final long time, final long amount, final List<String> out)
            {
                add.add(key, time, amount, out);
            }

            @Override
            public void close(final long watermark, final List<String> out)
            {
                close.close(watermark, out);
            }

            @Override
            public void write(final SnapshotWriter out) throws IOException
            {
                write.write(out);
            }

            @Override
            public void read(final SnapshotReader in)
            {
                read.accept(in);
            }

            @Override
            public void close()
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        };
    }

    @Test
    void everyOperatorRestoredFromItsSnapshotGoesOnAsTheOriginal() throws IOException
    {
        final List<java.util.function.Supplier<Subject>> operators = List.of(
            OperatorSnapshotTest::tumbling, OperatorSnapshotTest::hopping, OperatorSnapshotTest::sessions,
            OperatorSnapshotTest::counts, OperatorSnapshotTest::globals, OperatorSnapshotTest::dedup);
        int n = 0;
        for (final java.util.function.Supplier<Subject> operator : operators)
        {
            final SplittableRandom random = new SplittableRandom(n);
            final long[][] stream = new long[EVENTS][];
            long clock = T0;
            for (int i = 0; i < EVENTS; i++)
            {
                clock += random.nextInt(200);
                stream[i] = new long[] {random.nextInt(40), clock - random.nextInt(3_000), 1 + random.nextInt(10_000)};
            }
            final Path file = dir.resolve("op-" + n++);
            try (Subject original = operator.get(); Subject restored = operator.get())
            {
                final List<String> before = new ArrayList<>();
                long watermark = Long.MIN_VALUE;
                for (int i = 0; i < EVENTS / 2; i++)
                {
                    original.add(stream[i][0], stream[i][1], stream[i][2], before);
                    watermark = Math.max(watermark, stream[i][1] - 2_000);
                    original.close(watermark, before);
                }
                try (SnapshotWriter out = SnapshotWriter.create(file))
                {
                    original.write(out);
                    out.finish();
                }
                try (SnapshotReader in = SnapshotReader.open(file))
                {
                    restored.read(in);
                    assertEquals(0, in.remaining(), "read all that was written");
                }
                final List<String> fromOriginal = new ArrayList<>();
                final List<String> fromRestored = new ArrayList<>();
                for (int i = EVENTS / 2; i < EVENTS; i++)
                {
                    original.add(stream[i][0], stream[i][1], stream[i][2], fromOriginal);
                    restored.add(stream[i][0], stream[i][1], stream[i][2], fromRestored);
                    watermark = Math.max(watermark, stream[i][1] - 2_000);
                    original.close(watermark, fromOriginal);
                    restored.close(watermark, fromRestored);
                }
                original.close(Long.MAX_VALUE, fromOriginal);
                restored.close(Long.MAX_VALUE, fromRestored);
                assertTrue(fromOriginal.size() > 10, "the second half produces outputs: " + fromOriginal.size());
                assertEquals(fromOriginal, fromRestored, "operator " + (n - 1));
            }
        }
    }

    @Test
    void aDamagedSnapshotIsRefusedBeforeAnyStateIsRead() throws IOException
    {
        final Path file = dir.resolve("damaged");
        try (Subject subject = tumbling())
        {
            subject.add(1, T0, 100, new ArrayList<>());
            try (SnapshotWriter out = SnapshotWriter.create(file))
            {
                subject.write(out);
                out.finish();
            }
        }
        final byte[] bytes = Files.readAllBytes(file);
        bytes[40] ^= 1;
        Files.write(file, bytes);
        final SnapshotCorruptedException crc = assertThrows(SnapshotCorruptedException.class, () -> SnapshotReader.open(file));
        assertTrue(crc.getMessage().contains("CRC32C"), crc.getMessage());
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        final SnapshotCorruptedException torn = assertThrows(SnapshotCorruptedException.class, () -> SnapshotReader.open(file));
        assertTrue(torn.getMessage().contains("torn"), torn.getMessage());
    }
}
