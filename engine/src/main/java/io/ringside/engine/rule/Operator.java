package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * What the {@link Rule} does to every operator registered on its {@link Operators}: build it once declarations end, let
 * go of the key it holds at the end of each callback, close what the watermark makes due, snapshot, restore, free. Each
 * does nothing unless the operator has something to do (the window kinds of a {@link KeyGroup} leave it all to the group).
 */
abstract class Operator
{
    final Rule rule;
    final String name;

    Operator(final Rule rule, final String name)
    {
        this.rule = rule;
        this.name = name;
    }

    /**
     * Declarations are over: build the state.
     */
    void build()
    {
    }

    /**
     * Lets go of the key held since the callback began, if any.
     */
    void release()
    {
    }

    /**
     * @return whether its windows run on processing time (the journaled ticks) rather than event time.
     */
    boolean processingTime()
    {
        return false;
    }

    /**
     * The watermark moved (or the rule has due work left), or for an operator on processing time a tick came: close
     * what is due, to the listeners.
     */
    void close(final long watermark)
    {
    }

    boolean hasDue()
    {
        return false;
    }

    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
    }

    void readSnapshot(final SnapshotReader in)
    {
    }

    /**
     * Frees the off-heap state.
     */
    void free()
    {
    }
}
