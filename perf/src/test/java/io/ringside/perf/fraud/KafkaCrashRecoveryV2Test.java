package io.ringside.perf.fraud;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.ingest.KafkaSink;
import io.ringside.ingest.KafkaTopicDump;
import io.ringside.ingest.LocalKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.awaitNewSnapshot;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.awaitPrinted;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.awaitSnapshotInProgress;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.completeSnapshots;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.hasNewIncompleteSnapshot;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.incompleteSnapshots;
import static io.ringside.perf.fraud.KafkaCrashRecoveryTest.since;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Kafka crash proof for workload v2 with profiles from their own compacted topic (issue 12): v2 produced into a
 * 3-partition topic and its compacted profile topic; {@code ./ringside demo --workload v2 --kafka B --topic T
 * --output-topic T2 --journal DIR} in a child JVM, SIGKILLed at random moments (start-up or recovery, live after a
 * snapshot, the middle of a snapshot) and restarted on the same directory; at the end the output topic, read with
 * read_committed, holds exactly the outputs of {@link PlainJavaFraudV2} fed the final journal's DATA records in its
 * order, each once (the profile table is as of arrival: the journal's order, which every restart replays, is the one
 * the outputs must match).
 */
class KafkaCrashRecoveryV2Test
{
    private static final long EVENTS = 200_000;
    private static final long CARDS = 20_000;
    private static final long SEED = 11;
    private static final int PARTITIONS = 3;
    private static final int KILLS = 4;

    @Test
    void aV2KafkaDemoKilledAgainAndAgainDeliversEveryOutputOfItsJournalsOrderExactlyOnce(@TempDir final Path tmp) throws Exception
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
        final long[] split = KafkaProduce.produceV2(bootstrap, "v2-crash", "v2-crash-profiles", PARTITIONS, SEED, EVENTS, CARDS);
        System.out.printf("produced %,d events (%,d profiles) in %.1f s%n", EVENTS, split[1], (System.nanoTime() - produceStart) / 1e9);

        final Path dir = tmp.resolve("engine");
        final Path log = tmp.resolve("child.log");
        final String[] args = {"--workload", "v2", "--kafka", bootstrap, "--topic", "v2-crash", "--profiles-topic", "v2-crash-profiles",
            "--output-topic", "v2-crash-out", "--journal", dir.toString(), "--events", Long.toString(EVENTS), "--cards", Long.toString(CARDS),
            "--shards", "2", "--snapshot-every", "25000"};
        final SplittableRandom random = new SplittableRandom(20_261_207);
        int kills = 0;
        int runs = 0;
        String lastRun = "";
        final StringBuilder summary = new StringBuilder();
        while (true)
        {
            runs++;
            final long logBefore = Files.exists(log) ? Files.size(log) : 0;
            final Set<String> stale = incompleteSnapshots(dir);
            final Set<String> complete = completeSnapshots(dir);
            final Process child = ChildJvm.startDemo(log, args);
            try
            {
                if (kills < KILLS)
                {
                    final int mode = kills % 3;
                    final boolean alive = mode == 0 ?
                        awaitPrinted(child, log, logBefore, "Ringside fraud demo, workload v2, from Kafka", random.nextInt(1_500)) :
                        mode == 1 ? awaitNewSnapshot(child, dir, complete, random.nextInt(500)) : awaitSnapshotInProgress(child, dir, stale);
                    if (alive)
                    {
                        final boolean inSnapshot = hasNewIncompleteSnapshot(dir, stale);
                        final String printed = since(log, logBefore);
                        child.destroyForcibly().waitFor();
                        kills++;
                        summary.append(String.format("  run %d killed (%s%s)%n", runs, printed.contains("events processed") ? "live" :
                            printed.contains("recovered:") ? "recovered, not yet live" : "starting", inSnapshot ? ", mid-snapshot" : ""));
                        continue;
                    }
                    // it finished before the moment came: no more kills (a run over an ended journal has nothing to read)
                    kills = KILLS;
                }
                if (!child.waitFor(120, TimeUnit.SECONDS))
                {
                    fail("the last run did not finish in 120 s; log:\n" + Files.readString(log));
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
                break;
            }
            finally
            {
                child.destroyForcibly().waitFor();
            }
        }
        System.out.printf("%d runs:%n%s", runs, summary);
        assertTrue(runs >= 3, "at least two kills before the run that finished");
        assertTrue(java.util.regex.Pattern.compile("recovered: .*snapshot at [0-9]+ loaded").matcher(Files.readString(log)).find(),
            "no restart recovered from a snapshot");
        final java.util.regex.Matcher dropped = java.util.regex.Pattern.compile("the sink dropped ([0-9,]+) outputs").matcher(lastRun);
        assertTrue(dropped.find() && Long.parseLong(dropped.group(1).replace(",", "")) > 0,
            "the last run recovered after a kill: its sink must have found outputs of the killed run");

        final List<String> expected = new ArrayList<>();
        final ChecksumReport expectedReport = JournalOrderReference.outputs(dir, PARTITIONS, expected);
        assertTrue(expectedReport.count(OutputKind.OVERLIMIT) > 0 && expectedReport.count(OutputKind.ABROAD) > 0, expectedReport::toString);

        final List<String> actual = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        final List<String> duplicateIds = new ArrayList<>();
        KafkaTopicDump.read(bootstrap, "v2-crash-out", 10_000, record ->
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
        assertEquals(expected.size(), actual.size(), "outputs in the topic against the journal-order reference");
        for (final String line : expectedReport.lines())
        {
            assertTrue(lastRun.contains(line), "the last run printed no '" + line + "' (the whole run's checksums)");
        }
        System.out.printf("%,d outputs in the topic, each once, equal to the reference over the final journal's order%n", actual.size());
    }
}
