package io.ringside.engine.state;

/**
 * Receives each window as it closes, on the thread that closes it (the shard's, in {@code onWatermark}).
 */
@FunctionalInterface
public interface WindowListener
{
    /**
     * @param key    the window's key.
     * @param window the closing window: valid only during the call.
     */
    void onClose(long key, Window window);
}
