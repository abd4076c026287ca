package io.ringside.engine.rule;

import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.Window;

/**
 * Tumbling event-time windows per key, aligned to the epoch ({@code start = t - floorMod(t, size)}): declared with
 * {@link Operators#tumbling} or in a {@link KeyGroup}. After an {@code add}, {@link #window()} is the window the event
 * went to, for rules that read its running results; {@link #once(int)} acts at most once per window.
 */
public final class Tumbling extends Windows
{
    private final KeyGroup group;
    private final KeyedWindows.Tumbling section;
    private Window window;

    Tumbling(final KeyGroup group, final KeyedWindows.Tumbling section, final int aggregates)
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
     * @return the window the last successful {@code add} updated: valid until the rule's callback returns or another
     * key of its group is touched.
     */
    public Window window()
    {
        return window;
    }

    /**
     * At most once per window: true the first time it is called with {@code flag} (0 to {@value Window#FLAG_BITS} - 1) for the window of the last
     * {@code add}, false afterwards (the flag is kept in the window, so in its snapshot too).
     */
    public boolean once(final int flag)
    {
        if (window.flag(flag))
        {
            return false;
        }
        window.setFlag(flag);
        return true;
    }

    /**
     * @return the start of the window that holds {@code eventTime}.
     */
    public long windowStart(final long eventTime)
    {
        return section.windowStart(eventTime);
    }

    KeyGroup group()
    {
        return group;
    }

    KeyedWindows.Tumbling section()
    {
        return section;
    }

    @Override
    boolean addValues(final long key, final long eventTime, final long[] values)
    {
        group.acquire(key);
        window = section.add(eventTime, values);
        return window != null;
    }
}
