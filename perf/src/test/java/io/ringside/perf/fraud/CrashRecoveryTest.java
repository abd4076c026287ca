package io.ringside.perf.fraud;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The proof of exactly-once: the demo runs in a child JVM with a journal directory and {@code --output FILE}, is
 * killed with SIGKILL at random moments (during start-up and recovery, live ingest, and snapshots), restarted on the
 * same directory each time, and at the end its output file must hold exactly the outputs of an uninterrupted run of
 * workload.md (the plain-Java implementation's): same lines, each once, nothing missing.
 */
class CrashRecoveryTest
{
    private static final long EVENTS = 200_000;
    private static final long CARDS = 20_000;
    private static final int KILLS = 12;

    /**
     * @param setup the durability policy, then any further demo flags (the snapshot replica: its snapshots, written
     *              behind the shard from a second pipeline, must recover as the shard's do; three pipelined shards:
     *              recovery replays them on three threads).
     */
    @ParameterizedTest
    @ValueSource(strings = {"page-cache", "group-commit", "page-cache --snapshot-replica", "page-cache --shards 3 --topology pipelined"})
    void aDemoKilledAgainAndAgainWritesEveryOutputExactlyOnce(final String setup, @TempDir final Path tmp) throws Exception
    {
        final Path dir = tmp.resolve("engine");
        final Path output = tmp.resolve("outputs.txt");
        final Path log = tmp.resolve("child.log");
        final String[] flags = setup.split(" ");
        final String durability = flags[0];
        final List<String> argList = new ArrayList<>(List.of("--events", Long.toString(EVENTS), "--cards", Long.toString(CARDS), "--seed", "7",
            "--journal", dir.toString(), "--output", output.toString(), "--snapshot-every", "15000", "--durability", durability,
            // paced, so that a run lasts seconds and the kills find it live, not finished
            "--rate", "50000"));
        argList.addAll(List.of(flags).subList(1, flags.length));
        final String[] args = argList.toArray(new String[0]);
        final SplittableRandom random = new SplittableRandom(setup.hashCode());
        int kills = 0;
        int killedInSnapshot = 0;
        int killedBeforeLive = 0;
        int runs = 0;
        while (true)
        {
            runs++;
            final long logBefore = Files.exists(log) ? Files.size(log) : 0;
            final Process child = ChildJvm.startDemo(log, args);
            try
            {
                if (kills < KILLS)
                {
                    // three kinds of moment in turn: start-up or recovery, live ingest, and the middle of a snapshot
                    final int mode = kills % 3;
                    final boolean alive = mode == 0 ?
                        !child.waitFor(200 + random.nextInt(2_000), TimeUnit.MILLISECONDS) :
                        mode == 1 ? awaitLive(child, log, logBefore, random.nextInt(1_500)) : awaitSnapshotInProgress(child, dir);
                    if (alive)
                    {
                        final boolean inSnapshot = hasIncompleteSnapshot(dir);
                        final boolean live = Files.readString(log).substring((int)logBefore).contains("events/s");
                        child.destroyForcibly().waitFor();
                        kills++;
                        killedInSnapshot += inSnapshot ? 1 : 0;
                        killedBeforeLive += live ? 0 : 1;
                        continue;
                    }
                    child.waitFor();
                }
                else if (!child.waitFor(180, TimeUnit.SECONDS))
                {
                    fail("the last run did not finish in 180 s; log:\n" + Files.readString(log));
                }
                assertEquals(0, child.exitValue(), () -> "the demo failed; log:\n" + readQuietly(log));
                if (kills >= KILLS)
                {
                    break;
                }
            }
            finally
            {
                child.destroyForcibly();
            }
        }
        System.out.printf("%s: %d kills (%d during a snapshot, %d before the run went live: start-up or recovery) over %d runs%n",
            setup, kills, killedInSnapshot, killedBeforeLive, runs);
        assertTrue(kills >= 10);

        final List<String> expected = uninterruptedOutputs(7);
        final List<String> actual = new ArrayList<>(Files.readAllLines(output));
        assertEquals(expected.size(), actual.size(), "outputs in the file against an uninterrupted run");
        Collections.sort(expected);
        Collections.sort(actual);
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra (duplicates) " + LineMultisets.head(extra));
        final String last = Files.readString(log);
        final ChecksumReport expectedReport = report(expected);
        for (final String line : expectedReport.lines())
        {
            assertTrue(last.contains(line), () -> "the final run printed no '" + line + "'");
        }
    }

    @Test
    void aDamagedNewestSnapshotIsPassedOverForTheOneBefore(@TempDir final Path tmp) throws Exception
    {
        final Path dir = tmp.resolve("engine");
        final Path output = tmp.resolve("outputs.txt");
        final Path log = tmp.resolve("child.log");
        final String[] args = {"--events", "60000", "--cards", "5000", "--seed", "3", "--journal", dir.toString(),
            "--output", output.toString(), "--snapshot-every", "25000"};
        runToEnd(log, args);
        final List<Long> snapshots = snapshotPositions(dir);
        assertEquals(2, snapshots.size(), "snapshots kept (after 50,000 events, and at close)");
        final Path newest = dir.resolve("snapshots").resolve(String.format("%020d", snapshots.get(1))).resolve("shard-0.snap");
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newest, bytes);
        // as if the run had been killed after the last events were written: cut the file back and forget it was written
        Files.writeString(log, "");
        runToEnd(log, args);
        final String printed = Files.readString(log);
        assertTrue(printed.contains("passed over") && printed.contains("CRC32C"), printed);
        assertTrue(printed.contains("snapshot at " + snapshots.get(0) + " loaded"), printed);
        assertTrue(printed.contains("replayed 10,001 records (10,000 events)"), printed);

        final List<String> expected = uninterruptedOutputsOf(3, 60_000, 5_000);
        final List<String> actual = new ArrayList<>(Files.readAllLines(output));
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra (duplicates) " + LineMultisets.head(extra));
        for (final String line : report(expected).lines())
        {
            assertTrue(printed.contains(line), () -> "the rerun printed no '" + line + "'");
        }
    }

    private static void runToEnd(final Path log, final String[] args) throws Exception
    {
        final Process child = ChildJvm.startDemo(log, args);
        try
        {
            assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the demo did not finish");
            assertEquals(0, child.exitValue(), () -> readQuietly(log));
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    private static List<Long> snapshotPositions(final Path dir) throws IOException
    {
        final List<Long> positions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve("snapshots")))
        {
            for (final Path entry : entries)
            {
                positions.add(Long.parseLong(entry.getFileName().toString()));
            }
        }
        Collections.sort(positions);
        return positions;
    }

    /**
     * Waits until the run prints its first progress line (it is live), then {@code moreMs}.
     *
     * @return true if the child is still running.
     */
    static boolean awaitLive(final Process child, final Path log, final long logBefore, final long moreMs) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive() && System.nanoTime() < deadline && !Files.readString(log).substring((int)logBefore).contains("events/s"))
        {
            Thread.sleep(20);
        }
        return !child.waitFor(moreMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Polls (every 2 ms) for a snapshot being written, for up to 30 s.
     *
     * @return true if the child is still running (killed then, whether or not one was seen).
     */
    static boolean awaitSnapshotInProgress(final Process child, final Path dir) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (child.isAlive() && System.nanoTime() < deadline && !hasIncompleteSnapshot(dir))
        {
            Thread.sleep(2);
        }
        return child.isAlive();
    }

    static boolean hasIncompleteSnapshot(final Path dir) throws IOException
    {
        final Path snapshots = dir.resolve("snapshots");
        if (!Files.isDirectory(snapshots))
        {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(snapshots, "*.tmp"))
        {
            return entries.iterator().hasNext();
        }
    }

    private static List<String> uninterruptedOutputs(final long seed)
    {
        return uninterruptedOutputsOf(seed, EVENTS, CARDS);
    }

    private static List<String> uninterruptedOutputsOf(final long seed, final long events, final long cards)
    {
        final List<String> lines = new ArrayList<>();
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(
            (kind, fields) -> lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString()));
        final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        return lines;
    }

    private static ChecksumReport report(final List<String> lines)
    {
        final ChecksumReport report = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : lines)
        {
            report.onOutput(OutputLine.parse(line, fields), fields);
        }
        return report;
    }


    static String readQuietly(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
