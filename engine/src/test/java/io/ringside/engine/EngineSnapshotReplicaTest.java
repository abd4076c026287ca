package io.ringside.engine;

import io.ringside.engine.runtime.SnapshotReplica;
import io.ringside.engine.runtime.SnapshotTaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EngineContext#snapshotReplica}: a replica thread replays the journal into its own handlers and writes the
 * snapshots, which must be the ones the shards would have written, and must recover to the outputs of one
 * uninterrupted run, while the shards never pause for them.
 */
class EngineSnapshotReplicaTest
{
    private static final java.util.function.IntFunction<ShardHandler> REPLICA = shard -> new EngineRecoveryTest.Totals();

    @TempDir
    Path dir;

    private static EngineContext context(final Path directory, final List<String> outputs)
    {
        return EngineTestSupport.context(directory)
            .shardCount(2)
            .handlers(shard -> new EngineRecoveryTest.Totals())
            .outputListener(output -> outputs.add(output.position() + ":" + output.shard() + ":" + output.ordinal() + " " +
                output.key() + "=" + (output.type() == Output.DEAD_LETTER ? output.buffer().getStringWithoutLengthUtf8(output.offset() + 4,
                output.buffer().getInt(output.offset())) : output.buffer().getLong(output.offset())) + (output.isReplay() ? " replay" : "")));
    }

    private static List<Path> snapshotsIn(final Path directory) throws IOException
    {
        try (java.util.stream.Stream<Path> entries = Files.list(directory.resolve(SnapshotTaker.DIRECTORY)))
        {
            return entries.filter(entry -> !entry.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
    }

    /** The nice values of this process's threads whose name starts so (Linux shows the first 15 characters). */
    private static List<String> niceOfThreads(final String name) throws IOException
    {
        final List<String> nice = new ArrayList<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                if (Files.readString(task.resolve("comm")).strip().equals(name))
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    nice.add(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);   // field 19, counted after the name
                }
            }
        }
        return nice;
    }

    /** A snapshot file without its header and trailer, which name the journal (each engine directory has its own id). */
    private static byte[] body(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        return Arrays.copyOfRange(bytes, SnapshotWriter.HEADER_LENGTH, bytes.length - SnapshotWriter.TRAILER_LENGTH);
    }

    @Test
    void theReplicaWritesTheSnapshotsTheShardsWouldHaveWrittenAndTheShardsNeverPause() throws IOException
    {
        final Path inline = dir.resolve("inline");
        final Path replicated = dir.resolve("replica");
        try (Engine engine = new Engine(context(inline, new CopyOnWriteArrayList<>()).snapshotEveryEvents(3_000).snapshotsToKeep(10)
            .snapshotOnClose(false)).start())
        {
            EngineRecoveryTest.publish(engine, 0, 10_000);
            EngineTestSupport.await(() -> engine.counters().snapshots() >= 3, () -> "3 snapshots, got " + engine.counters().snapshots());
            assertTrue(engine.counters().snapshotPauseMaxNs() > 0, "the shards wrote the snapshots themselves");
        }
        try (Engine engine = new Engine(context(replicated, new CopyOnWriteArrayList<>()).snapshotEveryEvents(3_000).snapshotsToKeep(10)
            .snapshotOnClose(false).snapshotReplica(REPLICA)).start())
        {
            EngineRecoveryTest.publish(engine, 0, 10_000);
            EngineTestSupport.await(() -> engine.counters().snapshots() >= 3, () -> "3 snapshots, got " + engine.counters().snapshots());
            assertEquals(0, engine.counters().snapshotPauseMaxNs(), "no shard paused for a snapshot");
            if (System.getProperty("os.name").startsWith("Linux"))
            {
                final List<String> nice = niceOfThreads("ringside-snapsh");   // the replica, and the completer it started
                assertTrue(!nice.isEmpty() && nice.stream().allMatch(Integer.toString(SnapshotReplica.NICE)::equals),
                    "the replica's thread runs at the lowest priority: " + nice);
            }
            assertTrue(engine.counters().replicaWriteNs() > 0);
            EngineTestSupport.await(() -> engine.counters().replicaPosition() == engine.counters().durablePosition(),
                () -> "the replica reaches the durable position " + engine.counters().durablePosition() + ", at " + engine.counters().replicaPosition());
        }
        final List<Path> expected = snapshotsIn(inline);
        final List<Path> actual = snapshotsIn(replicated);
        assertEquals(3, expected.size(), expected.toString());
        assertEquals(expected.stream().map(Path::getFileName).toList(), actual.stream().map(Path::getFileName).toList(),
            "the same positions: every 3,000 records");
        for (int i = 0; i < expected.size(); i++)
        {
            for (final String file : List.of(SnapshotTaker.ENGINE_FILE, SnapshotTaker.shardFile(0), SnapshotTaker.shardFile(1)))
            {
                assertArrayEquals(body(expected.get(i).resolve(file)), body(actual.get(i).resolve(file)), actual.get(i) + "/" + file);
            }
        }
    }

    @Test
    void aRestartFromTheReplicasSnapshotGivesTheOutputsOfOneUninterruptedRun()
    {
        final List<String> uninterrupted = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(dir.resolve("whole"), uninterrupted)).start())
        {
            EngineRecoveryTest.publish(engine, 0, 11_000);
        }
        final Path directory = dir.resolve("replicated");
        final List<String> firstRun = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(directory, firstRun).snapshotEveryEvents(3_000).snapshotOnClose(false).snapshotReplica(REPLICA)).start())
        {
            EngineRecoveryTest.publish(engine, 0, 5_000);
            EngineTestSupport.await(() -> engine.counters().snapshots() >= 1, () -> "the replica's snapshot at 3,000");
        }
        final List<String> secondRun = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(directory, secondRun).snapshotEveryEvents(3_000).snapshotOnClose(false).snapshotReplica(REPLICA)).start())
        {
            assertEquals(2_000, engine.recovery().replayedEvents(), engine.recovery().toString());
            EngineRecoveryTest.publish(engine, 5_000, 8_000);
            // the replica started from the snapshot recovery loaded and counts from there: its next is 3,000 records on
            EngineTestSupport.await(() -> engine.counters().snapshots() >= 1, () -> "the restarted replica's first snapshot");
        }
        final List<String> thirdRun = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(directory, thirdRun).snapshotEveryEvents(3_000).snapshotReplica(REPLICA)).start())
        {
            assertEquals(2_000, engine.recovery().replayedEvents(), "from the snapshot at 6,000: " + engine.recovery());
            EngineRecoveryTest.publish(engine, 8_000, 11_000);
        }
        final List<String> combined = new ArrayList<>();
        for (final List<String> run : List.of(firstRun, secondRun, thirdRun))
        {
            run.stream().filter(line -> !line.endsWith(" replay")).forEach(combined::add);
            assertTrue(run == firstRun || run.stream().anyMatch(line -> line.endsWith(" replay")), "recovery replayed outputs");
        }
        assertEquals(uninterrupted.stream().map(line -> line.substring(line.indexOf(' '))).sorted().toList(),
            combined.stream().map(line -> line.substring(line.indexOf(' '))).sorted().toList());
    }

    @Test
    void theReplicaTakesATimedSnapshotOnceCaughtUpAfterTheInterval()
    {
        final java.util.concurrent.atomic.AtomicLong nowMs = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        final Path directory = dir.resolve("timed");
        try (Engine engine = new Engine(context(directory, new CopyOnWriteArrayList<>()).tickClock(nowMs::get).snapshotEveryMs(60_000)
            .snapshotOnClose(false).snapshotReplica(REPLICA)).start())
        {
            EngineRecoveryTest.publish(engine, 1, 3_000);
            EngineTestSupport.await(() -> engine.counters().replicaPosition() == engine.counters().durablePosition() &&
                engine.counters().processed() == 2_999, () -> "the replica caught up");
            assertEquals(0, engine.counters().snapshots(), "no snapshot before the interval has passed");
            nowMs.addAndGet(60_000);
            EngineTestSupport.await(() -> engine.counters().snapshots() == 1, () -> "the replica's timed snapshot");
            assertEquals(engine.counters().replicaPosition(), engine.counters().snapshotPosition.get(), "at the position it had reached");
        }
        try (Engine engine = new Engine(context(directory, new CopyOnWriteArrayList<>())).start())
        {
            assertEquals(0, engine.recovery().replayedEvents(), "nothing after the replica's snapshot: " + engine.recovery());
        }
    }

    @Test
    void aReplicaWithNothingToSnapshotIsRefused()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> context(dir, new ArrayList<>()).snapshotReplica(REPLICA).conclude());
        assertTrue(refused.getMessage().contains("snapshotEveryEvents or snapshotEveryMs"), refused.getMessage());
    }

    @Test
    void aReplicaThatFailsSaysWhyAndTheEngineKeepsRunning() throws InterruptedException
    {
        final AtomicInteger made = new AtomicInteger();
        final List<String> outputs = new CopyOnWriteArrayList<>();
        final EngineContext ctx = context(dir, outputs).snapshotEveryEvents(1_000).snapshotOnClose(false)
            .snapshotReplica(shard ->
            {
                if (made.incrementAndGet() > 1)
                {
                    throw new IllegalStateException("no more handlers here");
                }
                return new EngineRecoveryTest.Totals();
            });
        try (Engine engine = new Engine(ctx).start())
        {
            EngineTestSupport.await(() -> engine.counters().snapshotsFailed() >= 1, () -> "the replica's failure counted");
            EngineRecoveryTest.publish(engine, 1, 5_001);   // 37 keys of 135 or 136 events each, every 10th an output
            EngineTestSupport.await(() -> outputs.size() == 37 * 13, () -> "the shards go on: 481 outputs, got " + outputs.size());
            assertEquals(0, engine.counters().snapshots());
        }
        final String printed = EngineTestSupport.stat(dir);
        assertTrue(printed.contains("the snapshot replica stopped, so no snapshot is taken until the engine restarts") &&
            printed.contains("no more handlers here"), printed);
        assertFalse(Files.exists(dir.resolve(SnapshotTaker.DIRECTORY).resolve("00000000000000000000")));
    }
}
