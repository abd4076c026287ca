package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.CountWindows;
import io.ringside.engine.state.WindowListener;
import org.openjdk.jmh.annotations.Param;

/**
 * One event into count windows of 20 events per card (tumbling, or sliding by 5 from panes), count and sum, in the
 * traffic of {@link WindowOperatorBenchmark}: a window closes inside the add of its last event; the watermark closes
 * nothing.
 * <pre>
 * ./ringside bench CountWindowsBenchmark -prof gc
 * </pre>
 */
public class CountWindowsBenchmark extends WindowOperatorBenchmark
{
    @Param({"20", "5"})
    public long slide;

    private CountWindows windows;

    @Override
    void open()
    {
        windows = new CountWindows("bench", 20, slide, CARDS, Aggregates.count(), Aggregates.sum());
    }

    @Override
    void add(final long card, final long time, final long[] values)
    {
        windows.add(card, values, listener);
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
