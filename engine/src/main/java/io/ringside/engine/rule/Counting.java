package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.CountWindows;
import io.ringside.engine.state.WindowListener;

/**
 * Count windows per key (a {@link CountWindows}): a window holds {@code size} consecutive events of its key, a new one
 * every {@code slide} events. A window closes, to its {@link Closed} listener, inside the {@code add} of its last event;
 * at the end of input the windows not yet full close too. Event time decides only lateness (as for every kind: an event
 * at or below its source's watermark minus the allowed lateness is refused and reported).
 */
public final class Counting extends Windows
{
    private final CountWindows windows;
    private final WindowListener listener;

    Counting(final Rule rule, final String name, final long size, final long slide, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        super(rule, name, aggregates.length);
        this.windows = new CountWindows(name, size, slide, expectedKeys, aggregates);
        this.listener = (key, window) -> closed.onClose(key, window, rule.context());
    }

    @Override
    boolean addValues(final long key, final long eventTime, final long[] values)
    {
        windows.add(key, values, listener);
        return true;
    }

    @Override
    void close(final long watermark)
    {
        windows.close(watermark, listener);
    }

    @Override
    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        windows.writeSnapshot(out);
    }

    @Override
    void readSnapshot(final SnapshotReader in)
    {
        windows.readSnapshot(in);
    }

    @Override
    void free()
    {
        windows.close();
    }
}
