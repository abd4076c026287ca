package io.ringside.perf.fraud;

import java.nio.file.Path;

import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;

/**
 * The flags of {@code ./ringside demo}, parsed once; a bad flag is an {@link IllegalArgumentException} that says which.
 */
final class DemoOptions
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: ringside demo [--events N] [--cards K] [--seed S] [--shards N] [--topology compact|pipelined]",
        "                     [--wait busy-spin|yielding|backoff|sleeping|blocking] [--journal DIR] [--output FILE] [--rate EVENTS_PER_S]",
        "  runs the fraud-velocity workload (shared/workload.md) through the engine and prints one line per output kind:",
        "  KIND count=<n> checksum=<16 hex digits>, then the throughput and the ingress-to-decision latency.",
        "  --events   events, duplicates included (default 10,000,000: the standard size)",
        "  --cards    cards, at least 100 (default 1,000,000)",
        "  --seed     the generator's seed (default 42)",
        "  --shards   shards (default 1)",
        "  --topology compact (default) or pipelined",
        "  --wait     the journaler's and shards' wait strategy (default blocking)",
        "  --journal  the engine directory (journal/ and counters.dat); default a temporary one, deleted after",
        "  --output   also write every output to FILE, one per line: KIND,field,field,...",
        "  --rate     publish at this many events per second (default: as fast as the engine takes them)",
        "  --warmup-s also print the latency without the first S seconds of the live run (JIT warm-up; the histogram is",
        "             refreshed once a second, so the cut is to about a second)",
        "  --state    chronicle (default: the engine's operators, off-heap in Chronicle Map) or heap (plain on-heap tables)",
        "  --snapshot-every  with --state chronicle, also snapshot the state every N events (default 0: only at the end; a",
        "                    snapshot of the standard size pauses the shard for about half a second, see tuning.md)",
        "  --snapshot-replica with --snapshot-every, a replica thread replays the journal into a second pipeline and writes",
        "                    the snapshots from it: the shard never pauses (a second copy of the state, a second core)",
        "  --durability      page-cache (default) or group-commit (a force per ring batch)",
        "  A --journal DIR that holds a journal from an earlier run (killed or not) is recovered: the newest snapshot is",
        "  loaded, the journal after it replayed, and the generator resumes at the event after the last one journaled,",
        "  so the same flags finish the same run; with --output the file then holds every output exactly once.",
        "  --kafka BOOTSTRAP --topic T [--output-topic T2]: read the workload from topic T (written by ./ringside produce) up to",
        "             its end offsets at start, instead of generating it; outputs to T2 in the --output line format, exactly once.",
        "             With --journal, a restart resumes each partition after its last journaled offset and the sink drops the",
        "             replayed outputs T2 already holds; the checksums printed are the whole run's.",
        "  --compare  first run the plain-Java single-threaded implementation written by hand for speed (FastPlainFraudVelocity)",
        "             on the same events in this JVM, then the engine, and print both rates and the engine's share of the plain one",
        "  --aeron ipc|udp: a sender process sends the workload over Aeron (an embedded media driver) and reads the decisions",
        "             back over Aeron; both print their checksums. --aeron-dir DIR: use the media driver running in DIR instead");

    private static final java.util.Set<String> VALUED_FLAGS = java.util.Set.of("--events", "--cards", "--seed", "--shards", "--topology",
        "--wait", "--journal", "--output", "--rate", "--warmup-s", "--state", "--snapshot-every", "--durability", "--kafka", "--topic",
        "--output-topic", "--aeron", "--aeron-dir");

    long events = WorkloadSize.STANDARD.events();
    long cards = WorkloadSize.STANDARD.cards();
    long seed = 42;
    int shards = 1;
    Topology topology = Topology.COMPACT;
    WaitStrategy wait = WaitStrategy.BLOCKING;
    Path journal;
    Path output;
    long rate;
    boolean chronicle = true;
    long snapshotEvery;
    boolean snapshotReplica;
    long warmUpS;
    io.ringside.journal.DurabilityPolicy durability = io.ringside.journal.DurabilityPolicy.PAGE_CACHE;
    boolean compare;
    boolean help;
    String kafka;
    String topic;
    String outputTopic;
    String aeron;
    Path aeronDir;

    static DemoOptions parse(final String[] args)
    {
        final DemoOptions options = new DemoOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help"))
            {
                options.help = true;
                continue;
            }
            if (flag.equals("--compare"))
            {
                options.compare = true;
                continue;
            }
            if (flag.equals("--snapshot-replica"))
            {
                options.snapshotReplica = true;
                continue;
            }
            if (!VALUED_FLAGS.contains(flag))
            {
                throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            final String value = args[++i];
            switch (flag)
            {
                case "--events" -> options.events = atLeast(flag, value, 1);
                case "--cards" -> options.cards = atLeast(flag, value, WorkloadGenerator.MIN_CARDS);
                case "--seed" -> options.seed = number(flag, value);
                case "--shards" -> options.shards = (int)atLeast(flag, value, 1);
                case "--topology" -> options.topology = topology(value);
                case "--wait" -> options.wait = WaitStrategy.parse(value);
                case "--journal" -> options.journal = Path.of(value);
                case "--output" -> options.output = Path.of(value);
                case "--rate" -> options.rate = atLeast(flag, value, 1);
                case "--warmup-s" -> options.warmUpS = atLeast(flag, value, 0);
                case "--state" -> options.chronicle = state(value);
                case "--snapshot-every" -> options.snapshotEvery = atLeast(flag, value, 0);
                case "--durability" -> options.durability = durability(value);
                case "--kafka" -> options.kafka = value;
                case "--topic" -> options.topic = value;
                case "--output-topic" -> options.outputTopic = value;
                case "--aeron" -> options.aeron = AeronChannels.of(value).mode();
                case "--aeron-dir" -> options.aeronDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        if (options.snapshotReplica && (options.snapshotEvery == 0 || !options.chronicle || options.kafka != null))
        {
            throw new IllegalArgumentException("--snapshot-replica writes the periodic snapshots: it needs --snapshot-every N and the " +
                "chronicle state, and is not offered with --kafka");
        }
        if ((options.kafka == null) != (options.topic == null) || (options.outputTopic != null && options.kafka == null))
        {
            throw new IllegalArgumentException("--kafka and --topic go together (and --output-topic needs them)");
        }
        return options;
    }

    private static boolean state(final String value)
    {
        return switch (value)
        {
            case "chronicle" -> true;
            case "heap" -> false;
            default -> throw new IllegalArgumentException("--state takes chronicle or heap, not '" + value + "'");
        };
    }

    private static io.ringside.journal.DurabilityPolicy durability(final String value)
    {
        return switch (value)
        {
            case "page-cache" -> io.ringside.journal.DurabilityPolicy.PAGE_CACHE;
            case "group-commit" -> io.ringside.journal.DurabilityPolicy.GROUP_COMMIT;
            default -> throw new IllegalArgumentException("--durability takes page-cache or group-commit, not '" + value + "'");
        };
    }

    private static Topology topology(final String value)
    {
        return switch (value)
        {
            case "compact" -> Topology.COMPACT;
            case "pipelined" -> Topology.PIPELINED;
            default -> throw new IllegalArgumentException("--topology takes compact or pipelined, not '" + value + "'");
        };
    }

    private static long atLeast(final String flag, final String value, final long min)
    {
        final long n = number(flag, value);
        if (n < min)
        {
            throw new IllegalArgumentException(flag + " must be at least " + min + ", was " + n);
        }
        return n;
    }

    private static long number(final String flag, final String value)
    {
        try
        {
            return Long.parseLong(value.replace("_", "").replace(",", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + " takes a whole number, not '" + value + "'", ex);
        }
    }
}
