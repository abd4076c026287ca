package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * The open windows of one fixed size (tumbling or hopping), pooled in int slots: per slot its start, count,
 * sum and alert flags in one long[] (four longs a slot), the card's slot and the next window of the same card
 * in an int[]. Each card's windows form a short list from {@link #head(int)}; each window is scheduled in a
 * {@link TimerIndex} at its end. Allocates only to grow. Not thread-safe: one thread.
 */
final class FixedWindowTable
{
    static final int NONE = TimerIndex.NONE;

    private static final int START = 0;
    private static final int COUNT = 1;
    private static final int SUM = 2;
    private static final int FLAGS = 3;
    private static final int LONGS_PER_SLOT = 4;
    private static final int CARD = 0;
    private static final int NEXT_IN_CARD = 1;
    private static final int INTS_PER_SLOT = 2;

    private static final long VELOCITY_ALERTED = 1;
    private static final long AMOUNT_ALERTED = 2;

    private final long sizeMs;
    private final SlotAllocator slots = new SlotAllocator();
    private final TimerIndex timers = new TimerIndex();
    private long[] values = new long[16 * LONGS_PER_SLOT];
    private int[] links = new int[16 * INTS_PER_SLOT];
    private int[] headByCard = new int[0];

    FixedWindowTable(final long sizeMs)
    {
        this.sizeMs = sizeMs;
    }

    long sizeMs()
    {
        return sizeMs;
    }

    /**
     * @return the card's first open window, or {@link #NONE}.
     */
    int head(final int card)
    {
        return card < headByCard.length ? headByCard[card] : NONE;
    }

    int nextInCard(final int window)
    {
        return links[window * INTS_PER_SLOT + NEXT_IN_CARD];
    }

    int card(final int window)
    {
        return links[window * INTS_PER_SLOT + CARD];
    }

    long start(final int window)
    {
        return values[window * LONGS_PER_SLOT + START];
    }

    long count(final int window)
    {
        return values[window * LONGS_PER_SLOT + COUNT];
    }

    long sum(final int window)
    {
        return values[window * LONGS_PER_SLOT + SUM];
    }

    /**
     * @return the card's open window starting at {@code startMs}, or {@link #NONE}.
     */
    int find(final int card, final long startMs)
    {
        for (int window = head(card); window != NONE; window = nextInCard(window))
        {
            if (start(window) == startMs)
            {
                return window;
            }
        }
        return NONE;
    }

    /**
     * Opens an empty window for the card and schedules it at its end.
     */
    int open(final int card, final long startMs)
    {
        final int window = slots.allocate();
        ensureCapacity(window, card);
        final int v = window * LONGS_PER_SLOT;
        values[v + START] = startMs;
        values[v + COUNT] = 0;
        values[v + SUM] = 0;
        values[v + FLAGS] = 0;
        final int l = window * INTS_PER_SLOT;
        links[l + CARD] = card;
        links[l + NEXT_IN_CARD] = headByCard[card];
        headByCard[card] = window;
        timers.schedule(startMs + sizeMs, window);
        return window;
    }

    void add(final int window, final long amountCents)
    {
        final int v = window * LONGS_PER_SLOT;
        values[v + COUNT]++;
        values[v + SUM] += amountCents;
    }

    /**
     * @return true the first time only: VELOCITY at most once per card and window.
     */
    boolean markVelocityAlerted(final int window)
    {
        return mark(window, VELOCITY_ALERTED);
    }

    /**
     * @return true the first time only: AMOUNT at most once per card and window.
     */
    boolean markAmountAlerted(final int window)
    {
        return mark(window, AMOUNT_ALERTED);
    }

    boolean hasDue(final long limitMs)
    {
        return timers.hasDue(limitMs);
    }

    /**
     * @return the first of the windows ending earliest, removed from the timers: walk on with {@link #nextDue(int)}.
     */
    int takeFirstDue()
    {
        return timers.takeFirst();
    }

    int nextDue(final int window)
    {
        return timers.next(window);
    }

    /**
     * Unlinks a window from its card's list and frees its slot; read its fields first.
     */
    void release(final int window)
    {
        final int card = card(window);
        final int next = nextInCard(window);
        if (headByCard[card] == window)
        {
            headByCard[card] = next;
        }
        else
        {
            int previous = headByCard[card];
            while (nextInCard(previous) != window)
            {
                previous = nextInCard(previous);
            }
            links[previous * INTS_PER_SLOT + NEXT_IN_CARD] = next;
        }
        slots.release(window);
    }

    int size()
    {
        return slots.inUse();
    }

    private boolean mark(final int window, final long flag)
    {
        final int v = window * LONGS_PER_SLOT + FLAGS;
        if ((values[v] & flag) != 0)
        {
            return false;
        }
        values[v] |= flag;
        return true;
    }

    private void ensureCapacity(final int window, final int card)
    {
        if ((window + 1) * LONGS_PER_SLOT > values.length)
        {
            final int capacity = SlotAllocator.grow(values.length / LONGS_PER_SLOT, window + 1);
            values = Arrays.copyOf(values, capacity * LONGS_PER_SLOT);
            links = Arrays.copyOf(links, capacity * INTS_PER_SLOT);
        }
        if (card >= headByCard.length)
        {
            final int old = headByCard.length;
            headByCard = Arrays.copyOf(headByCard, SlotAllocator.grow(old, card + 1));
            Arrays.fill(headByCard, old, headByCard.length, NONE);
        }
    }

    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.writePool(out, slots, timers, values, links, headByCard);
    }

    void read(final SnapshotReader in)
    {
        final StateArrays.Pool pool = StateArrays.readPool(in, slots, timers);
        values = pool.values();
        links = pool.links();
        headByCard = pool.headByCard();
    }
}
