package io.ringside.perf;

import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Fixed-rate, coordinated-omission-corrected latency from ingress to decision, journal on (page-cache):
 * the engine (one shard, a handler that records each event's latency) beside a bare Disruptor whose one
 * handler appends each event to a journal and records its latency ({@link BareDisruptorLatencyTarget}),
 * with the matching wait strategy. For each rate, each target gets a fresh instance in a scratch directory
 * (deleted after), a warm-up and a measured period on one continuous schedule ({@link FixedRatePublisher}).
 * Latency is measured from each event's <em>intended</em> send time, so a publisher held up by a full ring
 * or the scheduler does not hide the stall.
 * <p>
 * Prints per rate and target: count, p50, p90, p99, p99.9, p99.99 and max in microseconds, the achieved
 * rate and the publisher's worst lag behind its schedule; then engine/bare for p50 and p99. On a 2-core
 * machine the publisher busy-waits for gaps under {@value FixedRatePublisher#PARK_ABOVE_NS} ns, so
 * {@code busy-spin} and {@code yielding} with the pipelined topology oversubscribe the cores.
 * <pre>
 * ./ringside latency
 * ./ringside latency --rates 10000,100000,1000000 --warmup-s 5 --measure-s 10 --wait blocking --topology compact --target both
 * ./ringside latency --rates 100000 --warmup-s 1 --measure-s 2 --wait busy-spin --target engine
 * ./ringside latency --help
 * </pre>
 */
public final class LatencyHarness
{
    private static final double NS_PER_S = 1e9;

    private LatencyHarness()
    {
    }

    public static void main(final String[] args)
    {
        final LatencyOptions options;
        try
        {
            options = LatencyOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ringside latency: " + ex.getMessage());
            System.err.println(LatencyOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help)
        {
            System.out.println(LatencyOptions.USAGE);
            return;
        }
        System.out.printf(Locale.ROOT, "ringside latency: fixed rate, from intended send time; 48-byte events, journal page-cache, " +
            "wait %s, topology %s, ring %d, warm-up %d s + measured %d s per rate and target, %d CPUs%n",
            options.wait.name().toLowerCase(Locale.ROOT).replace('_', '-'), options.topology.name().toLowerCase(Locale.ROOT), options.ringSize,
            options.warmUpS, options.measureS, Runtime.getRuntime().availableProcessors());
        final LatencyReport report = new LatencyReport(System.out);
        report.header();
        for (final long rate : options.rates)
        {
            final Histogram engine = options.engine ?
                measure(new EngineLatencyTarget(options.topology, options.wait, options.ringSize), rate, options, report) : null;
            final Histogram bare = options.bare ?
                measure(new BareDisruptorLatencyTarget(options.wait, options.ringSize), rate, options, report) : null;
            if (engine != null && bare != null)
            {
                report.ratio(rate, engine, bare);
            }
        }
    }

    private static Histogram measure(final LatencyTarget target, final long rate, final LatencyOptions options, final LatencyReport report)
    {
        final FixedRatePublisher publisher = new FixedRatePublisher(rate);
        try (target)
        {
            publisher.run(target, rate * options.warmUpS, rate * options.measureS);
        }
        final IntendedLatencyRecorder recorder = target.recorder();
        final Histogram histogram = recorder.histogram();
        final long elapsedNs = recorder.lastMeasuredNs() - publisher.measureStartNs();
        final double achievedPerS = elapsedNs > 0 ? histogram.getTotalCount() * NS_PER_S / elapsedNs : Double.NaN;
        report.row(rate, target.name(), histogram, achievedPerS, publisher.maxLagNs());
        return histogram;
    }
}
