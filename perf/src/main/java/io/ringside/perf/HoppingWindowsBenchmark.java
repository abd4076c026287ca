package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.HoppingWindows;
import io.ringside.engine.state.WindowListener;

/**
 * One event into 300 s windows hopping by 60 s (from 60 s panes), count and sum, in the traffic of {@link WindowOperatorBenchmark}.
 * <pre>
 * ./ringside bench HoppingWindowsBenchmark -prof gc
 * </pre>
 */
public class HoppingWindowsBenchmark extends WindowOperatorBenchmark
{
    private HoppingWindows windows;

    @Override
    void open()
    {
        windows = new HoppingWindows("bench", 300_000, 60_000, 5_000, 7, CARDS, Aggregates.count(), Aggregates.sum());
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
