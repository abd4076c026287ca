package io.ringside.perf.fraud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./ringside replay DIR} on the engine directory of a v2 demo: it knows the workload from {@code DIR/engine.id},
 * rebuilds the outputs the demo's file sink wrote, and prints the fourteen checksums the demo
 * printed.
 */
class FraudV2ReplayTest
{
    @TempDir
    Path tmp;

    @Test
    void aReplayOfAV2DirectoryGivesTheDemosOutputsAndChecksums() throws Exception
    {
        final Path dir = tmp.resolve("engine");
        final Path demoOutput = tmp.resolve("demo.txt");
        final Path replayOutput = tmp.resolve("replay.txt");
        final Path demoLog = tmp.resolve("demo.log");
        final Path replayLog = tmp.resolve("replay.log");
        run(demoLog, "demo", "--workload", "v2", "--events", "40000", "--cards", "2000", "--seed", "5", "--shards", "2",
            "--journal", dir.toString(), "--output", demoOutput.toString());
        run(replayLog, "replay", dir.toString(), "--output", replayOutput.toString());

        final List<String> demoLines = Files.readAllLines(demoOutput).stream().sorted().toList();
        assertFalse(demoLines.isEmpty());
        // the replay's lines start with the output id, "position:shard:ordinal "
        assertEquals(demoLines, Files.readAllLines(replayOutput).stream().map(line -> line.substring(line.indexOf(' ') + 1)).sorted().toList(),
            "the same outputs");
        final List<String> checksums = Files.readAllLines(demoLog).stream().filter(line -> line.matches("[A-Z]+ count=\\d+ checksum=[0-9a-f]{16}"))
            .toList();
        assertEquals(OutputKind.V2_COUNT, checksums.size(), () -> "the demo's 14 lines:\n" + String.join("\n", checksums));
        final String replayed = Files.readString(replayLog);
        for (final String line : checksums)
        {
            assertTrue(replayed.contains(line), () -> "the replay printed no '" + line + "':\n" + replayed);
        }
    }

    private static void run(final Path log, final String command, final String... args) throws Exception
    {
        final Process child = ChildJvm.startCommand(log, command, args);
        try
        {
            assertTrue(child.waitFor(180, TimeUnit.SECONDS), () -> "ringside " + command + " did not finish: " + CrashRecoveryTest.readQuietly(log));
            assertEquals(0, child.exitValue(), () -> CrashRecoveryTest.readQuietly(log));
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}
