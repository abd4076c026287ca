package io.ringside.perf;

import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;

/**
 * The {@link LatencyHarness}'s flags, parsed and checked once. Not thread-safe.
 */
final class LatencyOptions
{
    static final String USAGE = String.join("\n",
        "usage: ringside latency [--rates N,N,...] [--warmup-s S] [--measure-s S] [--wait STRATEGY]",
        "                        [--topology compact|pipelined] [--target engine|bare|both] [--ring-size N]",
        "  fixed-rate ingress-to-decision latency, from each event's intended send time (coordinated omission",
        "  corrected), journal page-cache, 48-byte events, one shard; for each rate a fresh engine and a fresh",
        "  bare Disruptor with one journal append, side by side.",
        "  --rates      events per second, comma-separated (default 10000,100000,1000000)",
        "  --warmup-s   seconds of warm-up per rate and target, not recorded (default 5)",
        "  --measure-s  seconds measured per rate and target (default 10)",
        "  --wait       busy-spin, yielding, sleeping or blocking (default blocking; backoff with --target engine only)",
        "  --topology   the engine's topology (default compact)",
        "  --target     what to measure (default both)",
        "  --ring-size  slots in each ring, a power of two (default 16384)");

    private static final java.util.Set<String> FLAGS =
        java.util.Set.of("--rates", "--warmup-s", "--measure-s", "--wait", "--topology", "--target", "--ring-size");
    private static final long MAX_RATE = 50_000_000;
    private static final long MAX_SECONDS = 3_600;

    long[] rates = {10_000, 100_000, 1_000_000};
    long warmUpS = 5;
    long measureS = 10;
    WaitStrategy wait = WaitStrategy.BLOCKING;
    Topology topology = Topology.COMPACT;
    boolean engine = true;
    boolean bare = true;
    int ringSize = EngineContext.DEFAULT_RING_SIZE;
    boolean help;

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
        if (options.bare && !options.help)
        {
            BareDisruptorLatencyTarget.disruptorWait(options.wait);
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
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "engine" ->
            {
                engine = true;
                bare = false;
            }
            case "bare" ->
            {
                engine = false;
                bare = true;
            }
            case "both" ->
            {
                engine = true;
                bare = true;
            }
            default -> throw new IllegalArgumentException("unknown target '" + value + "': use engine, bare or both");
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
