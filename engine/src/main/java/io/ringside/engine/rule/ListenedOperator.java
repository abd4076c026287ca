package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.ListenedWindows;
import io.ringside.engine.state.WindowListener;

/**
 * What {@link Counting} and {@link Global} share: a {@link ListenedWindows} driven by the rule, its windows going to the
 * declared {@link Closed} listener with the rule's context.
 */
abstract class ListenedOperator<W extends ListenedWindows> extends Windows
{
    final W windows;
    final WindowListener listener;

    ListenedOperator(final Rule rule, final String name, final int aggregates, final W windows, final Closed closed)
    {
        super(rule, name, aggregates);
        this.windows = windows;
        this.listener = (key, window) -> closed.onClose(key, window, rule.context());
    }

    @Override
    final boolean addValues(final long key, final long eventTime, final long[] values)
    {
        windows.add(key, values, listener);
        return true;
    }

    @Override
    final void close(final long watermark)
    {
        windows.close(watermark, listener);
    }

    @Override
    final void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        windows.writeSnapshot(out);
    }

    @Override
    final void readSnapshot(final SnapshotReader in)
    {
        windows.readSnapshot(in);
    }

    @Override
    final void free()
    {
        windows.close();
    }
}
