package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.SessionWindows;
import io.ringside.engine.state.WindowListener;

/**
 * One event into session windows (30 s gap, merging), count and sum, in the traffic of {@link WindowOperatorBenchmark}.
 * <pre>
 * ./ringside bench SessionWindowsBenchmark -prof gc
 * </pre>
 */
public class SessionWindowsBenchmark extends WindowOperatorBenchmark
{
    private SessionWindows windows;

    @Override
    void open()
    {
        windows = new SessionWindows("bench", 30_000, 5_000, 4, CARDS, Aggregates.count(), Aggregates.sum());
    }

    @Override
    void add(final long card, final long time, final long[] values)
    {
        windows.add(card, time, values);
    }

    @Override
    void close(final long watermark, final WindowListener listener)
    {
        windows.close(watermark, listener);
    }

    @Override
    void closeOperator()
    {
        windows.close();
    }
}
