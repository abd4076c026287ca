package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.TumblingWindows;
import io.ringside.engine.state.WindowListener;

/**
 * One event into 60 s tumbling windows, count and sum, in the traffic of {@link WindowOperatorBenchmark}.
 * <pre>
 * ./ringside bench TumblingWindowsBenchmark -prof gc
 * </pre>
 */
public class TumblingWindowsBenchmark extends WindowOperatorBenchmark
{
    private TumblingWindows windows;

    @Override
    void open()
    {
        windows = new TumblingWindows("bench", 60_000, 5_000, 2, CARDS, Aggregates.count(), Aggregates.sum());
    }

    @Override
    void add(final long card, final long time, final long[] values)
    {
        windows.add(card, time, values);
        windows.release();
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
