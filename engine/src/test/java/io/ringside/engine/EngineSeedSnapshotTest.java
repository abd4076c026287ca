package io.ringside.engine;

import io.ringside.engine.runtime.SnapshotTaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EngineContext#seedSnapshot}: a fresh engine started from another engine's snapshot ({@link EngineSnapshot#copyTo})
 * goes on as the other would have, a restart of it needs the seed no more, and a damaged or foreign seed is refused
 * naming the file.
 */
class EngineSeedSnapshotTest
{
    private static final int SOURCE = 5;

    @TempDir
    Path dir;

    private static EngineContext context(final Path directory, final List<EngineRecoveryTest.Totals> handlers, final List<String> outputs)
    {
        return EngineTestSupport.context(directory)
            .shardCount(2)
            .handlersId("totals")
            .handlers(shard ->
            {
                final EngineRecoveryTest.Totals totals = new EngineRecoveryTest.Totals();
                handlers.add(totals);
                return totals;
            })
            .outputListener(output -> outputs.add(output.key() + "=" + output.buffer().getLong(output.offset())));
    }

    private static String sums(final List<EngineRecoveryTest.Totals> handlers)
    {
        final List<String> sums = new ArrayList<>();
        for (final EngineRecoveryTest.Totals totals : handlers)
        {
            sums.add(new java.util.TreeMap<>(totals.sums).toString());
        }
        return sums.toString();
    }

    @Test
    void anEngineStartedFromAnotherEnginesSnapshotGoesOnAsThatOneWould() throws IOException
    {
        final List<EngineRecoveryTest.Totals> whole = new ArrayList<>();
        final List<String> wholeOutputs = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(dir.resolve("whole"), whole, wholeOutputs)).start())
        {
            EngineRecoveryTest.publish(engine, 0, 2_000);
        }
        final List<String> firstOutputs = new CopyOnWriteArrayList<>();
        final Path published = dir.resolve("shared").resolve("copy");
        final Engine first = new Engine(context(dir.resolve("first"), new ArrayList<>(), firstOutputs)).start();
        try
        {
            EngineRecoveryTest.publish(first, 0, 1_000);
        }
        finally
        {
            first.close();
        }
        final EngineSnapshot snapshot = first.newestSnapshot();
        assertEquals(999, snapshot.sourceOffset(SOURCE, 0), "the snapshot at close covers the last event");
        assertEquals(-1, snapshot.sourceOffset(SOURCE + 1, 0));
        Files.createDirectories(published.getParent());
        snapshot.copyTo(published);
        assertTrue(Files.exists(published.resolve("engine.id")), "the copy carries the writer's identity");
        assertEquals(2, EngineSnapshot.verify(published).shardCount());

        final List<EngineRecoveryTest.Totals> second = new ArrayList<>();
        final List<String> secondOutputs = new CopyOnWriteArrayList<>();
        final Path secondDir = dir.resolve("second");
        try (Engine engine = new Engine(context(secondDir, second, secondOutputs).seedSnapshot(published).snapshotOnClose(false)).start())
        {
            assertNotNull(engine.recovery().seed(), engine.recovery().toString());
            assertTrue(engine.recovery().toString().contains("started from the snapshot " + published), engine.recovery().toString());
            assertEquals(999, engine.journaledOffset(SOURCE, 0), "a source goes on after the seed's offsets");
            EngineRecoveryTest.publish(engine, 1_000, 2_000);
        }
        assertEquals(sums(whole), sums(second), "the state of one engine over all the events");
        final EngineException replay = assertThrows(EngineException.class, () -> JournalReplay.run(EngineTestSupport.context(dir.resolve("replay"))
            .shardCount(2).handlers(shard -> new EngineRecoveryTest.Totals()), secondDir.resolve("journal"), output -> { }));
        assertTrue(replay.getMessage().contains("was started from another engine's snapshot"), replay.getMessage());
        final List<String> both = new ArrayList<>(firstOutputs);
        both.addAll(secondOutputs);
        assertEquals(wholeOutputs.stream().sorted().toList(), both.stream().sorted().toList(),
            "the first engine's outputs, then the second's: those of one engine over all the events");

        // the seed is gone: a restart recovers from the snapshot the engine wrote of it at start, and replays its journal
        SnapshotTaker.deleteTree(published);
        final List<EngineRecoveryTest.Totals> restarted = new ArrayList<>();
        try (Engine engine = new Engine(context(secondDir, restarted, new CopyOnWriteArrayList<>()).seedSnapshot(published)).start())
        {
            assertNull(engine.recovery().seed(), "not used again: " + engine.recovery());
            assertEquals(1_000, engine.recovery().replayedEvents(), engine.recovery().toString());
        }
        assertEquals(sums(whole), sums(restarted));
    }

    @Test
    void aDamagedOrForeignSeedIsRefusedNamingTheFile() throws IOException
    {
        final Engine first = new Engine(context(dir.resolve("first"), new ArrayList<>(), new CopyOnWriteArrayList<>())).start();
        try
        {
            EngineRecoveryTest.publish(first, 0, 500);
        }
        finally
        {
            first.close();
        }
        final Path published = dir.resolve("copy");
        first.newestSnapshot().copyTo(published);

        final EngineException foreign = assertThrows(EngineException.class, () -> new Engine(context(dir.resolve("other"), new ArrayList<>(),
            new CopyOnWriteArrayList<>()).handlersId("other").seedSnapshot(published)).start());
        assertTrue(foreign.getMessage().contains(published.resolve("engine.id").toString()) && foreign.getMessage().contains("'totals'"),
            foreign.getMessage());

        final Path shard = published.resolve(SnapshotTaker.shardFile(1));
        final byte[] bytes = Files.readAllBytes(shard);
        bytes[SnapshotWriter.HEADER_LENGTH + 3] ^= 0x40;
        Files.write(shard, bytes);
        final SnapshotCorruptedException damaged = assertThrows(SnapshotCorruptedException.class, () -> EngineSnapshot.verify(published));
        assertTrue(damaged.getMessage().contains(shard.toString()) && damaged.getMessage().contains("CRC32C"), damaged.getMessage());
        final EngineException refused = assertThrows(EngineException.class, () -> new Engine(context(dir.resolve("third"), new ArrayList<>(),
            new CopyOnWriteArrayList<>()).seedSnapshot(published)).start());
        assertTrue(refused.getMessage().contains("the seed snapshot " + published + " cannot be used") &&
            refused.getMessage().contains(shard.toString()), refused.getMessage());
    }
}
