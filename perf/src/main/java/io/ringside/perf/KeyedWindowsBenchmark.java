package io.ringside.perf;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;
import org.openjdk.jmh.annotations.Param;

/**
 * One event into all three window kinds of the fraud-velocity workload at once, in one {@link KeyedWindows} entry per
 * card: 60 s tumbling, 300 s hopping by 60 s, 30 s sessions, each counting and summing, in the traffic of
 * {@link WindowOperatorBenchmark}. Compare with the sum of TumblingWindowsBenchmark, HoppingWindowsBenchmark and
 * SessionWindowsBenchmark, which keep one entry per card and kind.
 * <p>
 * {@code panes} (both by default): {@code shared}, as the fraud pipeline declares them, makes the hopping windows' panes
 * the tumbling windows ({@link KeyedWindows.Builder#hopping(long, KeyedWindows.Tumbling, WindowListener)}: an event
 * updates one window for both kinds); {@code own} gives the hopping section panes of its own in the entry (an event
 * updates both).
 * <pre>
 * ./ringside bench KeyedWindowsBenchmark -prof gc
 * ./ringside bench KeyedWindowsBenchmark -p panes=shared
 * </pre>
 */
public class KeyedWindowsBenchmark extends WindowOperatorBenchmark
{
    @Param({"shared", "own"})
    public String panes;
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
        switch (panes)
        {
            case "shared":
                hopping = builder.hopping(300_000, tumbling, forward);
                break;
            case "own":
                hopping = builder.hopping(300_000, 60_000, 7, forward, Aggregates.count(), Aggregates.sum());
                break;
            default:
                throw new IllegalArgumentException("panes must be shared or own, was " + panes);
        }
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
            if (!hopping.sharesPanes())
            {
                hopping.add(time, values);   // shared panes: the tumbling window is the pane
            }
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
