package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.GlobalWindows;
import io.ringside.engine.state.WindowListener;
import org.openjdk.jmh.annotations.Param;

/**
 * One event into global windows (one per card), count and sum, in the traffic of {@link WindowOperatorBenchmark}:
 * without a trigger (0) nothing closes before the end of input; with a count trigger of 20 a card's window closes
 * inside the add of its 20th event.
 * <pre>
 * ./ringside bench GlobalWindowsBenchmark -prof gc
 * </pre>
 */
public class GlobalWindowsBenchmark extends WindowOperatorBenchmark
{
    @Param({"0", "20"})
    public long trigger;

    private GlobalWindows windows;

    @Override
    void open()
    {
        windows = new GlobalWindows("bench", trigger, CARDS, Aggregates.count(), Aggregates.sum());
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
