package io.ringside.perf;

import io.ringside.engine.WaitStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyOptionsTest
{
    @Test
    void shouldDefaultToEngineAndBareOnTheStandardWorkload()
    {
        final LatencyOptions options = LatencyOptions.parse(new String[0]);
        assertTrue(options.engine);
        assertTrue(options.bare);
        assertFalse(options.fraud, "fraud builds ~1.4 GB of state: only when asked for");
        assertArrayEquals(new long[] {10_000, 100_000, 1_000_000}, options.rates);
        assertEquals(10_000_000, options.events);
        assertEquals(1_000_000, options.cards);
        assertEquals(42, options.seed);
    }

    @Test
    void shouldTakeTargetsAsACommaList()
    {
        assertTargets("engine,fraud", true, false, true);
        assertTargets("fraud", false, false, true);
        assertTargets("fraud, bare", false, true, true);
        assertTargets("engine", true, false, false);
        assertTargets("bare", false, true, false);
        assertTargets("both", true, true, false);
        assertTargets("all", true, true, true);
        assertTargets("both,fraud", true, true, true);
    }

    @Test
    void shouldParseTheFraudWorkloadAndTheIssuesCommand()
    {
        final LatencyOptions options = LatencyOptions.parse(new String[] {"--rates", "100000", "--wait", "yielding", "--warmup-s", "10",
            "--measure-s", "30", "--target", "engine,fraud"});
        assertArrayEquals(new long[] {100_000}, options.rates);
        assertEquals(WaitStrategy.YIELDING, options.wait);
        assertEquals(10, options.warmUpS);
        assertEquals(30, options.measureS);
        assertTrue(options.engine && options.fraud && !options.bare);

        final LatencyOptions small = LatencyOptions.parse(new String[] {"--target=fraud", "--events=100_000", "--cards", "10000", "--seed", "-7",
            "--rates", "1000", "--warmup-s", "1", "--measure-s", "2"});
        assertEquals(100_000, small.events);
        assertEquals(10_000, small.cards);
        assertEquals(-7, small.seed);
    }

    @Test
    void shouldAllowBackoffWithoutTheBareDisruptor()
    {
        assertEquals(WaitStrategy.BACKOFF, LatencyOptions.parse(new String[] {"--wait", "backoff", "--target", "engine,fraud",
            "--rates", "1000"}).wait);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--wait", "backoff", "--target", "all",
            "--rates", "1000"})).getMessage().contains("no counterpart"));
    }

    @Test
    void shouldStopWhenTheScheduleNeedsMoreEventsThanTheWorkloadHas()
    {
        // 1 M/s for 5 + 10 s: 15 M events, the standard size has 10 M
        final String message = assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--target", "fraud"}))
            .getMessage();
        assertTrue(message.contains("15,000,000") && message.contains("10,000,000") && message.contains("--events"), message);
        assertEquals(15_000_000, LatencyOptions.parse(new String[] {"--target", "fraud", "--events", "15000000"}).events);
        // without fraud the workload does not matter
        assertTrue(LatencyOptions.parse(new String[] {"--target", "engine", "--events", "1"}).engine);
    }

    @Test
    void shouldSayWhatIsWrongWithABadTargetOrWorkload()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--target", "engine,kafka"}))
            .getMessage().contains("unknown target 'kafka'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--target", "engine,"}))
            .getMessage().contains("unknown target ''"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--cards", "99"}))
            .getMessage().contains("--cards must be 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--events", "0"}))
            .getMessage().contains("--events must be 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LatencyOptions.parse(new String[] {"--seed"}))
            .getMessage().contains("needs a value"));
    }

    private static void assertTargets(final String value, final boolean engine, final boolean bare, final boolean fraud)
    {
        final LatencyOptions options = LatencyOptions.parse(new String[] {"--target", value, "--rates", "1000"});
        assertEquals(engine, options.engine, value + ": engine");
        assertEquals(bare, options.bare, value + ": bare");
        assertEquals(fraud, options.fraud, value + ": fraud");
    }
}
