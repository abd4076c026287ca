package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;

/**
 * One event into all three window kinds of the fraud-velocity workload at once, in one {@link KeyedWindows} entry per
 * card: 60 s tumbling, 300 s hopping by 60 s, 30 s sessions, each counting and summing, in the traffic of
 * {@link WindowOperatorBenchmark}. Compare with the sum of TumblingWindowsBenchmark, HoppingWindowsBenchmark and
 * SessionWindowsBenchmark, which keep one entry per card and kind.
 * <pre>
 * ./ringside bench KeyedWindowsBenchmark -prof gc
 * </pre>
 */
public class KeyedWindowsBenchmark extends WindowOperatorBenchmark
{
    private KeyedWindows windows;
    private KeyedWindows.Tumbling tumbling;
    private KeyedWindows.Hopping hopping;
    private KeyedWindows.Sessions sessions;
    private WindowListener listener;
    private final WindowListener forward = this::onClose;

    @Override
    void open()
    {
        final KeyedWindows.Builder builder = KeyedWindows.builder("bench", 5_000, CARDS);
        tumbling = builder.tumbling(60_000, 3, forward, Aggregates.count(), Aggregates.sum());
        hopping = builder.hopping(300_000, 60_000, 7, forward, Aggregates.count(), Aggregates.sum());
        sessions = builder.sessions(30_000, 4, forward, Aggregates.count(), Aggregates.sum());
        windows = builder.build();
    }

    private void onClose(final long key, final Window window)
    {
        listener.onClose(key, window);
    }

    @Override
    void add(final long card, final long time, final long[] values)
    {
        windows.acquire(card);
        try
        {
            tumbling.add(time, values);
            hopping.add(time, values);
            sessions.add(time, values);
        }
        finally
        {
            windows.release();
        }
    }

    @Override
    void close(final long watermark, final WindowListener listener)
    {
        this.listener = listener;
        windows.close(watermark);
    }

    @Override
    void closeOperator()
    {
        windows.close();
    }
}
