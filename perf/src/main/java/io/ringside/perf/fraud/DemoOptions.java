package io.ringside.perf.fraud;

import java.nio.file.Path;

import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.journal.DurabilityPolicy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags of {@code ./ringside demo}, set by picocli (a mixin of {@link FraudVelocityDemo}), then checked against
 * each other once by {@link #check()}.
 */
final class DemoOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", description = "events, duplicates included (default 10,000,000: the standard size)")
    long events = WorkloadSize.STANDARD.events();

    @Option(names = "--cards", paramLabel = "K", description = "cards, at least 100 (default 1,000,000)")
    long cards = WorkloadSize.STANDARD.cards();

    @Option(names = "--seed", paramLabel = "S", description = "the generator's seed (default 42)")
    long seed = 42;

    @Option(names = "--shards", paramLabel = "N", description = "shards (default 1)")
    int shards = 1;

    @Option(names = "--topology", paramLabel = "compact|pipelined", description = "compact (default) or pipelined")
    Topology topology = Topology.COMPACT;

    @Option(names = "--wait", paramLabel = "busy-spin|yielding|backoff|sleeping|blocking|backoff-blocking",
        description = "the journaler's and shards' wait strategy (default blocking)")
    WaitStrategy wait = WaitStrategy.BLOCKING;

    @Option(names = "--journal", paramLabel = "DIR", description = {"the engine directory (journal/ and counters.dat); default a " +
        "temporary one, deleted after.", "A DIR that holds a journal from an earlier run (killed or not) is recovered: the newest " +
        "snapshot is loaded, the journal after it replayed, and the generator resumes at the event after the last one journaled, so " +
        "the same flags finish the same run; with --output the file then holds every output exactly once."})
    Path journal;

    @Option(names = "--output", paramLabel = "FILE", description = "also write every output to FILE, one per line: KIND,field,field,...")
    Path output;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "publish at this many events per second (default: as fast as " +
        "the engine takes them)")
    long rate;

    @Option(names = "--warmup-s", paramLabel = "S", description = "also print the latency without the first S seconds of the live run " +
        "(JIT warm-up; the histogram is refreshed once a second, so the cut is to about a second)")
    long warmUpS;

    @Option(names = "--state", paramLabel = "chronicle|heap", description = "chronicle (default: the engine's operators, off-heap in " +
        "Chronicle Map) or heap (plain on-heap tables)")
    private String state = "chronicle";

    /** From {@code --state}, by {@link #check()}. */
    boolean chronicle = true;

    @Option(names = "--snapshot-every", paramLabel = "N", description = "with --state chronicle, also snapshot the state every N events " +
        "(default 0: only at the end; a snapshot of the standard size pauses the shard for about half a second, see tuning.md)")
    long snapshotEvery;

    @Option(names = "--snapshot-replica", description = "with --snapshot-every, a replica thread replays the journal into a second " +
        "pipeline and writes the snapshots from it: the shard never pauses (a second copy of the state, a second core)")
    boolean snapshotReplica;

    @Option(names = "--durability", paramLabel = "page-cache|group-commit", description = "page-cache (default) or group-commit " +
        "(a force per ring batch)")
    DurabilityPolicy durability = DurabilityPolicy.PAGE_CACHE;

    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = {"with --topic: read the workload from topic T (written by " +
        "./ringside produce) up to its end offsets at start, instead of generating it; outputs to T2 (--output-topic) in the --output " +
        "line format, exactly once. With --journal, a restart resumes each partition after its last journaled offset and the sink " +
        "drops the replayed outputs T2 already holds; the checksums printed are the whole run's.", "With --workload v2, T holds the " +
        "transactions and captures and the profiles come from a second source, the compacted topic --profiles-topic (both written by " +
        "./ringside produce --workload v2); --events and --cards then only size the tables."})
    String kafka;

    @Option(names = "--topic", paramLabel = "T", description = "the topic to read, with --kafka")
    String topic;

    @Option(names = "--profiles-topic", paramLabel = "P", description = "with --workload v2 and --kafka: the compacted topic of " +
        "profiles, read as a second source beside T (default T-profiles, as ./ringside produce --workload v2 names it)")
    String profilesTopic;

    @Option(names = "--output-topic", paramLabel = "T2", description = "the topic to write the outputs to, with --kafka")
    String outputTopic;

    @Option(names = "--group", paramLabel = "G", description = {"with --kafka, --topic, --output-topic and --journal: run one member " +
        "of consumer group G (cooperative sticky assignor). Each partition it owns gets its own one-shard engine in DIR/p-<n> (on-heap " +
        "state), rebuilt from the partition's records in Kafka (or from a published snapshot: --publish-snapshots), and its own " +
        "transactional producer (fencing the previous owner); " +
        "outputs carry ids from the partition's offsets, committed with the group's offset, exactly once across owners. Start several " +
        "(each its own DIR); kill any, start more. Workload v1. Runs until killed, or see --until-idle-s; a partition's input ends at " +
        "an end-of-input record (./ringside produce --end-markers), else never."})
    String group;

    @Option(names = "--until-idle-s", paramLabel = "S", description = "with --group: leave the group and exit once every partition " +
        "this member owns has ended (or it owns none) and no record came for S seconds (default 0: run until killed)")
    long untilIdleS;

    @Option(names = "--publish-snapshots", paramLabel = "SHARED", description = "with --group: every --publish-every records of a " +
        "partition, snapshot its engine and publish the snapshot in SHARED/G/T-<n>/ (a directory every member reads: here any " +
        "directory; in production a shared filesystem or an object store); a partition's new owner starts from the newest usable " +
        "one and re-reads only the records after it (give every member the same SHARED)")
    Path publishSnapshots;

    @Option(names = "--publish-every", paramLabel = "N", description = "with --publish-snapshots: records of a partition between " +
        "its snapshots (default 20000)")
    long publishEvery = 20_000;

    @Option(names = "--standby", description = "with --group: keep a warm standby of every partition this member does not own (an " +
        "engine per partition fed by a consumer of its own, its outputs sent nowhere, kept a transaction or two behind the owner); " +
        "assigned such a partition, the member goes on with that engine instead of rebuilding its state")
    boolean standby;

    @Option(names = "--compare", description = "first run the plain-Java single-threaded implementation written by hand for speed " +
        "(FastPlainFraudVelocity) on the same events in this JVM, then the engine, and print both rates and the engine's share of " +
        "the plain one")
    boolean compare;

    @Option(names = "--workload", paramLabel = "v1|v2", description = "v1 (default: the fraud-velocity workload) or v2 (v1 plus " +
        "profiles, captures and the test-charge pattern: 14 output kinds; with --compare against PlainJavaFraudV2; with --kafka the " +
        "profiles come from their own compacted topic, --profiles-topic; not with --state heap)")
    private String workloadName = "v1";

    /** 1 or 2: workload v1 or v2, from {@code --workload}, by {@link #check()}. */
    int workload = 1;

    @Option(names = "--aeron", paramLabel = "ipc|udp", description = "a sender process sends the workload over Aeron (an embedded media " +
        "driver) and reads the decisions back over Aeron; both print their checksums")
    private String aeronMode;

    /** ipc or udp, from {@code --aeron} by {@link #check()}; null: the generator publishes in this process. */
    String aeron;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "with --aeron: use the media driver running in DIR instead of an " +
        "embedded one")
    Path aeronDir;

    @Option(names = "--aeron-ingress", paramLabel = "auto|thread|compact", description = "with --aeron: where the ingress runs: auto " +
        "(default), polled by the engine's compact thread with the compact topology (one thread hop and one wake-up less per event) and " +
        "on a thread of its own with --topology pipelined; thread, its own; compact, the compact thread (not with --topology pipelined)")
    private String aeronIngress;

    /** From {@code --aeron-ingress} by {@link #check()}: where the Aeron ingress runs. */
    AeronIngressContext.Placement aeronPlacement = AeronIngressContext.Placement.AUTO;

    /**
     * The flags of the demo over Aeron: {@code --aeron}, {@code --aeron-dir}, {@code --aeron-ingress}.
     */
    private void checkAeron()
    {
        aeron = aeronMode == null ? null : AeronChannels.of(aeronMode).mode();
        if (aeronDir != null && aeron == null)
        {
            throw new IllegalArgumentException("--aeron-dir names the media driver of --aeron ipc|udp: give --aeron too");
        }
        if (aeronIngress != null)
        {
            aeronPlacement = AeronFraudEngine.placement(aeronIngress);
            if (aeronPlacement == null)
            {
                throw new IllegalArgumentException("--aeron-ingress takes auto, thread or compact, not '" + aeronIngress + "'");
            }
            if (aeron == null)
            {
                throw new IllegalArgumentException("--aeron-ingress places the Aeron ingress: give --aeron ipc|udp too");
            }
        }
        if (aeronPlacement == AeronIngressContext.Placement.COMPACT && topology != Topology.COMPACT)
        {
            throw new IllegalArgumentException("--aeron-ingress compact polls Aeron on the compact topology's thread, and --topology pipelined " +
                "has none: leave --aeron-ingress out (auto: its own thread there) or give thread");
        }
    }

    /**
     * @throws IllegalArgumentException naming the flag that is wrong.
     */
    void check()
    {
        atLeast("--events", events, 1);
        atLeast("--cards", cards, WorkloadGenerator.MIN_CARDS);
        atLeast("--shards", shards, 1);
        if (spec.commandLine().getParseResult().hasMatchedOption("--rate"))
        {
            atLeast("--rate", rate, 1);
        }
        atLeast("--warmup-s", warmUpS, 0);
        atLeast("--snapshot-every", snapshotEvery, 0);
        chronicle = switch (state)
        {
            case "chronicle" -> true;
            case "heap" -> false;
            default -> throw new IllegalArgumentException("--state takes chronicle or heap, not '" + state + "'");
        };
        if (durability.kind() == DurabilityPolicy.Kind.INTERVAL)
        {
            throw new IllegalArgumentException("--durability takes page-cache or group-commit, not '" + durability + "'");
        }
        if (snapshotReplica && (snapshotEvery == 0 || !chronicle || kafka != null))
        {
            throw new IllegalArgumentException("--snapshot-replica writes the periodic snapshots: it needs --snapshot-every N and the " +
                "chronicle state, and is not offered with --kafka");
        }
        if ((kafka == null) != (topic == null) || (outputTopic != null && kafka == null))
        {
            throw new IllegalArgumentException("--kafka and --topic go together (and --output-topic needs them)");
        }
        if (group != null && (kafka == null || outputTopic == null || journal == null))
        {
            throw new IllegalArgumentException("--group runs a member of consumer group G: it needs --kafka, --topic, --output-topic and " +
                "--journal DIR (each member its own DIR)");
        }
        if (group == null && untilIdleS != 0)
        {
            throw new IllegalArgumentException("--until-idle-s goes with --group");
        }
        atLeast("--until-idle-s", untilIdleS, 0);
        if (publishSnapshots != null && group == null)
        {
            throw new IllegalArgumentException("--publish-snapshots goes with --group");
        }
        if (standby && group == null)
        {
            throw new IllegalArgumentException("--standby goes with --group");
        }
        if (publishSnapshots == null && spec.commandLine().getParseResult().hasMatchedOption("--publish-every"))
        {
            throw new IllegalArgumentException("--publish-every goes with --publish-snapshots");
        }
        atLeast("--publish-every", publishEvery, 1);
        if (group != null && (!"v1".equals(workloadName) || spec.commandLine().getParseResult().hasMatchedOption("--state") ||
            shards != 1 || snapshotEvery != 0 || compare))
        {
            throw new IllegalArgumentException("--group runs workload v1 on one on-heap shard per partition: not with --workload v2, " +
                "--state, --shards, --snapshot-every or --compare");
        }
        workload = switch (workloadName)
        {
            case "v1" -> 1;
            case "v2" -> 2;
            default -> throw new IllegalArgumentException("--workload takes v1 or v2, not '" + workloadName + "'");
        };
        checkAeron();
        if (aeron != null && (kafka != null || workload == 2))
        {
            throw new IllegalArgumentException("--aeron runs workload v1 from a sender process: not with --kafka or --workload v2");
        }
        if (workload == 2 && !chronicle)
        {
            throw new IllegalArgumentException("--workload v2 runs on the engine's operators: not with --state heap");
        }
        if (profilesTopic != null && (workload != 2 || kafka == null))
        {
            throw new IllegalArgumentException("--profiles-topic goes with --workload v2 and --kafka");
        }
        if (workload == 2 && kafka != null && compare)
        {
            throw new IllegalArgumentException("--compare runs the generator's events: not with --kafka");
        }
    }

    private static void atLeast(final String flag, final long value, final long min)
    {
        if (value < min)
        {
            throw new IllegalArgumentException(flag + " must be at least " + min + ", was " + value);
        }
    }
}
