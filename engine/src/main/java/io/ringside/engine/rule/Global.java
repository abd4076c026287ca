package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.GlobalWindows;
import io.ringside.engine.state.WindowListener;

/**
 * One global window per key (a {@link GlobalWindows}): it takes every event of its key and closes, to its
 * {@link Closed} listener, when it reaches the trigger count (if one was given), when the rule calls {@link #fire}, or
 * at the end of input. Event time decides only lateness, as for every kind.
 */
public final class Global extends Windows
{
    private final GlobalWindows windows;
    private final WindowListener listener;

    Global(final Rule rule, final String name, final long triggerCount, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        super(rule, name, aggregates.length);
        this.windows = new GlobalWindows(name, triggerCount, expectedKeys, aggregates);
        this.listener = (key, window) -> closed.onClose(key, window, rule.context());
    }

    /**
     * Closes the key's window now, if it holds events (from a rule's callback: {@code handle}, {@code control}).
     *
     * @return true if a window closed.
     */
    public boolean fire(final long key)
    {
        return windows.fire(key, listener);
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
