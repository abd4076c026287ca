package io.ringside.perf.fraud;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ringside replay}'s flags are checked against each other and the engine directory before anything runs.
 */
class ReplayCommandTest
{
    @TempDir
    Path dir;

    private static String refusal(final long from, final long to, final int shards, final Path output)
    {
        return assertThrows(IllegalArgumentException.class, () -> ReplayCommand.check(from, to, shards, 1, output)).getMessage();
    }

    @Test
    void badFlagsAreRefusedWithTheReason()
    {
        assertTrue(refusal(-5, Long.MAX_VALUE, -1, null).contains("journal positions, 0 or more"));
        assertTrue(refusal(1_000, 10, -1, null).contains("--to 10 is below --from 1000"));
        assertTrue(refusal(Long.MIN_VALUE, Long.MAX_VALUE, 3, null).contains("the engine ran with 1 shard(s): replay with 1"));
        assertTrue(refusal(Long.MIN_VALUE, Long.MAX_VALUE, 0, null).contains("not 0"));
        assertTrue(refusal(Long.MIN_VALUE, Long.MAX_VALUE, -1, dir.resolve("missing").resolve("out.txt")).contains("its directory does not exist"));
    }

    @Test
    void goodFlagsGiveTheEnginesShardCount()
    {
        assertEquals(1, ReplayCommand.check(0, 100, -1, 1, dir.resolve("out.txt")));
        assertEquals(2, ReplayCommand.check(Long.MIN_VALUE, Long.MAX_VALUE, 2, 2, null));
    }
}
