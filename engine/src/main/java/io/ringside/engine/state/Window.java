package io.ringside.engine.state;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A view of one open window of one key, inside its entry: start, end, how many events, flags for rules that act
 * at most once per window, and each aggregate's result. Valid only while the entry is acquired (between an
 * operator's {@code add} and its {@code release}, or during a close callback). One per operator, reused.
 * <pre>
 *   0: window start (int64)
 *   8: events in the window (the low 48 bits; 0 = the slot is free) and flags (the high {@value #FLAG_BITS} bits), one int64
 *  16: the aggregates' states, in the order they were given
 * </pre>
 */
public final class Window
{
    static final int START_OFFSET = 0;
    /** The word of the event count and the flags. */
    static final int EVENTS_OFFSET = 8;
    static final int AGGREGATES_OFFSET = 16;
    /** Flags a window has, for rules that act at most once per window: bits 0 to 15. */
    public static final int FLAG_BITS = 16;
    private static final int EVENT_BITS = 64 - FLAG_BITS;
    private static final long EVENTS_MASK = (1L << EVENT_BITS) - 1;

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
        final long word = buffer.getLong(offset + EVENTS_OFFSET);
        if ((word & EVENTS_MASK) == EVENTS_MASK)
        {
            throw new IllegalStateException("a window holds 2^" + EVENT_BITS + " - 1 events, as many as it can count (start " + start() + ")");
        }
        final boolean first = (word & EVENTS_MASK) == 0;
        for (int i = 0; i < aggregates.length; i++)
        {
            aggregates[i].add(buffer, offset + aggregateOffsets[i], values[i], first);
        }
        buffer.putLong(offset + EVENTS_OFFSET, word + 1);
    }

    /**
     * Sets the event count of the window at {@code offset} of {@code buffer}, keeping its flags.
     */
    static void putEvents(final MutableDirectBuffer buffer, final int offset, final long events)
    {
        final long word = buffer.getLong(offset + EVENTS_OFFSET);
        buffer.putLong(offset + EVENTS_OFFSET, (word & ~EVENTS_MASK) | (events & EVENTS_MASK));
    }

    /**
     * @return the event count of the window at {@code offset} of {@code buffer}.
     */
    static long eventsAt(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EVENTS_OFFSET) & EVENTS_MASK;
    }

    /**
     * Frees the window at {@code offset} of {@code buffer}: no events, no flags.
     */
    static void clear(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + EVENTS_OFFSET, 0);
    }

    /**
     * Gives the window at {@code offset} of {@code buffer} these events and flags.
     */
    static void putEventsAndFlags(final MutableDirectBuffer buffer, final int offset, final long events, final long flags)
    {
        buffer.putLong(offset + EVENTS_OFFSET, (flags << EVENT_BITS) | (events & EVENTS_MASK));
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
        return buffer.getLong(offset + EVENTS_OFFSET) >>> EVENT_BITS;
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
        return buffer.getLong(offset + EVENTS_OFFSET) & EVENTS_MASK;
    }

    /**
     * @return aggregate {@code index}'s result (in the order given to the operator).
     */
    public long result(final int index)
    {
        return aggregates[index].result(buffer, offset + aggregateOffsets[index]);
    }

    /**
     * @param bit 0 to {@value #FLAG_BITS} - 1.
     * @return true if the flag bit was set in this window (rules that act at most once per window).
     */
    public boolean flag(final int bit)
    {
        return (buffer.getLong(offset + EVENTS_OFFSET) & flagMask(bit)) != 0;
    }

    /**
     * @param bit 0 to {@value #FLAG_BITS} - 1.
     */
    public void setFlag(final int bit)
    {
        buffer.putLong(offset + EVENTS_OFFSET, buffer.getLong(offset + EVENTS_OFFSET) | flagMask(bit));
    }

    private static long flagMask(final int bit)
    {
        if (bit < 0 || bit >= FLAG_BITS)
        {
            throw new IllegalArgumentException("a window has flags 0 to " + (FLAG_BITS - 1) + ", not " + bit);
        }
        return 1L << (EVENT_BITS + bit);
    }
}
