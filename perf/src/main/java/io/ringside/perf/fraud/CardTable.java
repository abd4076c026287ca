package io.ringside.perf.fraud;

import java.io.IOException;
import java.util.Arrays;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.collections.Long2LongHashMap;

/**
 * The cards with open windows, each in an int slot that the window tables index by: the card id, how many
 * windows it has open (tumbling, hopping and live sessions) and its previous accepted event (time and
 * country) for rule 4's COUNTRY. A card is dropped when its last window closes: its last accepted event then
 * lies in a closed session, more than {@link FraudVelocityRules#COUNTRY_WINDOW_MS} before any event that can
 * still be accepted, so it can raise no COUNTRY. Allocates only to grow. Not thread-safe: one thread.
 */
final class CardTable
{
    private static final int NO_COUNTRY = -1;

    private final Long2LongHashMap slotByCard;
    private final SlotAllocator slots = new SlotAllocator();
    private long[] cardIds;
    private long[] lastEventTimeMs;
    private int[] lastCountry;
    private int[] openWindows;

    CardTable(final int expectedCards)
    {
        slotByCard = new Long2LongHashMap(Math.max(16, (int)(expectedCards / 0.65f) + 1), 0.65f, -1);
        final int capacity = SlotAllocator.grow(16, expectedCards);
        cardIds = new long[capacity];
        lastEventTimeMs = new long[capacity];
        lastCountry = new int[capacity];
        openWindows = new int[capacity];
    }

    /**
     * @return the card's slot, a new one (no windows, no previous event) if the card has none.
     */
    int acquire(final long cardId)
    {
        final long existing = slotByCard.get(cardId);
        if (existing != -1)
        {
            return (int)existing;
        }
        final int slot = slots.allocate();
        if (slot >= cardIds.length)
        {
            grow(slot + 1);
        }
        cardIds[slot] = cardId;
        lastCountry[slot] = NO_COUNTRY;
        openWindows[slot] = 0;
        slotByCard.put(cardId, slot);
        return slot;
    }

    long cardId(final int slot)
    {
        return cardIds[slot];
    }

    /**
     * @return one more than the largest slot ever used: window tables size their per-card heads by it.
     */
    int highWater()
    {
        return slots.highWater();
    }

    int size()
    {
        return slotByCard.size();
    }

    /**
     * Counts windows opened (positive) or merged away (negative) for the card.
     */
    void addOpenWindows(final int slot, final int delta)
    {
        openWindows[slot] += delta;
    }

    /**
     * Counts one window closed, and drops the card when it was the last.
     */
    void windowClosed(final int slot)
    {
        if (--openWindows[slot] == 0)
        {
            slotByCard.remove(cardIds[slot]);
            slots.release(slot);
        }
    }

    /**
     * Rule 4's COUNTRY for an accepted event, which then becomes the card's previous accepted event.
     *
     * @return whether the previous accepted event had another country and lies within 30 s of this one.
     */
    boolean acceptForCountry(final int slot, final long eventTimeMs, final int country)
    {
        final int previousCountry = lastCountry[slot];
        final boolean alert = previousCountry != NO_COUNTRY && previousCountry != country &&
            FraudVelocityRules.withinCountryWindow(lastEventTimeMs[slot], eventTimeMs);
        lastCountry[slot] = country;
        lastEventTimeMs[slot] = eventTimeMs;
        return alert;
    }

    private void grow(final int needed)
    {
        final int capacity = SlotAllocator.grow(cardIds.length, needed);
        cardIds = Arrays.copyOf(cardIds, capacity);
        lastEventTimeMs = Arrays.copyOf(lastEventTimeMs, capacity);
        lastCountry = Arrays.copyOf(lastCountry, capacity);
        openWindows = Arrays.copyOf(openWindows, capacity);
    }

    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.write(out, slotByCard);
        slots.write(out);
        StateArrays.write(out, cardIds);
        StateArrays.write(out, lastEventTimeMs);
        StateArrays.write(out, lastCountry);
        StateArrays.write(out, openWindows);
    }

    void read(final SnapshotReader in)
    {
        StateArrays.read(in, slotByCard);
        slots.read(in);
        cardIds = StateArrays.readLongs(in);
        lastEventTimeMs = StateArrays.readLongs(in);
        lastCountry = StateArrays.readInts(in);
        openWindows = StateArrays.readInts(in);
    }
}
