package io.ringside.engine.state;

import org.agrona.MutableDirectBuffer;

/**
 * A view of one open window of one key, inside its entry: start, end, how many events, flags for rules that act
 * at most once per window, and each aggregate's result. Valid only while the entry is acquired (between an
 * operator's {@code add} and its {@code release}, or during a close callback). One per operator, reused.
 * <pre>
 *   0: window start (int64)   8: events in the window (int64, 0 = the slot is free)   16: flags (int64)
 *  24: the aggregates' states, in the order they were given
 * </pre>
 */
public final class Window
{
    static final int START_OFFSET = 0;
    static final int EVENTS_OFFSET = 8;
    static final int FLAGS_OFFSET = 16;
    static final int AGGREGATES_OFFSET = 24;

    private final Aggregate[] aggregates;
    private final int[] aggregateOffsets;
    private final long size;
    private MutableDirectBuffer buffer;
    private int offset;

    Window(final Aggregate[] aggregates, final long size)
    {
        this.aggregates = aggregates;
        this.size = size;
        this.aggregateOffsets = new int[aggregates.length];
        int at = AGGREGATES_OFFSET;
        for (int i = 0; i < aggregates.length; i++)
        {
            aggregateOffsets[i] = at;
            at += aggregates[i].length();
        }
    }

    static int length(final Aggregate[] aggregates)
    {
        int length = AGGREGATES_OFFSET;
        for (final Aggregate aggregate : aggregates)
        {
            if (aggregate.length() <= 0 || aggregate.length() % 8 != 0)
            {
                throw new IllegalArgumentException("an aggregate's state must be a positive multiple of 8 bytes, was " + aggregate.length());
            }
            length += aggregate.length();
        }
        return length;
    }

    Window wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    void add(final long[] values)
    {
        final boolean first = events() == 0;
        for (int i = 0; i < aggregates.length; i++)
        {
            aggregates[i].add(buffer, offset + aggregateOffsets[i], values[i], first);
        }
        buffer.putLong(offset + EVENTS_OFFSET, events() + 1);
    }

    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    int offset()
    {
        return offset;
    }

    long flags()
    {
        return buffer.getLong(offset + FLAGS_OFFSET);
    }

    public long start()
    {
        return buffer.getLong(offset + START_OFFSET);
    }

    /**
     * @return the window's end: start plus the operator's size; {@link Long#MAX_VALUE} for a global window.
     */
    public long end()
    {
        return size == Long.MAX_VALUE ? Long.MAX_VALUE : start() + size;
    }

    public long events()
    {
        return buffer.getLong(offset + EVENTS_OFFSET);
    }

    /**
     * @return aggregate {@code index}'s result (in the order given to the operator).
     */
    public long result(final int index)
    {
        return aggregates[index].result(buffer, offset + aggregateOffsets[index]);
    }

    /**
     * @return true if the flag bit was set in this window (rules that act at most once per window).
     */
    public boolean flag(final int bit)
    {
        return (buffer.getLong(offset + FLAGS_OFFSET) & (1L << bit)) != 0;
    }

    public void setFlag(final int bit)
    {
        buffer.putLong(offset + FLAGS_OFFSET, buffer.getLong(offset + FLAGS_OFFSET) | (1L << bit));
    }
}
