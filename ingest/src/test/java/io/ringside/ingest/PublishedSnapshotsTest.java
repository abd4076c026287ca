package io.ringside.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineSnapshot;
import io.ringside.engine.Event;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PublishedSnapshots} without a broker: a partition engine's snapshot published under its offset and delivered
 * mark, taken back by a new owner, and refused, with the reason and the file, when damaged, mismatched with its name,
 * ahead of what the group delivered, or followed by records retention deleted; the next older one is taken then.
 */
class PublishedSnapshotsTest
{
    private static final int SOURCE = 3;

    @TempDir
    Path dir;

    /** Counts the events; emits the count at every 10th. */
    private static final class Counting implements ShardHandler, Snapshottable
    {
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
        private long count;

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            if (++count % 10 == 0)
            {
                out.putLong(0, count);
                context.emit(1, event.key(), out, 0, 8);
            }
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws IOException
        {
            out.writeLong(count);
        }

        @Override
        public void readSnapshot(final SnapshotReader in)
        {
            count = in.readLong();
        }
    }

    /**
     * @return the snapshot at close of a one-partition engine over offsets 0 to {@code events} - 1.
     */
    private EngineSnapshot snapshotOver(final String name, final int events) throws IOException
    {
        final Engine engine = new Engine(new EngineContext().directory(dir.resolve(name)).handlersId("counting")
            .handlers(shard -> PartitionOutputIds.wrap(new Counting()))).start();
        try (EventPublisher publisher = engine.newPublisher(SOURCE))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < events; i++)
            {
                publisher.publish(i % 7, 0, i, i, event, 0, 8);
            }
        }
        finally
        {
            engine.close();
        }
        return engine.newestSnapshot();
    }

    @Test
    void theNewestUsableSnapshotIsTakenAndADamagedOrMismatchedOneIsRefusedNamingTheFile() throws IOException
    {
        final PublishedSnapshots shared = new PublishedSnapshots(dir.resolve("shared"), "g", "in");
        final KafkaPartitionSink.Delivered mark = new KafkaPartitionSink.Delivered(90, 0, false);
        final Path older = shared.publish(4, snapshotOver("a", 100), 99, mark);
        assertEquals(shared.directory(4).resolve("o00000000000000000099.d90.0"), older);
        assertTrue(Files.exists(older.resolve("shard-0.snap")) && Files.exists(older.resolve("engine.id")));
        final Path newer = shared.publish(4, snapshotOver("b", 200), 199, new KafkaPartitionSink.Delivered(190, 0, false));
        assertNull(shared.publish(4, EngineSnapshot.verify(newer), 199, new KafkaPartitionSink.Delivered(190, 0, false)),
            "published once");
        final KafkaPartitionSink.Delivered delivered = new KafkaPartitionSink.Delivered(195, 0, false);
        final Path local = dir.resolve("member").resolve("seed-4");

        final List<String> refusals = new ArrayList<>();
        final PublishedSnapshots.Published taken = shared.newest(4, SOURCE, delivered, 0, local, refusals::add);
        assertEquals(199, taken.offset());
        assertEquals(local, taken.directory());
        assertEquals(199, EngineSnapshot.verify(local).sourceOffset(SOURCE, 0), "copied where the engine loads it");
        assertTrue(refusals.isEmpty(), refusals.toString());

        // a damaged newest one: refused naming the file, the older one taken
        final Path shard = newer.resolve("shard-0.snap");
        final byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(shard, bytes);
        refusals.clear();
        assertEquals(99, shared.newest(4, SOURCE, delivered, 0, local, refusals::add).offset());
        assertEquals(1, refusals.size(), refusals.toString());
        assertTrue(refusals.get(0).startsWith("refused the published snapshot " + newer + ": snapshot " + shard + " is damaged"),
            refusals.get(0));

        // the older one, ahead of what the group delivered, or followed by deleted records: none usable
        refusals.clear();
        assertNull(shared.newest(4, SOURCE, new KafkaPartitionSink.Delivered(50, 3, false), 0, local, refusals::add));
        assertTrue(refusals.get(1).contains("its name says outputs up to 90:0 were delivered, but the group's committed offset says only " +
            "up to 50:3"), refusals.toString());
        refusals.clear();
        assertNull(shared.newest(4, SOURCE, delivered, 150, local, refusals::add));
        assertTrue(refusals.get(1).contains("the records after its offset 99 were deleted by retention"), refusals.toString());

        // a snapshot under another offset's name
        final Path renamed = shared.directory(4).resolve(PublishedSnapshots.name(120, mark));
        EngineSnapshot.verify(older).copyTo(renamed);
        refusals.clear();
        assertEquals(99, shared.newest(4, SOURCE, delivered, 0, local, refusals::add).offset());
        assertTrue(refusals.get(1).contains(renamed + ": its files cover input offset 99 of source 3, its name says 120"), refusals.toString());
        assertNotNull(shared.newest(4, SOURCE, delivered, 0, local, line -> { }));

        // pruning keeps the newest two
        shared.publish(4, snapshotOver("c", 300), 299, new KafkaPartitionSink.Delivered(290, 0, false));
        assertEquals(List.of(299L, 199L), shared.list(4).stream().map(PublishedSnapshots.Published::offset).toList());
        assertFalse(Files.exists(older));
        assertTrue(shared.list(5).isEmpty(), "another partition's are apart");
    }
}
