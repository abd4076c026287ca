package io.ringside.perf;

import java.util.List;

import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngressContext.Placement;
import io.ringside.perf.cli.CommandLines;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./ringside latency}'s flags as picocli parses them ({@link CommandLines}) and {@link LatencyOptions#check()}
 * checks them; nothing runs. CommandLineTest runs the command line: misuse exits 2.
 */
class LatencyOptionsTest
{
    static LatencyOptions parse(final String... args)
    {
        final CommandLine commandLine = CommandLines.of(new LatencyHarness());
        commandLine.parseArgs(args);
        final LatencyOptions options = commandLine.<LatencyHarness>getCommand().options;
        options.check();
        return options;
    }

    /**
     * @return the message of the parse error or the refusal of {@link LatencyOptions#check()}.
     */
    private static String refusal(final String... args)
    {
        final RuntimeException ex = assertThrows(RuntimeException.class, () -> parse(args));
        assertTrue(ex instanceof ParameterException || ex instanceof IllegalArgumentException, () -> "a parse error or a refusal: " + ex);
        return ex.getMessage();
    }

    @Test
    void shouldDefaultToEngineAndBareOnTheStandardWorkload()
    {
        final LatencyOptions options = parse();
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
        final LatencyOptions options = parse("--rates", "100000", "--wait", "yielding", "--warmup-s", "10",
            "--measure-s", "30", "--target", "engine,fraud");
        assertArrayEquals(new long[] {100_000}, options.rates);
        assertEquals(WaitStrategy.YIELDING, options.wait);
        assertEquals(10, options.warmUpS);
        assertEquals(30, options.measureS);
        assertTrue(options.engine && options.fraud && !options.bare);

        final LatencyOptions small = parse("--target=fraud", "--events=100_000", "--cards", "10000", "--seed", "-7",
            "--rates", "1000", "--warmup-s", "1", "--measure-s", "2");
        assertEquals(100_000, small.events);
        assertEquals(10_000, small.cards);
        assertEquals(-7, small.seed);
    }

    @Test
    void shouldAllowBackoffWithoutTheBareDisruptor()
    {
        assertEquals(WaitStrategy.BACKOFF, parse("--wait", "backoff", "--target", "engine,fraud",
            "--rates", "1000").wait);
        assertTrue(refusal("--wait", "backoff", "--target", "all", "--rates", "1000").contains("no counterpart"));
    }

    @Test
    void shouldStopWhenTheScheduleNeedsMoreEventsThanTheWorkloadHas()
    {
        // 1 M/s for 5 + 10 s: 15 M events, the standard size has 10 M
        final String message = refusal("--target", "fraud");
        assertTrue(message.contains("15,000,000") && message.contains("10,000,000") && message.contains("--events"), message);
        assertEquals(15_000_000, parse("--target", "fraud", "--events", "15000000").events);
        // without fraud the workload does not matter
        assertTrue(parse("--target", "engine", "--events", "1").engine);
    }

    @Test
    void shouldSayWhatIsWrongWithABadTargetOrWorkload()
    {
        assertTrue(refusal("--target", "engine,kafka").contains("unknown target 'kafka'"));
        assertTrue(refusal("--target", "engine,").contains("unknown target ''"));
        assertTrue(refusal("--cards", "99").contains("--cards must be 100"));
        assertTrue(refusal("--events", "0").contains("--events must be 1"));
        assertTrue(refusal("--rates", "1000,0").contains("--rates must be 1 to"));
        assertTrue(refusal("--rates", "1000,x").contains("'x' is not a whole number"));
        assertTrue(refusal("--ring-size", "1000").contains("--ring-size must be a power of two"));
        assertTrue(refusal("--topology", "ring").contains("unknown topology 'ring'"));
        assertTrue(refusal("--seed").contains("Missing required parameter for option '--seed'"));
        assertTrue(refusal("--bogus").contains("Unknown option: '--bogus'"));
    }

    @Test
    void shouldPlaceTheAeronIngressAndSetTheEgressWaitOnlyOverAeron()
    {
        final LatencyOptions auto = parse("--transport", "aeron-ipc");
        assertEquals(List.of(Placement.AUTO), auto.aeronPlacements, "the ingress placed automatically by default");
        assertEquals(WaitStrategy.BLOCKING, auto.egressWait, "the egress waits as --wait says by default");
        assertEquals(WaitStrategy.BACKOFF_BLOCKING, parse("--transport", "aeron-ipc", "--egress-wait", "backoff-blocking").egressWait);
        assertEquals(List.of(Placement.AUTO), parse("--transport", "aeron-ipc", "--topology", "pipelined").aeronPlacements);
        final LatencyOptions both = parse("--transport", "aeron-ipc", "--aeron-ingress", "both", "--egress-wait", "yielding");
        assertEquals(List.of(Placement.THREAD, Placement.COMPACT), both.aeronPlacements, "both: thread, then compact");
        assertEquals(WaitStrategy.YIELDING, both.egressWait);
        assertEquals(List.of(Placement.COMPACT), parse("--transport", "aeron-udp", "--aeron-ingress", "compact").aeronPlacements);
        assertEquals(List.of(Placement.THREAD), parse("--transport", "aeron-udp", "--aeron-ingress", "thread").aeronPlacements);
        assertTrue(refusal("--transport", "aeron-ipc", "--aeron-ingress", "shard").contains("--aeron-ingress takes auto, thread, compact or both"));
        assertTrue(refusal("--aeron-ingress", "compact").contains("give --transport"));
        assertTrue(refusal("--transport", "aeron-ipc", "--aeron-ingress", "both", "--topology", "pipelined").contains("--topology pipelined has none"));
        assertTrue(refusal("--egress-wait", "yielding").contains("give --transport too"));
    }

    private static void assertTargets(final String value, final boolean engine, final boolean bare, final boolean fraud)
    {
        final LatencyOptions options = parse("--target", value, "--rates", "1000");
        assertEquals(engine, options.engine, value + ": engine");
        assertEquals(bare, options.bare, value + ": bare");
        assertEquals(fraud, options.fraud, value + ": fraud");
    }
}
