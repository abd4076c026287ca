package io.ringside.perf.fraud;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link CrashRecoveryTest}'s proof of exactly-once for workload v2: the v2 demo in a child JVM, killed with SIGKILL at
 * random moments (start-up or recovery, live ingest, the middle of a snapshot), restarted on the same directory; at the
 * end its output file holds exactly the outputs of {@link PlainJavaFraudV2} over the same events, each once. The join's
 * open transactions, the pattern's held events and the profiles are restored from the snapshots like the windows.
 */
class CrashRecoveryV2Test
{
    private static final long EVENTS = 120_000;
    private static final long CARDS = 10_000;
    private static final int KILLS = 9;

    @Test
    void aV2DemoKilledAgainAndAgainWritesEveryOutputExactlyOnce(@TempDir final Path tmp) throws Exception
    {
        final Path dir = tmp.resolve("engine");
        final Path output = tmp.resolve("outputs.txt");
        final Path log = tmp.resolve("child.log");
        final String[] args = {"--workload", "v2", "--events", Long.toString(EVENTS), "--cards", Long.toString(CARDS), "--seed", "11",
            "--journal", dir.toString(), "--output", output.toString(), "--snapshot-every", "20000", "--rate", "50000"};
        final SplittableRandom random = new SplittableRandom(2);
        int kills = 0;
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
                    final int mode = kills % 3;
                    final boolean alive = mode == 0 ?
                        !child.waitFor(300 + random.nextInt(2_500), TimeUnit.MILLISECONDS) :
                        mode == 1 ? CrashRecoveryTest.awaitLive(child, log, logBefore, random.nextInt(1_500)) :
                            CrashRecoveryTest.awaitSnapshotInProgress(child, dir);
                    if (alive)
                    {
                        child.destroyForcibly().waitFor();
                        kills++;
                        continue;
                    }
                    child.waitFor();
                }
                else if (!child.waitFor(180, TimeUnit.SECONDS))
                {
                    fail("the last run did not finish in 180 s; log:\n" + Files.readString(log));
                }
                assertEquals(0, child.exitValue(), () -> "the demo failed; log:\n" + CrashRecoveryTest.readQuietly(log));
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
        System.out.printf("workload v2: %d kills over %d runs%n", kills, runs);

        final List<String> expected = uninterruptedOutputs();
        final List<String> actual = new ArrayList<>(Files.readAllLines(output));
        assertEquals(expected.size(), actual.size(), "outputs in the file against an uninterrupted run");
        Collections.sort(expected);
        Collections.sort(actual);
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra (duplicates) " +
            LineMultisets.head(extra));
        final String last = Files.readString(log);
        final ChecksumReport report = ChecksumReport.v2();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : expected)
        {
            report.onOutput(OutputLine.parse(line, fields), fields);
        }
        for (final String line : report.lines())
        {
            assertTrue(last.contains(line), () -> "the final run printed no '" + line + "'");
        }
    }

    private static List<String> uninterruptedOutputs()
    {
        final List<String> lines = new ArrayList<>();
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2((kind, fields) -> lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString()));
        final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(11, EVENTS, CARDS);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        return lines;
    }
}
