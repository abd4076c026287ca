package io.ringside.engine.rule;

import io.ringside.engine.state.KeyedWindows;

/**
 * Hopping event-time windows per key: size S every advance A (S a multiple of A), aligned to the epoch, computed from
 * panes of width A (an event updates one pane; a window is merged from its panes when it closes). Declared with
 * {@link Operators#hopping} or in a {@link KeyGroup}. A window exists, and goes to its {@link Closed} listener once, if
 * any of its panes holds an event.
 */
public final class Hopping extends Windows
{
    private final KeyGroup group;
    private final KeyedWindows.Hopping section;

    Hopping(final KeyGroup group, final KeyedWindows.Hopping section, final int aggregates)
    {
        super(group.rule, group.name, aggregates);
        this.group = group;
        this.section = section;
    }

    @Override
    boolean processingTime()
    {
        return group.processingTime();
    }

    @Override
    boolean addValues(final long key, final long eventTime, final long[] values)
    {
        group.acquire(key);
        return section.add(eventTime, values);
    }
}
