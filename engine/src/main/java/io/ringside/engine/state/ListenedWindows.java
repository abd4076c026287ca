package io.ringside.engine.state;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * Window operators that close a key's window inside a call, handing it to the listener given there (rather than one
 * fixed when built): {@link CountWindows} and {@link GlobalWindows}. What the rule surface drives them through.
 */
public interface ListenedWindows extends AutoCloseable
{
    /**
     * Adds an event of {@code key}, closing to {@code listener} the windows it completes.
     *
     * @return how many windows closed.
     */
    int add(long key, long[] values, WindowListener listener);

    /**
     * The watermark moved ({@link Long#MAX_VALUE}: the end of input, which closes every window).
     *
     * @return how many windows closed.
     */
    int close(long watermark, WindowListener listener);

    void writeSnapshot(SnapshotWriter out) throws IOException;

    void readSnapshot(SnapshotReader in);

    /**
     * Frees the state.
     */
    @Override
    void close();
}
