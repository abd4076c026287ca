package io.ringside.perf;

import org.HdrHistogram.Histogram;

/**
 * {@code ./ringside latency --transport aeron-ipc|aeron-udp}: per rate, a bare Aeron ping-pong
 * ({@link AeronPingPongLatencyTarget}) then the round trip through the engine ({@link AeronEngineLatencyTarget}; with
 * {@code --aeron-ingress}, the ingress on its own thread, on the engine's compact thread, or both in turn), each on a fresh
 * media driver, and their ratio.
 */
final class AeronLatency
{
    private AeronLatency()
    {
    }

    /**
     * @return ipc or udp.
     * @throws IllegalArgumentException for anything but aeron-ipc and aeron-udp.
     */
    static String transport(final String value)
    {
        return switch (value)
        {
            case "aeron-ipc" -> "ipc";
            case "aeron-udp" -> "udp";
            default -> throw new IllegalArgumentException("--transport takes aeron-ipc or aeron-udp, not '" + value + "'");
        };
    }

    static void measure(final long rate, final LatencyOptions options, final LatencyReport report)
    {
        final Histogram bare = LatencyHarness.measure(new AeronPingPongLatencyTarget(options.aeron), rate, options, report);
        if (options.aeronIngressThread)
        {
            engine(rate, options, report, bare, false);
        }
        if (options.aeronIngressCompact)
        {
            engine(rate, options, report, bare, true);
        }
    }

    private static void engine(final long rate, final LatencyOptions options, final LatencyReport report, final Histogram bare,
        final boolean onCompactThread)
    {
        final AeronEngineLatencyTarget target = new AeronEngineLatencyTarget(options.aeron, options.topology, options.wait, options.egressWait,
            options.ringSize, onCompactThread);
        final String name = target.name();
        final Histogram engine = LatencyHarness.measure(target, rate, options, report);
        report.ratio(rate, name, engine, "aeron-" + options.aeron + "-bare", bare);
    }
}
