package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * The open sessions (gap {@link FraudVelocityRules#SESSION_GAP_MS}), pooled in int slots: per slot first,
 * last, count, sum and a 256-bit country set in one long[] (eight longs a slot), the card's slot and the next
 * session of the same card in an int[]. Each card's sessions form a short list from its head.
 * <p>
 * Timers are lazy: a session is scheduled at its end when it opens and stays there as it grows; when that
 * deadline comes the caller closes it if its end has come too, or {@link #reschedule(int) reschedules} it at
 * its end. A session merged into another stays in its chain, marked merged-away, until its deadline frees it.
 * Allocates only to grow. Not thread-safe: one thread.
 */
final class SessionTable
{
    static final int NONE = TimerIndex.NONE;

    private static final int FIRST = 0;
    private static final int LAST = 1;
    private static final int COUNT = 2;
    private static final int SUM = 3;
    private static final int COUNTRIES = 4;
    private static final int COUNTRY_WORDS = 4;
    private static final int LONGS_PER_SLOT = 8;
    private static final int CARD = 0;
    private static final int NEXT_IN_CARD = 1;
    private static final int INTS_PER_SLOT = 2;
    private static final int MERGED_AWAY = -2;

    private static final long GAP_MS = FraudVelocityRules.SESSION_GAP_MS;

    private final SlotAllocator slots = new SlotAllocator();
    private final TimerIndex timers = new TimerIndex();
    private long[] values = new long[16 * LONGS_PER_SLOT];
    private int[] links = new int[16 * INTS_PER_SLOT];
    private int[] headByCard = new int[0];

    /**
     * Rule 3's session step for an accepted event: joins every session of the card that the event falls into or
     * bridges (first - gap < t < last + gap), merging them, or starts one.
     *
     * @return the change in the card's live sessions: 1 when the event starts one, 0 when it joins one,
     * -k when it merges k + 1 into one.
     */
    int add(final int card, final long eventTimeMs, final long amountCents, final int country)
    {
        ensureCard(card);
        int target = NONE;
        int mergedAway = 0;
        int previous = NONE;
        int session = headByCard[card];
        while (session != NONE)
        {
            final int next = nextInCard(session);
            final int v = session * LONGS_PER_SLOT;
            if (values[v + FIRST] - GAP_MS < eventTimeMs && eventTimeMs < values[v + LAST] + GAP_MS)
            {
                if (target == NONE)
                {
                    target = session;
                    previous = session;
                }
                else
                {
                    absorb(target, session);
                    unlink(card, previous, next);
                    links[session * INTS_PER_SLOT + CARD] = MERGED_AWAY;
                    mergedAway++;
                }
            }
            else
            {
                previous = session;
            }
            session = next;
        }
        if (target == NONE)
        {
            open(card, eventTimeMs, amountCents, country);
            return 1;
        }
        include(target, eventTimeMs, amountCents, country);
        return -mergedAway;
    }

    int card(final int session)
    {
        return links[session * INTS_PER_SLOT + CARD];
    }

    boolean isMergedAway(final int session)
    {
        return card(session) == MERGED_AWAY;
    }

    long first(final int session)
    {
        return values[session * LONGS_PER_SLOT + FIRST];
    }

    long last(final int session)
    {
        return values[session * LONGS_PER_SLOT + LAST];
    }

    long end(final int session)
    {
        return last(session) + GAP_MS;
    }

    long count(final int session)
    {
        return values[session * LONGS_PER_SLOT + COUNT];
    }

    long sum(final int session)
    {
        return values[session * LONGS_PER_SLOT + SUM];
    }

    long distinctCountries(final int session)
    {
        final int v = session * LONGS_PER_SLOT + COUNTRIES;
        long distinct = 0;
        for (int i = 0; i < COUNTRY_WORDS; i++)
        {
            distinct += Long.bitCount(values[v + i]);
        }
        return distinct;
    }

    boolean hasDue(final long limitMs)
    {
        return timers.hasDue(limitMs);
    }

    /**
     * @return the first of the sessions scheduled earliest, removed from the timers: walk on with
     * {@link #nextDue(int)}, then {@link #release(int)} or {@link #reschedule(int)} each.
     */
    int takeFirstDue()
    {
        return timers.takeFirst();
    }

    int nextDue(final int session)
    {
        return timers.next(session);
    }

    /**
     * Schedules a live session, taken from the timers, at its current end.
     */
    void reschedule(final int session)
    {
        timers.schedule(end(session), session);
    }

    /**
     * Frees a session taken from the timers: a live one is first unlinked from its card's list (read its fields
     * first); a merged-away one is only freed.
     */
    void release(final int session)
    {
        final int card = card(session);
        if (card != MERGED_AWAY)
        {
            int previous = NONE;
            int current = headByCard[card];
            while (current != session)
            {
                previous = current;
                current = nextInCard(current);
            }
            unlink(card, previous, nextInCard(session));
        }
        slots.release(session);
    }

    int size()
    {
        return slots.inUse();
    }

    private int nextInCard(final int session)
    {
        return links[session * INTS_PER_SLOT + NEXT_IN_CARD];
    }

    private void unlink(final int card, final int previous, final int next)
    {
        if (previous == NONE)
        {
            headByCard[card] = next;
        }
        else
        {
            links[previous * INTS_PER_SLOT + NEXT_IN_CARD] = next;
        }
    }

    private void open(final int card, final long eventTimeMs, final long amountCents, final int country)
    {
        final int session = slots.allocate();
        ensureCapacity(session);
        final int v = session * LONGS_PER_SLOT;
        values[v + FIRST] = eventTimeMs;
        values[v + LAST] = eventTimeMs;
        values[v + COUNT] = 1;
        values[v + SUM] = amountCents;
        for (int i = 0; i < COUNTRY_WORDS; i++)
        {
            values[v + COUNTRIES + i] = 0;
        }
        values[v + COUNTRIES + (country >>> 6)] = 1L << country;
        final int l = session * INTS_PER_SLOT;
        links[l + CARD] = card;
        links[l + NEXT_IN_CARD] = headByCard[card];
        headByCard[card] = session;
        timers.schedule(eventTimeMs + GAP_MS, session);
    }

    private void include(final int session, final long eventTimeMs, final long amountCents, final int country)
    {
        final int v = session * LONGS_PER_SLOT;
        values[v + FIRST] = Math.min(values[v + FIRST], eventTimeMs);
        values[v + LAST] = Math.max(values[v + LAST], eventTimeMs);
        values[v + COUNT]++;
        values[v + SUM] += amountCents;
        values[v + COUNTRIES + (country >>> 6)] |= 1L << country;
    }

    private void absorb(final int into, final int from)
    {
        final int i = into * LONGS_PER_SLOT;
        final int f = from * LONGS_PER_SLOT;
        values[i + FIRST] = Math.min(values[i + FIRST], values[f + FIRST]);
        values[i + LAST] = Math.max(values[i + LAST], values[f + LAST]);
        values[i + COUNT] += values[f + COUNT];
        values[i + SUM] += values[f + SUM];
        for (int w = 0; w < COUNTRY_WORDS; w++)
        {
            values[i + COUNTRIES + w] |= values[f + COUNTRIES + w];
        }
    }

    private void ensureCard(final int card)
    {
        if (card >= headByCard.length)
        {
            final int old = headByCard.length;
            headByCard = Arrays.copyOf(headByCard, SlotAllocator.grow(old, card + 1));
            Arrays.fill(headByCard, old, headByCard.length, NONE);
        }
    }

    private void ensureCapacity(final int session)
    {
        if ((session + 1) * LONGS_PER_SLOT > values.length)
        {
            final int capacity = SlotAllocator.grow(values.length / LONGS_PER_SLOT, session + 1);
            values = Arrays.copyOf(values, capacity * LONGS_PER_SLOT);
            links = Arrays.copyOf(links, capacity * INTS_PER_SLOT);
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
