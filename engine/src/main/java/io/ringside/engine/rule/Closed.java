package io.ringside.engine.rule;

import io.ringside.engine.ShardContext;
import io.ringside.engine.state.Window;

/**
 * Receives each window of an operator as it closes, with the context to emit with: on the shard's thread, during the
 * {@link Rule}'s closing as the watermark moves (or, for {@link Counting} and {@link Global} windows, during the
 * {@code add} or {@code fire} that closes them). Declare it once, as a method reference made in the rule's constructor
 * ({@code this::onClosed}): nothing is allocated per window.
 */
@FunctionalInterface
public interface Closed
{
    /**
     * @param key     the window's key.
     * @param window  the closing window: valid only during the call.
     * @param context emits outputs; they take the journal position of the slot that closed the window.
     */
    void onClose(long key, Window window, ShardContext context);
}
