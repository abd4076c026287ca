package io.ringside.engine.rule;

import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.CountWindows;

/**
 * Count windows per key (a {@link CountWindows}): a window holds {@code size} consecutive events of its key, a new one
 * every {@code slide} events. A window closes, to its {@link Closed} listener, inside the {@code add} of its last event;
 * at the end of input the windows not yet full close too. Event time decides only lateness (as for every kind: an event
 * at or below its source's watermark minus the allowed lateness is refused and reported).
 */
public final class Counting extends ListenedOperator<CountWindows>
{
    Counting(final Rule rule, final String name, final long size, final long slide, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        super(rule, name, aggregates.length, new CountWindows(name, size, slide, expectedKeys, aggregates), closed);
    }
}
