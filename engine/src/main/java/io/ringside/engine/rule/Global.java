package io.ringside.engine.rule;

import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.GlobalWindows;

/**
 * One global window per key (a {@link GlobalWindows}): it takes every event of its key and closes, to its
 * {@link Closed} listener, when it reaches the trigger count (if one was given), when the rule calls {@link #fire}, or
 * at the end of input. Event time decides only lateness, as for every kind.
 */
public final class Global extends ListenedOperator<GlobalWindows>
{
    Global(final Rule rule, final String name, final long triggerCount, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        super(rule, name, aggregates.length, new GlobalWindows(name, triggerCount, expectedKeys, aggregates), closed);
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
}
