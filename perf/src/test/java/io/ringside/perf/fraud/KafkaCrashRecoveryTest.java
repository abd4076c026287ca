package io.ringside.perf.fraud;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ringside.ingest.KafkaSink;
import io.ringside.ingest.KafkaTopicDump;
import io.ringside.ingest.LocalKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The proof of exactly-once end to end on a real broker (issue 6): the workload is produced into a 4-partition topic
 * keyed by card; {@code ./ringside demo --kafka B --topic T --output-topic T2 --journal DIR} runs in a child JVM and is
 * killed with SIGKILL at random moments (start-up or recovery, live, the middle of a snapshot), restarted on the same
 * directory each time; at the end the output topic, read with read_committed, holds exactly the outputs of an
 * uninterrupted run ({@link SeveralSourcesReference}): the same lines, each once, every output id once, and the last
 * run printed the whole run's checksums.
 */
class KafkaCrashRecoveryTest
{
    private static final long EVENTS = 600_000;
    private static final long CARDS = 40_000;
    private static final long SEED = 7;
    private static final int PARTITIONS = 4;
    private static final int KILLS = 6;
    private static final Pattern DROPPED = Pattern.compile("the sink dropped ([0-9,]+) outputs");

    @Test
    void aKafkaDemoKilledAgainAndAgainDeliversEveryOutputToTheTopicExactlyOnce(@TempDir final Path tmp) throws Exception
    {
        final LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("broker"));
        try
        {
            run(broker.bootstrapServers(), tmp);
        }
        finally
        {
            broker.close();
        }
    }

    private static void run(final String bootstrap, final Path tmp) throws Exception
    {
        final long produceStart = System.nanoTime();
        KafkaProduce.produce(bootstrap, "crash-in", PARTITIONS, SEED, EVENTS, CARDS);
        System.out.printf("produced %,d events in %.1f s%n", EVENTS, (System.nanoTime() - produceStart) / 1e9);

        final Path dir = tmp.resolve("engine");
        final Path log = tmp.resolve("child.log");
        final String[] args = {"--kafka", bootstrap, "--topic", "crash-in", "--output-topic", "crash-out", "--journal", dir.toString(),
            "--cards", Long.toString(CARDS), "--shards", "2", "--snapshot-every", "20000"};
        final SplittableRandom random = new SplittableRandom(20_240_606);
        int kills = 0;
        int killedInSnapshot = 0;
        int killedBeforeLive = 0;
        int runs = 0;
        String lastRun = "";
        final StringBuilder summary = new StringBuilder();
        while (true)
        {
            runs++;
            final long logBefore = Files.exists(log) ? Files.size(log) : 0;
            // a killed snapshot's directory stays until the next start deletes it: only a new one is this run's
            final Set<String> stale = incompleteSnapshots(dir);
            final Set<String> complete = completeSnapshots(dir);
            final Process child = ChildJvm.startDemo(log, args);
            try
            {
                if (kills < KILLS)
                {
                    // three kinds of moment in turn: start-up (the sink's read-back, recovery), live after a snapshot of this
                    // run (so the next start loads it), and the middle of a snapshot
                    final int mode = kills % 3;
                    final boolean alive = mode == 0 ?
                        awaitPrinted(child, log, logBefore, "Ringside fraud-velocity demo", random.nextInt(1_000)) :
                        mode == 1 ? awaitNewSnapshot(child, dir, complete, random.nextInt(1_000)) : awaitSnapshotInProgress(child, dir, stale);
                    if (alive)
                    {
                        final boolean inSnapshot = hasNewIncompleteSnapshot(dir, stale);
                        final String printed = since(log, logBefore);
                        final boolean live = printed.contains("events/s");
                        child.destroyForcibly().waitFor();
                        kills++;
                        killedInSnapshot += inSnapshot ? 1 : 0;
                        killedBeforeLive += live ? 0 : 1;
                        summary.append(String.format("  run %d killed (%s%s)%n", runs, live ? "live" : printed.contains("recovered:") ?
                            "recovered, not yet live" : printed.contains("Ringside") ? "starting: sink read-back or recovery" : "JVM start-up",
                            inSnapshot ? ", mid-snapshot" : ""));
                        for (final String line : printed.split("\n"))
                        {
                            if (line.startsWith("recovered:"))
                            {
                                summary.append("    ").append(line).append('\n');
                            }
                        }
                        continue;
                    }
                    child.waitFor();
                }
                else if (!child.waitFor(180, TimeUnit.SECONDS))
                {
                    fail("the last run did not finish in 180 s; log:\n" + Files.readString(log));
                }
                lastRun = since(log, logBefore);
                final String runLog = lastRun;
                assertEquals(0, child.exitValue(), () -> "the demo failed; its log:\n" + runLog);
                summary.append(String.format("  run %d finished%n", runs));
                for (final String line : runLog.split("\n"))
                {
                    if (line.startsWith("recovered:") || line.startsWith("throughput:"))
                    {
                        summary.append("    ").append(line).append('\n');
                    }
                }
                if (kills >= KILLS)
                {
                    break;
                }
            }
            finally
            {
                child.destroyForcibly().waitFor();
            }
        }
        System.out.printf("%d kills (%d during a snapshot, %d before the run went live) over %d runs:%n%s", kills, killedInSnapshot,
            killedBeforeLive, runs, summary);
        assertTrue(kills >= 5);
        final String all = Files.readString(log);
        assertTrue(Pattern.compile("recovered: .*snapshot at [0-9]+ loaded").matcher(all).find(), "no restart recovered from a snapshot");

        final List<String> expected = new ArrayList<>();
        final ChecksumReport expectedReport = new ChecksumReport();
        SeveralSourcesReference.expected(SEED, EVENTS, CARDS, PARTITIONS, OutputRecordSink.tee(expectedReport,
            (kind, fields) -> expected.add(OutputLine.append(new StringBuilder(), kind, fields).toString())));

        final List<String> actual = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        final List<String> duplicateIds = new ArrayList<>();
        KafkaTopicDump.read(bootstrap, "crash-out", 10_000, record ->
        {
            actual.add(new String(record.value(), StandardCharsets.US_ASCII));
            final ByteBuffer id = ByteBuffer.wrap(record.headers().lastHeader(KafkaSink.ID_HEADER).value());
            final String text = id.getLong(0) + "/" + id.getInt(8) + "/" + id.getInt(12) + "/" + id.getLong(16);
            if (!ids.add(text) && duplicateIds.size() < 5)
            {
                duplicateIds.add(text);
            }
        });
        assertTrue(duplicateIds.isEmpty(), () -> "output ids delivered twice: " + duplicateIds);
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra (duplicates) " + LineMultisets.head(extra));
        assertEquals(expected.size(), actual.size(), "outputs in the topic against an uninterrupted run");
        assertEquals(expected.size(), ids.size());

        final ChecksumReport delivered = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : actual)
        {
            delivered.onOutput(OutputLine.parse(line, fields), fields);
        }
        assertEquals(expectedReport.toString(), delivered.toString(), "per-kind counts and checksums of the topic");
        for (final String line : expectedReport.lines())
        {
            assertTrue(lastRun.contains(line), "the last run printed no '" + line + "' (the whole run's checksums)");
        }
        // the sink's read-back did its work: some restart found outputs of the killed run in the topic and dropped them
        long dropped = 0;
        final Matcher matcher = DROPPED.matcher(lastRun);
        while (matcher.find())
        {
            dropped += Long.parseLong(matcher.group(1).replace(",", ""));
        }
        System.out.printf("%,d outputs in the topic, each once; the last run's sink dropped %,d replayed outputs the topic held%n",
            actual.size(), dropped);
        assertTrue(dropped > 0, "the last run recovered after a kill: its sink must have found outputs of the killed run");
    }

    static String since(final Path log, final long offset) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(log);
        return new String(bytes, (int)offset, bytes.length - (int)offset, StandardCharsets.UTF_8);
    }

    /**
     * Waits (polling every 20 ms, up to 60 s) until the run prints {@code text}, then {@code moreMs}.
     *
     * @return true if the child is still running.
     */
    static boolean awaitPrinted(final Process child, final Path log, final long logBefore, final String text, final long moreMs)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive() && System.nanoTime() < deadline && !since(log, logBefore).contains(text))
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
    static boolean awaitSnapshotInProgress(final Process child, final Path dir, final Set<String> stale) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (child.isAlive() && System.nanoTime() < deadline && !hasNewIncompleteSnapshot(dir, stale))
        {
            Thread.sleep(2);
        }
        return child.isAlive();
    }

    /**
     * Waits (polling every 20 ms, up to 60 s) until a snapshot not in {@code before} is complete, then {@code moreMs}.
     *
     * @return true if the child is still running.
     */
    static boolean awaitNewSnapshot(final Process child, final Path dir, final Set<String> before, final long moreMs) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive() && System.nanoTime() < deadline && before.containsAll(completeSnapshots(dir)))
        {
            Thread.sleep(20);
        }
        return !child.waitFor(moreMs, TimeUnit.MILLISECONDS);
    }

    static Set<String> completeSnapshots(final Path dir) throws IOException
    {
        final Set<String> names = new HashSet<>();
        final Path snapshots = dir.resolve("snapshots");
        if (Files.isDirectory(snapshots))
        {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(snapshots, "[0-9]*[0-9]"))
            {
                for (final Path entry : entries)
                {
                    names.add(entry.getFileName().toString());
                }
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                // deleted while listed
            }
        }
        return names;
    }

    static boolean hasNewIncompleteSnapshot(final Path dir, final Set<String> stale) throws IOException
    {
        return !stale.containsAll(incompleteSnapshots(dir));
    }

    static Set<String> incompleteSnapshots(final Path dir) throws IOException
    {
        final Set<String> names = new HashSet<>();
        final Path snapshots = dir.resolve("snapshots");
        if (Files.isDirectory(snapshots))
        {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(snapshots, "*.tmp"))
            {
                for (final Path entry : entries)
                {
                    names.add(entry.getFileName().toString());
                }
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                // deleted while listed
            }
        }
        return names;
    }
}
