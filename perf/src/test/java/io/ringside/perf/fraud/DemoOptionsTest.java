package io.ringside.perf.fraud;

import java.nio.file.Path;

import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoOptionsTest
{
    @Test
    void shouldDefaultToTheStandardSizeOnTheEmbeddedDefault()
    {
        final DemoOptions options = DemoOptions.parse(new String[0]);
        assertEquals(10_000_000, options.events);
        assertEquals(1_000_000, options.cards);
        assertEquals(42, options.seed);
        assertEquals(1, options.shards);
        assertEquals(Topology.COMPACT, options.topology);
        assertEquals(WaitStrategy.BLOCKING, options.wait);
        assertEquals(null, options.journal);
        assertTrue(options.chronicle, "state in Chronicle Map by default");
        assertFalse(options.compare);
    }

    @Test
    void shouldParseEveryFlag()
    {
        final DemoOptions options = DemoOptions.parse(new String[] {"--events", "1_000", "--cards", "500", "--seed", "7", "--shards", "4",
            "--topology", "pipelined", "--wait", "busy-spin", "--journal", "/tmp/j", "--output", "/tmp/o", "--rate", "100,000", "--state", "heap", "--compare",
            "--warmup-s", "10"});
        assertEquals(1_000, options.events);
        assertEquals(500, options.cards);
        assertEquals(7, options.seed);
        assertEquals(4, options.shards);
        assertEquals(Topology.PIPELINED, options.topology);
        assertEquals(WaitStrategy.BUSY_SPIN, options.wait);
        assertEquals(Path.of("/tmp/j"), options.journal);
        assertEquals(Path.of("/tmp/o"), options.output);
        assertEquals(100_000, options.rate);
        assertEquals(10, options.warmUpS);
        assertFalse(options.chronicle);
        assertTrue(options.compare);
    }

    @Test
    void shouldSayWhatIsWrongWithABadFlag()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--cards", "99"}))
            .getMessage().contains("--cards must be at least 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--topology", "star"}))
            .getMessage().contains("compact or pipelined"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--events"}))
            .getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--speed", "1"}))
            .getMessage().contains("unknown flag"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--bogus"}))
            .getMessage().contains("unknown flag '--bogus'"), "an unknown flag last is unknown, not one that needs a value");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--seed", "x"}))
            .getMessage().contains("whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--warmup-s", "-1"}))
            .getMessage().contains("--warmup-s must be at least 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--snapshot-replica"}))
            .getMessage().contains("needs --snapshot-every N"));
    }

    @Test
    void shouldTakeTheSnapshotReplicaWithPeriodicSnapshots()
    {
        final DemoOptions options = DemoOptions.parse(new String[] {"--snapshot-replica", "--snapshot-every", "1000000"});
        assertTrue(options.snapshotReplica);
        assertEquals(1_000_000, options.snapshotEvery);
        assertFalse(DemoOptions.parse(new String[0]).snapshotReplica);
    }
}
