package io.ringside.engine.rule;

import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;

/**
 * Session windows per key: a session spans {@code [first, last + gap)}; an event joins (and merges) every open session
 * of its key it falls into or bridges, else starts one. Declared with {@link Operators#sessions} or in a
 * {@link KeyGroup}. A closing session's {@link Window#start()} is its first event's time, {@link #last(Window)} its
 * last's.
 */
public final class Sessions extends Windows
{
    private final KeyGroup group;
    private final KeyedWindows.Sessions section;

    Sessions(final KeyGroup group, final KeyedWindows.Sessions section, final int aggregates)
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

    /**
     * @return the session's last event time (its end is this plus the gap).
     */
    public static long last(final Window window)
    {
        return KeyedWindows.Sessions.last(window);
    }

    @Override
    boolean addValues(final long key, final long eventTime, final long[] values)
    {
        group.acquire(key);
        return section.add(eventTime, values);
    }
}
