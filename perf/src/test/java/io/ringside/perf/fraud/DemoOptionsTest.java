package io.ringside.perf.fraud;

import java.nio.file.Path;

import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.journal.DurabilityPolicy;
import io.ringside.perf.cli.CommandLines;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./ringside demo}'s flags as picocli parses them ({@link CommandLines}) and {@link DemoOptions#check()} checks
 * them; nothing runs. CommandLineTest runs the command line: misuse exits 2.
 */
class DemoOptionsTest
{
    private static DemoOptions parse(final String... args)
    {
        final CommandLine commandLine = CommandLines.of(new FraudVelocityDemo());
        commandLine.parseArgs(args);
        final DemoOptions options = commandLine.<FraudVelocityDemo>getCommand().options;
        options.check();
        return options;
    }

    /**
     * @return the message of the parse error or the refusal of {@link DemoOptions#check()}.
     */
    private static String refusal(final String... args)
    {
        final RuntimeException ex = assertThrows(RuntimeException.class, () -> parse(args));
        assertTrue(ex instanceof ParameterException || ex instanceof IllegalArgumentException, () -> "a parse error or a refusal: " + ex);
        return ex.getMessage();
    }

    @Test
    void shouldPlaceTheAeronIngressAutomaticallyByDefaultAndRefuseTheCompactThreadOfAPipelinedEngine()
    {
        assertEquals(AeronIngressContext.Placement.AUTO, parse("--aeron", "ipc").aeronPlacement, "auto by default");
        assertEquals(AeronIngressContext.Placement.AUTO, parse("--aeron", "ipc", "--topology", "pipelined").aeronPlacement);
        assertEquals(AeronIngressContext.Placement.COMPACT, parse("--aeron", "ipc", "--aeron-ingress", "compact").aeronPlacement);
        assertEquals(AeronIngressContext.Placement.THREAD, parse("--aeron", "udp", "--aeron-ingress", "thread").aeronPlacement);
        assertEquals(AeronIngressContext.Placement.AUTO, parse("--aeron", "udp", "--aeron-ingress", "auto").aeronPlacement);
        assertTrue(refusal("--aeron", "ipc", "--aeron-ingress", "shard").contains("--aeron-ingress takes auto, thread or compact"));
        assertTrue(refusal("--aeron-ingress", "compact").contains("give --aeron ipc|udp too"));
        assertTrue(refusal("--aeron", "ipc", "--aeron-ingress", "compact", "--topology", "pipelined").contains("leave --aeron-ingress out"));
    }

    @Test
    void shouldDefaultToTheStandardSizeOnTheEmbeddedDefault()
    {
        final DemoOptions options = parse();
        assertEquals(10_000_000, options.events);
        assertEquals(1_000_000, options.cards);
        assertEquals(42, options.seed);
        assertEquals(1, options.shards);
        assertEquals(Topology.COMPACT, options.topology);
        assertEquals(WaitStrategy.BLOCKING, options.wait);
        assertEquals(null, options.journal);
        assertEquals(0, options.rate, "unpaced");
        assertEquals(DurabilityPolicy.PAGE_CACHE, options.durability);
        assertTrue(options.chronicle, "state in Chronicle Map by default");
        assertFalse(options.compare);
    }

    @Test
    void shouldParseEveryFlag()
    {
        final DemoOptions options = parse("--events", "1_000", "--cards", "500", "--seed", "7", "--shards", "4",
            "--topology", "pipelined", "--wait", "busy-spin", "--journal", "/tmp/j", "--output", "/tmp/o", "--rate", "100,000", "--state", "heap", "--compare",
            "--warmup-s", "10", "--durability", "group-commit", "--kafka", "b:9092", "--topic", "t", "--output-topic", "t2");
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
        assertEquals(DurabilityPolicy.GROUP_COMMIT, options.durability);
        assertEquals("b:9092", options.kafka);
        assertEquals("t", options.topic);
        assertEquals("t2", options.outputTopic);
        assertFalse(options.chronicle);
        assertTrue(options.compare);
        assertEquals(3, parse("--seed=3").seed, "--flag=value too");
    }

    @Test
    void shouldSayWhatIsWrongWithABadFlag()
    {
        assertTrue(refusal("--cards", "99").contains("--cards must be at least 100"));
        assertTrue(refusal("--topology", "star").contains("compact or pipelined"));
        assertTrue(refusal("--wait", "lazy").contains("unknown wait strategy 'lazy'"));
        assertTrue(refusal("--events").contains("Missing required parameter for option '--events'"));
        assertTrue(refusal("--speed", "1").contains("Unknown options: '--speed', '1'"));
        assertTrue(refusal("--bogus").contains("Unknown option: '--bogus'"), "an unknown flag last is unknown, not one that needs a value");
        assertTrue(refusal("--seed", "x").contains("'x' is not a whole number"));
        assertTrue(refusal("--warmup-s", "-1").contains("--warmup-s must be at least 0"));
        assertTrue(refusal("--rate", "0").contains("--rate must be at least 1, was 0"));
        assertTrue(refusal("--state", "disk").contains("--state takes chronicle or heap, not 'disk'"));
        assertTrue(refusal("--durability", "interval:5").contains("--durability takes page-cache or group-commit"));
        assertTrue(refusal("--snapshot-replica").contains("needs --snapshot-every N"));
        assertTrue(refusal("--kafka", "b:9092").contains("--kafka and --topic go together"));
    }

    @Test
    void shouldTakeTheSnapshotReplicaWithPeriodicSnapshots()
    {
        final DemoOptions options = parse("--snapshot-replica", "--snapshot-every", "1000000");
        assertTrue(options.snapshotReplica);
        assertEquals(1_000_000, options.snapshotEvery);
        assertFalse(parse().snapshotReplica);
    }

    @Test
    void shouldRunWorkloadV1UnlessToldV2()
    {
        assertEquals(1, parse().workload);
        assertEquals(1, parse("--workload", "v1").workload);
        assertEquals(2, parse("--workload", "v2", "--shards", "4", "--compare").workload);
    }

    @Test
    void shouldRefuseAnotherWorkloadAndV2WhereItDoesNotRun()
    {
        assertTrue(refusal("--workload", "v3").contains("v1 or v2"));
        assertTrue(refusal("--workload", "v2", "--state", "heap").contains("--workload v2"));
        final DemoOptions kafka = parse("--workload", "v2", "--kafka", "b:1", "--topic", "t", "--profiles-topic", "p");
        assertEquals(2, kafka.workload);
        assertEquals("p", kafka.profilesTopic);
        assertTrue(refusal("--profiles-topic", "p", "--kafka", "b:1", "--topic", "t").contains("--profiles-topic"));
        assertTrue(refusal("--workload", "v2", "--profiles-topic", "p").contains("--profiles-topic"));
    }

    @Test
    void aGroupMemberNeedsItsTopicsAndDirectoryAndRunsWorkloadV1OnOneShard()
    {
        final DemoOptions options = parse("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g", "--journal", "/tmp/m1",
            "--until-idle-s", "5");
        assertEquals("g", options.group);
        assertEquals(5, options.untilIdleS);
        assertTrue(refusal("--kafka", "b:9092", "--topic", "t", "--group", "g", "--journal", "/tmp/m1").contains("--output-topic"));
        assertTrue(refusal("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g").contains("--journal"));
        assertTrue(refusal("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g", "--journal", "/tmp/m1",
            "--shards", "2").contains("--shards"));
        assertTrue(refusal("--until-idle-s", "5").contains("--group"));
        final DemoOptions publishing = parse("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g", "--journal",
            "/tmp/m1", "--publish-snapshots", "/tmp/shared", "--publish-every", "500");
        assertEquals(java.nio.file.Path.of("/tmp/shared"), publishing.publishSnapshots);
        assertEquals(500, publishing.publishEvery);
        assertEquals(20_000, options.publishEvery);
        assertTrue(refusal("--publish-snapshots", "/tmp/shared").contains("--group"));
        assertTrue(refusal("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g", "--journal", "/tmp/m1",
            "--publish-every", "500").contains("--publish-snapshots"));
        assertTrue(parse("--kafka", "b:9092", "--topic", "t", "--output-topic", "t2", "--group", "g", "--journal", "/tmp/m1", "--standby")
            .standby);
        assertTrue(!options.standby);
        assertTrue(refusal("--standby").contains("--group"));
    }

    @Test
    void shouldSayWhetherTheChecksumsEqualThePlainJavaImplementationsAtTheStandardSizeOnly()
    {
        assertTrue(FraudVelocityDemo.referenceCheck(parse(), new ChecksumReport()).startsWith("checksums: DIFFER"),
            "an empty report at the standard size differs from the stored reference");
        assertTrue(FraudVelocityDemo.referenceCheck(parse("--workload", "v2"), ChecksumReport.v2()).contains("DIFFER"),
            "v2 is checked against v2's reference");
        assertTrue(FraudVelocityDemo.referenceCheck(parse("--events", "1000"), new ChecksumReport()).contains("no stored reference"));
        assertTrue(FraudVelocityDemo.referenceCheck(parse("--seed", "7"), new ChecksumReport()).contains("--compare"));
    }
}
