package io.ringside.perf;

import java.util.Locale;

import io.ringside.perf.cli.CheckedCommand;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Fixed-rate, coordinated-omission-corrected latency from ingress to decision, journal on (page-cache):
 * the engine (one shard, a handler that records each event's latency) beside a bare Disruptor whose one
 * handler appends each event to a journal and records its latency ({@link BareDisruptorLatencyTarget}),
 * with the matching wait strategy, and beside the engine running the demo's fraud-velocity pipeline on the
 * workload's events ({@link FraudLatencyTarget}), latency to the return of its {@code onEvent}. For each rate,
 * each selected target (in that order) gets a fresh instance in a scratch directory
 * (deleted after), a warm-up and a measured period on one continuous schedule ({@link FixedRatePublisher}).
 * Latency is measured from each event's <em>intended</em> send time, so a publisher held up by a full ring
 * or the scheduler does not hide the stall.
 * <p>
 * Prints per rate and target: count, p50, p90, p99, p99.9, p99.99 and max in microseconds, the achieved
 * rate and the publisher's worst lag behind its schedule (fraud: then what the pipeline decided); then
 * engine/bare and fraud/engine for p50 and p99. On a 2-core
 * machine the publisher busy-waits for gaps under {@value FixedRatePublisher#PARK_ABOVE_NS} ns, so
 * {@code busy-spin} and {@code yielding} with the pipelined topology oversubscribe the cores.
 * <pre>
 * ./ringside latency
 * ./ringside latency --rates 10000,100000,1000000 --warmup-s 5 --measure-s 10 --wait blocking --topology compact --target both
 * ./ringside latency --rates 100000 --warmup-s 1 --measure-s 2 --wait busy-spin --target engine
 * ./ringside latency --rates 100000 --wait yielding --warmup-s 10 --measure-s 30 --target engine,fraud
 * ./ringside latency --help
 * </pre>
 */
@Command(name = "latency", description = {"Fixed-rate ingress-to-decision latency, from each event's intended send time (coordinated " +
    "omission corrected), journal page-cache, 48-byte events, one shard; for each rate a fresh instance of each target, side by " +
    "side, in the order engine, bare, fraud."})
public final class LatencyHarness extends CheckedCommand
{
    private static final double NS_PER_S = 1e9;

    @Mixin
    LatencyOptions options;

    @Override
    protected void check()
    {
        options.check();
    }

    @Override
    protected void run()
    {
        System.out.printf(Locale.ROOT, "ringside latency: fixed rate, from intended send time; 48-byte events, journal page-cache, " +
            "wait %s%s, topology %s, ring %d, warm-up %d s + measured %d s per rate and target, %d CPUs%n",
            options.wait.name().toLowerCase(Locale.ROOT).replace('_', '-'), options.aeron != null && options.egressWait != options.wait ?
            " (egress " + options.egressWait.name().toLowerCase(Locale.ROOT).replace('_', '-') + ")" : "",
            options.topology.name().toLowerCase(Locale.ROOT), options.ringSize,
            options.warmUpS, options.measureS, Runtime.getRuntime().availableProcessors());
        if (options.fraud)
        {
            System.out.printf(Locale.ROOT, "fraud: the workload's events (%,d events, %,d cards, seed %d), the pipeline's state built before " +
                "each run's schedule starts%n", options.events, options.cards, options.seed);
        }
        final LatencyReport report = new LatencyReport(System.out);
        report.header();
        for (final long rate : options.rates)
        {
            if (options.aeron != null)
            {
                AeronLatency.measure(rate, options, report);
                continue;
            }
            final Histogram engine = options.engine ?
                measure(new EngineLatencyTarget(options.topology, options.wait, options.ringSize), rate, options, report) : null;
            final Histogram bare = options.bare ?
                measure(new BareDisruptorLatencyTarget(options.wait, options.ringSize), rate, options, report) : null;
            final Histogram fraud = options.fraud ? measure(new FraudLatencyTarget(options.topology, options.wait, options.ringSize,
                options.events, options.cards, options.seed), rate, options, report) : null;
            if (engine != null && bare != null)
            {
                report.ratio(rate, "engine", engine, "bare", bare);
            }
            if (fraud != null && engine != null)
            {
                report.ratio(rate, "fraud", fraud, "engine", engine);
            }
        }
    }

    /**
     * Runs one target through one rate's schedule, closes it and prints its row (and its summary, if any).
     *
     * @return its measured latencies, ns.
     */
    static Histogram measure(final LatencyTarget target, final long rate, final LatencyOptions options, final LatencyReport report)
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
        final String summary = target.summary();
        if (summary != null)
        {
            report.note(rate, target.name(), summary);
        }
        return histogram;
    }
}
