package io.ringside.perf;

import java.io.PrintStream;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Prints the {@link LatencyHarness}'s table: one row per rate and target, in microseconds, and the
 * engine/bare and fraud/engine ratios of p50 and p99 when both of a pair ran. Main thread only.
 */
final class LatencyReport
{
    private static final double NS_PER_US = 1_000.0;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    private final PrintStream out;

    LatencyReport(final PrintStream out)
    {
        this.out = out;
    }

    void header()
    {
        out.printf(Locale.ROOT, "%10s  %-6s %10s %9s %9s %9s %9s %9s %9s %12s %11s%n",
            "rate/s", "target", "count", "p50 us", "p90 us", "p99 us", "p99.9 us", "p99.99 us", "max us", "achieved/s", "lag max us");
    }

    /**
     * @param rate          the scheduled rate.
     * @param target        what ran.
     * @param histogram     its latencies, ns.
     * @param achievedPerS  measured events over the time from the first one's intended send to the last one's handling.
     * @param maxLagNs      how far behind schedule the publisher was at worst.
     */
    void row(final long rate, final String target, final Histogram histogram, final double achievedPerS, final long maxLagNs)
    {
        out.printf(Locale.ROOT, "%10d  %-6s %10d", rate, target, histogram.getTotalCount());
        for (final double percentile : PERCENTILES)
        {
            out.printf(Locale.ROOT, " %9.1f", histogram.getValueAtPercentile(percentile) / NS_PER_US);
        }
        out.printf(Locale.ROOT, " %9.1f %12.0f %11.1f%n", histogram.getMaxValue() / NS_PER_US, achievedPerS, maxLagNs / NS_PER_US);
    }

    /**
     * Prints {@code a/b: p50 xN, p99 xN}.
     */
    void ratio(final long rate, final String aName, final Histogram a, final String bName, final Histogram b)
    {
        out.printf(Locale.ROOT, "%10d  %s/%s: p50 x%.2f, p99 x%.2f%n", rate, aName, bName,
            ratio(a.getValueAtPercentile(50), b.getValueAtPercentile(50)),
            ratio(a.getValueAtPercentile(99), b.getValueAtPercentile(99)));
    }

    /**
     * Prints a line about a target's run under its row.
     */
    void note(final long rate, final String target, final String text)
    {
        out.printf(Locale.ROOT, "%10d  %s: %s%n", rate, target, text);
    }

    private static double ratio(final long a, final long b)
    {
        return b == 0 ? Double.NaN : (double)a / b;
    }
}
