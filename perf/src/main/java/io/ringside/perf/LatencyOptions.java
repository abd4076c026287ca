package io.ringside.perf;

import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.perf.fraud.WorkloadGenerator;
import io.ringside.perf.fraud.WorkloadSize;

/**
 * The {@link LatencyHarness}'s flags, parsed and checked once. Not thread-safe.
 */
final class LatencyOptions
{
    static final String USAGE = String.join("\n",
        "usage: ringside latency [--rates N,N,...] [--warmup-s S] [--measure-s S] [--wait STRATEGY]",
        "                        [--topology compact|pipelined] [--target T,T,...] [--ring-size N]",
        "                        [--events N] [--cards K] [--seed S]",
        "  fixed-rate ingress-to-decision latency, from each event's intended send time (coordinated omission",
        "  corrected), journal page-cache, 48-byte events, one shard; for each rate a fresh instance of each target,",
        "  side by side, in the order engine, bare, fraud.",
        "  --rates      events per second, comma-separated (default 10000,100000,1000000)",
        "  --warmup-s   seconds of warm-up per rate and target, not recorded (default 5)",
        "  --measure-s  seconds measured per rate and target (default 10)",
        "  --wait       busy-spin, yielding, sleeping or blocking (default blocking; backoff without bare only)",
        "  --topology   the engine's topology (default compact)",
        "  --target     what to measure, comma-separated (default both):",
        "                 engine  the engine, a handler that only records the latency",
        "                 bare    a bare Disruptor with one journal append",
        "                 fraud   the engine running the demo's fraud-velocity pipeline on the workload's events,",
        "                         latency to the return of its onEvent; builds ~1.4 GB of state first (standard size)",
        "                 both    engine,bare;  all  engine,bare,fraud",
        "  --ring-size  slots in each ring, a power of two (default 16384)",
        "  --events     with fraud: the workload's events (default 10,000,000, the standard size); rate x (warm-up +",
        "               measured seconds) must fit in them",
        "  --cards      with fraud: the workload's cards (default 1,000,000)",
        "  --seed       with fraud: the generator's seed (default 42)",
        "  --transport  aeron-ipc or aeron-udp: instead of the targets above, the round trip over Aeron (sender, media",
        "               driver, ingress, engine, sink, subscriber) beside a bare Aeron ping-pong on the same driver set-up");

    private static final java.util.Set<String> FLAGS = java.util.Set.of("--rates", "--warmup-s", "--measure-s", "--wait", "--topology",
        "--target", "--ring-size", "--events", "--cards", "--seed", "--transport");
    private static final long MAX_RATE = 50_000_000;
    private static final long MAX_SECONDS = 3_600;

    long[] rates = {10_000, 100_000, 1_000_000};
    long warmUpS = 5;
    long measureS = 10;
    WaitStrategy wait = WaitStrategy.BLOCKING;
    Topology topology = Topology.COMPACT;
    boolean engine = true;
    boolean bare = true;
    boolean fraud;
    long events = WorkloadSize.STANDARD.events();
    long cards = WorkloadSize.STANDARD.cards();
    long seed = 42;
    int ringSize = EngineContext.DEFAULT_RING_SIZE;
    boolean help;
    /** ipc or udp with --transport aeron-ipc|aeron-udp; null: in-process. */
    String aeron;

    /**
     * @throws IllegalArgumentException naming the flag that is wrong.
     */
    static LatencyOptions parse(final String[] args)
    {
        final LatencyOptions options = new LatencyOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            final String flag = equals > 0 ? arg.substring(0, equals) : arg;
            if (flag.equals("-h") || flag.equals("--help"))
            {
                options.help = true;
                continue;
            }
            final String value;
            if (equals > 0)
            {
                value = arg.substring(equals + 1);
            }
            else if (i + 1 < args.length)
            {
                value = args[++i];
            }
            else
            {
                throw new IllegalArgumentException(FLAGS.contains(flag) ? flag + " needs a value" :
                    flag.startsWith("--") ? "unknown flag '" + flag + "'" : "unknown argument '" + arg + "'");
            }
            options.set(flag, value);
        }
        if (options.bare && !options.help && options.aeron == null)
        {
            BareDisruptorLatencyTarget.disruptorWait(options.wait);
        }
        if (options.fraud && !options.help)
        {
            options.checkWorkloadFits();
        }
        return options;
    }

    private void set(final String flag, final String value)
    {
        switch (flag)
        {
            case "--rates" -> rates = rates(value);
            case "--warmup-s" -> warmUpS = number(flag, value, 0, MAX_SECONDS);
            case "--measure-s" -> measureS = number(flag, value, 1, MAX_SECONDS);
            case "--wait" -> wait = WaitStrategy.parse(value);
            case "--topology" -> topology = topology(value);
            case "--target" -> target(value);
            case "--ring-size" -> ringSize = ringSize(value);
            case "--events" -> events = number(flag, value, 1, Long.MAX_VALUE);
            case "--cards" -> cards = number(flag, value, WorkloadGenerator.MIN_CARDS, Integer.MAX_VALUE);
            case "--seed" -> seed = number(flag, value, Long.MIN_VALUE, Long.MAX_VALUE);
            case "--transport" -> aeron = AeronLatency.transport(value);
            default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
        }
    }

    private static long[] rates(final String value)
    {
        final String[] parts = value.split(",", -1);
        final long[] parsed = new long[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            parsed[i] = number("--rates", parts[i], 1, MAX_RATE);
        }
        return parsed;
    }

    private static long number(final String flag, final String value, final long min, final long max)
    {
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + " takes whole numbers, not '" + value + "'", ex);
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(flag + " must be " + min + " to " + max + ", was " + parsed);
        }
        return parsed;
    }

    private static Topology topology(final String value)
    {
        try
        {
            return Topology.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown topology '" + value + "': use compact or pipelined", ex);
        }
    }

    private void target(final String value)
    {
        engine = false;
        bare = false;
        fraud = false;
        for (final String name : value.split(",", -1))
        {
            switch (name.trim().toLowerCase(Locale.ROOT))
            {
                case "engine" -> engine = true;
                case "bare" -> bare = true;
                case "fraud" -> fraud = true;
                case "both" ->
                {
                    engine = true;
                    bare = true;
                }
                case "all" ->
                {
                    engine = true;
                    bare = true;
                    fraud = true;
                }
                default -> throw new IllegalArgumentException("unknown target '" + name + "': use engine, bare, fraud, both or all, " +
                    "comma-separated");
            }
        }
    }

    /**
     * The fraud target sends each rate's warm-up and measured events from one workload: stop before building
     * anything if a rate needs more than it has.
     */
    private void checkWorkloadFits()
    {
        for (final long rate : rates)
        {
            final long needed = rate * (warmUpS + measureS);
            if (needed > events)
            {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "--target fraud at %,d events/s for %d + %d s sends %,d events, " +
                    "but the workload has %,d: lower the rate or the seconds, or raise --events (the same stream, longer)",
                    rate, warmUpS, measureS, needed, events));
            }
        }
    }

    private static int ringSize(final String value)
    {
        final long size = number("--ring-size", value, 2, 1 << 24);
        if (Long.bitCount(size) != 1)
        {
            throw new IllegalArgumentException("--ring-size must be a power of two, was " + size);
        }
        return (int)size;
    }
}
