package io.ringside.engine.rule;

import io.ringside.engine.state.KeyedWindows;

/**
 * Hopping event-time windows per key: size S every advance A (S a multiple of A), aligned to the epoch, computed from
 * panes of width A (an event updates one pane; a window is merged from its panes when it closes). Declared with
 * {@link Operators#hopping} or in a {@link KeyGroup}. A window exists, and goes to its {@link Closed} listener once, if
 * any of its panes holds an event. Declared over a {@link Tumbling} of its group
 * ({@link KeyGroup#hopping(long, Tumbling, Closed)}), its panes are that operator's windows: events are added to the
 * tumbling only (an {@code add} here throws), and each reaches both kinds' windows.
 */
public final class Hopping extends Windows
{
    private final KeyGroup group;
    private final KeyedWindows.Hopping section;

    private final Tumbling panes;

    Hopping(final KeyGroup group, final KeyedWindows.Hopping section, final int aggregates)
    {
        this(group, section, aggregates, null);
    }

    Hopping(final KeyGroup group, final KeyedWindows.Hopping section, final int aggregates, final Tumbling panes)
    {
        super(group.rule, group.name, aggregates);
        this.group = group;
        this.section = section;
        this.panes = panes;
        if (panes != null)
        {
            refusesAdds = "these hopping windows' panes are a tumbling operator's windows: add events to the tumbling operator";
        }
    }

    /**
     * @return events refused as late; over a {@link Tumbling}'s windows, that operator's count (an event late for its
     * pane is late for every hopping window holding it, and is refused and reported once, by the tumbling).
     */
    @Override
    public long lateEvents()
    {
        return panes != null ? panes.lateEvents() : lateEvents;
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
