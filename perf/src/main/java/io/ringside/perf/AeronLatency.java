package io.ringside.perf;

import io.ringside.ingest.aeron.AeronIngressContext;
import org.HdrHistogram.Histogram;

/**
 * {@code ./ringside latency --transport aeron-ipc|aeron-udp}: per rate, a bare Aeron ping-pong
 * ({@link AeronPingPongLatencyTarget}) then the round trip through the engine ({@link AeronEngineLatencyTarget}; with
 * {@code --aeron-ingress}, the ingress placed automatically (the default), on its own thread, on the engine's compact
 * thread, or both in turn), each on a fresh media driver, and their ratio.
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
        for (final AeronIngressContext.Placement placement : options.aeronPlacements)
        {
            final AeronEngineLatencyTarget target = new AeronEngineLatencyTarget(options.aeron, options.topology, options.wait,
                options.egressWait, options.inlineDelivery, options.ringSize, placement);
            final String name = target.name();
            final Histogram engine = LatencyHarness.measure(target, rate, options, report);
            report.ratio(rate, name, engine, "aeron-" + options.aeron + "-bare", bare);
        }
    }
}
