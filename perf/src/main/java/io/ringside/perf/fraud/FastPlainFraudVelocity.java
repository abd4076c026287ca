package io.ringside.perf.fraud;

import java.util.Arrays;

import org.agrona.DirectBuffer;

import static io.ringside.perf.fraud.FraudVelocityRules.AMOUNT_MAX_CENTS;
import static io.ringside.perf.fraud.FraudVelocityRules.HOPPING_SIZE_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.SESSION_GAP_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.TUMBLING_SIZE_MS;
import static io.ringside.perf.fraud.FraudVelocityRules.VELOCITY_MAX_COUNT;

/**
 * The fraud-velocity workload (workload.md, v1) for one source, written by hand to be as fast as plain
 * single-threaded Java can be: the comparator that the engine's figures are measured against. No ring, no journal,
 * no threads, nothing allocated per event once its arrays have grown to their peak.
 * <ul>
 *     <li><b>Cards</b>: open addressing (linear probing) over one {@code long[]} of 128-byte blocks, the card id
 *     first: a card's whole state is two cache lines. The first holds the id, the previous accepted event, and the
 *     count and sum of its two possible open 60 s panes; the second its open session (a second open session, rare,
 *     goes to a spill pool). Why two panes and two sessions suffice: the windows that an event's own watermark
 *     advance closes are closed before the event is added (none of them can hold it), after which every open pane
 *     starts in (W - 65,000, W + 2,000] and every open session ends after W - 5,000, 30 s apart from the other.
 *     A card leaves when nothing of it is open; its block is a tombstone until reused or rehashed.</li>
 *     <li><b>Tumbling and hopping windows</b> (stream slicing): the tumbling window is the 60 s pane. A card opening
 *     a pane appends its slot to the minute's list; when the minute closes, a bitmap puts those slots in order, and
 *     each pane is emitted as TUMBLING and appended (slot, card, count, sum) to a sequential pane list. The hopping
 *     windows ending at E are the merge, by slot, of the pane lists of the five minutes before E: a pane costs one
 *     random access when it closes, none per hopping window.</li>
 *     <li><b>Sessions</b>: a timer wheel of 65,536 one-millisecond slots, each up to seven card slots inline (more
 *     in pooled overflow entries); a card is scheduled, lazily, at or before the end of its earliest open session.
 *     A session's distinct countries are up to seven country codes in one long, then a pooled 256-bit set.</li>
 *     <li><b>Dedup</b>: ids in blocks of 64 consecutive ids (the workload's ids are dense: i + 1), each block the
 *     64 event times, found by an open-addressing map from id / 64; blocks are dropped oldest first once all their
 *     ids may be forgotten. An id is remembered exactly while its eventTimeMs > W - 600,000, as in the reference.</li>
 *     <li><b>Memory-level parallelism</b>: where many cards are about to be read (those of a batch of events given
 *     to {@link #onEvents(DirectBuffer, int, int)} and those whose sessions the batch will close, the panes of a
 *     closing minute, the cards whose last hopping window closed), their blocks are first read in a tight loop, so
 *     that the cache misses overlap instead of following one another. Without prefetch instructions in Java, this
 *     is what the batch entry point is for; {@link #onEvent(DirectBuffer, int)} alone gives the same outputs.</li>
 * </ul>
 * Outputs equal those of {@link PlainJavaFraudVelocity} event by event (in another order within an event).
 * <p>
 * Not thread-safe: one thread feeds events and receives the outputs.
 */
public final class FastPlainFraudVelocity
{
    /** Longs per card block: 128 bytes, two cache lines. */
    static final int STRIDE = 16;
    /** Block 0's first long: array data begins 16 bytes into the array, so that blocks start on 128-byte lines. */
    private static final int BASE = 14;

    // card block, first line: what the event and the closing of a pane read
    private static final int KEY = 0;
    private static final int META = 1;
    private static final int PREVIOUS_TIME = 2;
    /** + 2 * pane: count (0 when the pane is not open) and the alert flags, then the sum. */
    private static final int PANE_COUNT = 3;
    private static final int PANE_SUM = 4;
    /** The start of the card's latest pane. */
    private static final int LAST_PANE = 7;
    // second line: the open session, and where the second one is
    private static final int SESSION = 8;
    private static final int SPILLED = 13;

    // a session, inline at SESSION or spilled: these offsets
    private static final int FIRST = 0;
    private static final int LAST = 1;
    private static final int COUNT = 2;
    private static final int SUM = 3;
    private static final int COUNTRIES = 4;
    private static final int SESSION_LONGS = 5;

    private static final long COUNTRY_MASK = 0xFF;
    private static final long NO_COUNTRY = 0xFF;
    private static final long SESSION_LIVE = 1L << 8;
    private static final long SPILLED_LIVE = 1L << 9;
    private static final long SCHEDULED = 1L << 10;
    private static final long VELOCITY_ALERTED = 1L << 62;
    private static final long AMOUNT_ALERTED = 1L << 61;
    private static final long PANE_COUNT_MASK = AMOUNT_ALERTED - 1;
    private static final long NONE = Long.MIN_VALUE;

    private static final long EMPTY = Long.MIN_VALUE;
    private static final long TOMBSTONE = Long.MIN_VALUE + 1;
    private static final int NIL = -1;
    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 26;

    private static final int WHEEL_SLOTS = 1 << 16;
    private static final int WHEEL_MASK = WHEEL_SLOTS - 1;
    /** Ints per wheel slot: the count, then up to seven card slots (more go to overflow entries). */
    private static final int WHEEL_CHUNK = 8;
    /** A batch touches the cards of at most that many wheel slots (milliseconds) ahead. */
    private static final int TOUCH_AHEAD_MAX_MS = 64;
    /** Cards touched ahead at most: their lines must still be in the cache when they are processed. */
    private static final int TOUCH_CHUNK = 256;

    private static final int HOPPING_PANES = (int)(HOPPING_SIZE_MS / TUMBLING_SIZE_MS);

    private final OutputRecord out;
    private final IdBlocks dedup;
    private final CountrySets countrySets = new CountrySets();

    // cards: slots 0 .. capacity - 1 hashed, capacity and capacity + 1 for the card ids EMPTY and TOMBSTONE
    private long[] state;
    private int capacity;
    private int hashShift;
    private int cards;
    private int tombstones;
    private int maxFill;
    private final boolean[] specialPresent = new boolean[2];

    // second open sessions
    private long[] spill = new long[64 * SESSION_LONGS];
    private int[] freeSpill = new int[64];
    private int freeSpillCount;
    private int spillUsed;

    // panes: the (at most two, consecutive) open minutes by parity, each one's card slots in the order they opened
    // a pane; a bitmap of card slots puts them in slot order when the minute closes
    private final long[] openMinute = {NONE, NONE};
    private final int[][] openPaneSlots = {new int[1024], new int[1024]};
    private final int[] openPanes = new int[2];
    private long[] paneBitmap;
    private final PaneList[] closedPanes = new PaneList[HOPPING_PANES + 1];
    private int closedHead;
    private int closedCount;
    /** The window end up to which tumbling and hopping windows have been closed. */
    private long closedEnd = NONE;
    private final int[][] mergeSlots = new int[HOPPING_PANES + 1][];
    private final long[][] mergeValues = new long[HOPPING_PANES + 1][];
    private final int[] mergeHeads = new int[HOPPING_PANES + 1];
    private final int[] mergeCursors = new int[HOPPING_PANES + 1];
    private int mergeLists;
    private int mergeFirstListBit;
    /** Cards in due[0 .. leaving) whose last hopping window the merge has emitted. */
    private int leaving;

    // sessions: per millisecond wheel slot, up to seven card slots inline, then a list of overflow entries
    private final int[] wheel = new int[WHEEL_SLOTS * WHEEL_CHUNK];
    private final int[] overflow = new int[WHEEL_SLOTS];
    private int[] entryCard = new int[256];
    private int[] entryNext = new int[256];
    private int freeEntry = NIL;
    private int entriesUsed;
    private long sessionsClosedTo = Long.MIN_VALUE;

    /** Card slots about to be read, gathered first so that their cache misses overlap. */
    private int[] due = new int[TOUCH_CHUNK + 64];
    /** Where the touch passes leave what they read, so that the reads happen. */
    private long touched;

    private long watermark = Long.MIN_VALUE;
    private boolean ended;

    public FastPlainFraudVelocity(final OutputRecordSink sink)
    {
        this(sink, 1 << 10, 1 << 10);
    }

    /**
     * @param expectedCards about how many cards have open windows at once (sizes the card table up front; it grows
     *                      past it by rehashing).
     * @param expectedIds   about how many ids are remembered at once: about ten minutes of event time.
     */
    public FastPlainFraudVelocity(final OutputRecordSink sink, final int expectedCards, final int expectedIds)
    {
        this.out = new OutputRecord(sink);
        this.dedup = new IdBlocks(expectedIds);
        allocateCards(capacityFor(expectedCards));
        for (int i = 0; i < closedPanes.length; i++)
        {
            closedPanes[i] = new PaneList();
        }
        Arrays.fill(overflow, NIL);
    }

    /**
     * @return the watermark W: Long.MIN_VALUE before the first accepted event, Long.MAX_VALUE after
     * {@link #endOfInput()}.
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * @return cards with open windows (for tests and memory estimates).
     */
    public int openCards()
    {
        return cards;
    }

    /**
     * @return event ids remembered for rule 1 (for tests and memory estimates).
     */
    public int rememberedIds()
    {
        return dedup.size();
    }

    /**
     * @return slots in the card table (for tests).
     */
    int tableCapacity()
    {
        return capacity;
    }

    /**
     * Rebuilds the card table at its capacity, as when it sheds its tombstones (for tests: every card's slot moves).
     */
    void rehashInPlace()
    {
        rehash(capacity);
    }

    /**
     * Empties the tombstones that no probe sequence passes through, as when the table fills (for tests).
     *
     * @return tombstones left.
     */
    int sweepTombstonesNow()
    {
        sweepTombstones();
        return tombstones;
    }

    /**
     * @return tombstones in the card table (for tests).
     */
    int tombstones()
    {
        return tombstones;
    }

    /**
     * Processes {@code count} consecutive {@link FraudEvent}s from {@code offset}, in order: exactly what as many
     * calls of {@link #onEvent(DirectBuffer, int)} do. It first reads what the batch is about to touch: for each
     * event, the block where its card hashes and the timer wheel slot where a session it starts would end; then the
     * blocks of the cards whose sessions are due to close by the watermark the batch reaches. Their cache misses
     * overlap rather than come one after the other.
     */
    public void onEvents(final DirectBuffer buffer, final int offset, final int count)
    {
        final long[] s = state;
        final int[] w = wheel;
        long touch = 0;
        long latest = Long.MIN_VALUE;
        for (int i = 0, o = offset; i < count; i++, o += FraudEvent.LENGTH)
        {
            final int b = BASE + hash(FraudEvent.cardId(buffer, o)) * STRIDE;
            final long eventTimeMs = FraudEvent.eventTimeMs(buffer, o);
            latest = Math.max(latest, eventTimeMs);
            touch += s[b + KEY] + s[b + SESSION + LAST] + w[((int)(eventTimeMs + SESSION_GAP_MS) & WHEEL_MASK) * WHEEL_CHUNK];
        }
        final long from = sessionsClosedTo;
        if (from != Long.MIN_VALUE && latest >= FraudVelocityRules.MIN_EVENT_TIME_MS && latest <= FraudVelocityRules.MAX_EVENT_TIME_MS)
        {
            final long to = Math.min(FraudVelocityRules.closeLimit(FraudVelocityRules.advance(watermark, latest)), from + TOUCH_AHEAD_MAX_MS);
            for (long t = from + 1; t <= to; t++)
            {
                final int at = ((int)t & WHEEL_MASK) * WHEEL_CHUNK;
                for (int i = 1, n = w[at]; i <= n; i++)
                {
                    final int b = BASE + w[at + i] * STRIDE;
                    touch += s[b + KEY] + s[b + SESSION + LAST];
                }
            }
        }
        touched += touch;
        for (int i = 0, o = offset; i < count; i++, o += FraudEvent.LENGTH)
        {
            onEvent(buffer, o);
        }
    }

    /**
     * Processes the {@link FraudEvent} at {@code offset}.
     */
    public void onEvent(final DirectBuffer buffer, final int offset)
    {
        onEvent(
            FraudEvent.eventId(buffer, offset),
            FraudEvent.cardId(buffer, offset),
            FraudEvent.amountCents(buffer, offset),
            FraudEvent.eventTimeMs(buffer, offset),
            FraudEvent.country(buffer, offset));
    }

    /**
     * Processes the next event in arrival order: rules 1 to 5.
     *
     * @throws IllegalArgumentException if the event time or country is out of the supported range.
     * @throws IllegalStateException    after {@link #endOfInput()}.
     */
    public void onEvent(final long eventId, final long cardId, final long amountCents, final long eventTimeMs, final int country)
    {
        if (ended)
        {
            throw new IllegalStateException("endOfInput() has been called");
        }
        FraudVelocityRules.checkEvent(eventTimeMs, country);
        if (dedup.isRemembered(eventId, watermark))
        {
            out.emit(OutputKind.DUPLICATE, eventId);
            return;
        }
        dedup.remember(eventId, eventTimeMs);
        if (FraudVelocityRules.isLate(eventTimeMs, watermark))
        {
            out.emit(OutputKind.LATE, eventId);
            return;
        }

        // Rule 5 first: what the advance closes ends at or before W - 5,000 < eventTimeMs, so it cannot hold this
        // event, and closing it first bounds what a card has open (two panes, two sessions).
        final long advanced = FraudVelocityRules.advance(watermark, eventTimeMs);
        if (advanced != watermark)
        {
            watermark = advanced;
            closeWindows(FraudVelocityRules.closeLimit(advanced));
            dedup.forget(advanced);
        }

        final int slot = acquire(cardId);
        final int b = BASE + slot * STRIDE;
        addToPane(slot, b, cardId, eventId, eventTimeMs, amountCents);
        addToSessions(slot, b, eventTimeMs, amountCents, country);

        final long[] s = state;
        final long meta = s[b + META];
        final long previousCountry = meta & COUNTRY_MASK;
        if (previousCountry != NO_COUNTRY && previousCountry != country &&
            FraudVelocityRules.withinCountryWindow(s[b + PREVIOUS_TIME], eventTimeMs))
        {
            out.emit(OutputKind.COUNTRY, cardId, eventId);
        }
        s[b + META] = (meta & ~COUNTRY_MASK) | country;
        s[b + PREVIOUS_TIME] = eventTimeMs;
    }

    /**
     * End of input: W becomes Long.MAX_VALUE and every open window closes. Further events are refused.
     */
    public void endOfInput()
    {
        if (!ended)
        {
            ended = true;
            watermark = Long.MAX_VALUE;
            closeWindows(Long.MAX_VALUE);
        }
    }

    private void addToPane(final int slot, final int b, final long cardId, final long eventId, final long eventTimeMs, final long amountCents)
    {
        final long[] s = state;
        final long start = FraudVelocityRules.tumblingStart(eventTimeMs);
        final int pane = parity(start);
        final int countAt = b + PANE_COUNT + 2 * pane;
        long countAndFlags = s[countAt];
        final long sum;
        if (countAndFlags == 0)
        {
            if (openMinute[pane] != start)
            {
                if (openMinute[pane] != NONE)
                {
                    throw new IllegalStateException("a third open minute: " + start + " while " + openMinute[pane] + " is open");
                }
                openMinute[pane] = start;
            }
            final int n = openPanes[pane];
            if (n == openPaneSlots[pane].length)
            {
                openPaneSlots[pane] = Arrays.copyOf(openPaneSlots[pane], n * 2);
            }
            openPaneSlots[pane][n] = slot;
            openPanes[pane] = n + 1;
            s[b + LAST_PANE] = Math.max(s[b + LAST_PANE], start);
            countAndFlags = 1;
            sum = amountCents;
        }
        else
        {
            countAndFlags++;
            sum = s[countAt + 1] + amountCents;
        }
        if ((countAndFlags & PANE_COUNT_MASK) > VELOCITY_MAX_COUNT && (countAndFlags & VELOCITY_ALERTED) == 0)
        {
            countAndFlags |= VELOCITY_ALERTED;
            out.emit(OutputKind.VELOCITY, cardId, eventId, start);
        }
        if (sum > AMOUNT_MAX_CENTS && (countAndFlags & AMOUNT_ALERTED) == 0)
        {
            countAndFlags |= AMOUNT_ALERTED;
            out.emit(OutputKind.AMOUNT, cardId, eventId, start);
        }
        s[countAt] = countAndFlags;
        s[countAt + 1] = sum;
    }

    /**
     * Rule 3's sessions: joins the open sessions (at most two: inline and spilled) that the event falls into or
     * bridges, merging them, or starts one.
     */
    private void addToSessions(final int slot, final int b, final long eventTimeMs, final long amountCents, final int country)
    {
        final long[] s = state;
        long meta = s[b + META];
        final boolean inline = (meta & SESSION_LIVE) != 0 && joins(s, b + SESSION, eventTimeMs);
        boolean spilled = false;
        int spillAt = 0;
        if ((meta & SPILLED_LIVE) != 0)
        {
            spillAt = (int)s[b + SPILLED] * SESSION_LONGS;
            spilled = joins(spill, spillAt, eventTimeMs);
        }
        if (inline)
        {
            if (spilled)
            {
                absorb(s, b + SESSION, spill, spillAt);
                releaseSpill((int)s[b + SPILLED]);
                s[b + META] = meta & ~SPILLED_LIVE;
            }
            include(s, b + SESSION, eventTimeMs, amountCents, country);
        }
        else if (spilled)
        {
            include(spill, spillAt, eventTimeMs, amountCents, country);
        }
        else
        {
            if ((meta & SESSION_LIVE) == 0)
            {
                open(s, b + SESSION, eventTimeMs, amountCents, country);
                meta |= SESSION_LIVE;
            }
            else if ((meta & SPILLED_LIVE) == 0)
            {
                final int spilledSession = acquireSpill();
                s[b + SPILLED] = spilledSession;
                open(spill, spilledSession * SESSION_LONGS, eventTimeMs, amountCents, country);
                meta |= SPILLED_LIVE;
            }
            else
            {
                throw new IllegalStateException("a third open session for card " + s[b + KEY]);
            }
            s[b + META] = meta;
            scheduleNewSession(slot, b, eventTimeMs + SESSION_GAP_MS);
        }
    }

    private static boolean joins(final long[] a, final int at, final long eventTimeMs)
    {
        return a[at + FIRST] - SESSION_GAP_MS < eventTimeMs && eventTimeMs < a[at + LAST] + SESSION_GAP_MS;
    }

    private void open(final long[] a, final int at, final long eventTimeMs, final long amountCents, final int country)
    {
        a[at + FIRST] = eventTimeMs;
        a[at + LAST] = eventTimeMs;
        a[at + COUNT] = 1;
        a[at + SUM] = amountCents;
        a[at + COUNTRIES] = CountrySets.of(country);
    }

    private void include(final long[] a, final int at, final long eventTimeMs, final long amountCents, final int country)
    {
        a[at + FIRST] = Math.min(a[at + FIRST], eventTimeMs);
        a[at + LAST] = Math.max(a[at + LAST], eventTimeMs);
        a[at + COUNT]++;
        a[at + SUM] += amountCents;
        a[at + COUNTRIES] = countrySets.add(a[at + COUNTRIES], country);
    }

    private void absorb(final long[] into, final int intoAt, final long[] from, final int fromAt)
    {
        into[intoAt + FIRST] = Math.min(into[intoAt + FIRST], from[fromAt + FIRST]);
        into[intoAt + LAST] = Math.max(into[intoAt + LAST], from[fromAt + LAST]);
        into[intoAt + COUNT] += from[fromAt + COUNT];
        into[intoAt + SUM] += from[fromAt + SUM];
        into[intoAt + COUNTRIES] = countrySets.union(into[intoAt + COUNTRIES], from[fromAt + COUNTRIES]);
    }

    private int acquireSpill()
    {
        if (freeSpillCount > 0)
        {
            return freeSpill[--freeSpillCount];
        }
        final int spilled = spillUsed++;
        if ((spilled + 1) * SESSION_LONGS > spill.length)
        {
            spill = Arrays.copyOf(spill, spill.length * 2);
            freeSpill = new int[freeSpill.length * 2];
        }
        return spilled;
    }

    private void releaseSpill(final int spilled)
    {
        freeSpill[freeSpillCount++] = spilled;
    }

    /**
     * A card is scheduled at a deadline no later than the end of its earliest open session. A new session always
     * lies after the card's open one (an event 30 s or more before an open session's first is at or below W - 5,000,
     * late), so a card already scheduled stays as it is.
     */
    private void scheduleNewSession(final int slot, final int b, final long end)
    {
        if ((state[b + META] & SCHEDULED) == 0)
        {
            schedule(slot, b, end);
        }
    }

    private void schedule(final int slot, final int b, final long deadline)
    {
        final int wheelSlot = (int)deadline & WHEEL_MASK;
        final int at = wheelSlot * WHEEL_CHUNK;
        final int n = wheel[at];
        if (n < WHEEL_CHUNK - 1)
        {
            wheel[at + 1 + n] = slot;
            wheel[at] = n + 1;
        }
        else
        {
            int entry = freeEntry;
            if (entry != NIL)
            {
                freeEntry = entryNext[entry];
            }
            else
            {
                entry = entriesUsed++;
                if (entry == entryCard.length)
                {
                    entryCard = Arrays.copyOf(entryCard, entry * 2);
                    entryNext = Arrays.copyOf(entryNext, entry * 2);
                }
            }
            entryCard[entry] = slot;
            entryNext[entry] = overflow[wheelSlot];
            overflow[wheelSlot] = entry;
        }
        state[b + META] |= SCHEDULED;
    }

    private void closeWindows(final long limitMs)
    {
        closeFixedWindows(limitMs);
        closeSessions(limitMs);
    }

    /**
     * Closes, minute boundary by minute boundary up to {@code limitMs}, the pane (tumbling window) ending there and
     * the hopping windows ending there.
     */
    private void closeFixedWindows(final long limitMs)
    {
        while (true)
        {
            long end = Long.MAX_VALUE;
            boolean any = false;
            for (int pane = 0; pane < 2; pane++)
            {
                if (openMinute[pane] != NONE)
                {
                    end = Math.min(end, openMinute[pane] + TUMBLING_SIZE_MS);
                    any = true;
                }
            }
            if (closedCount > 0)
            {
                end = Math.min(end, closedEnd + TUMBLING_SIZE_MS);
                any = true;
            }
            if (!any || end > limitMs)
            {
                return;
            }
            final long start = end - TUMBLING_SIZE_MS;
            final int pane = parity(start);
            if (openMinute[pane] == start)
            {
                closePane(pane, start);
                openMinute[pane] = NONE;
            }
            closeHopping(end);
            closedEnd = end;
            while (closedCount > 0 && closedPanes[closedHead].start <= end - HOPPING_SIZE_MS)
            {
                closedHead = (closedHead + 1) % closedPanes.length;
                closedCount--;
            }
        }
    }

    /**
     * Emits each pane of the minute as TUMBLING, in card-slot order, appends it to a new pane list and marks it
     * closed in its card; a chunk of slots at a time, their blocks touched first. (The work of a pane is a method of
     * its own, called often enough to be compiled early: this method runs once a minute.)
     */
    private void closePane(final int pane, final long start)
    {
        final PaneList list = closedPanes[(closedHead + closedCount) % closedPanes.length];
        closedCount++;
        final long[] bitmap = paneBitmap;
        final int panes = openPanes[pane];
        final int[] opened = openPaneSlots[pane];
        for (int i = 0; i < panes; i++)
        {
            bitmap[opened[i] >>> 6] |= 1L << opened[i];
        }
        openPanes[pane] = 0;
        list.reset(start, panes);
        final long[] s = state;
        final int countField = PANE_COUNT + 2 * pane;
        final int[] slots = due;
        int word = 0;
        while (word < bitmap.length)
        {
            int n = 0;
            while (word < bitmap.length && n < TOUCH_CHUNK)
            {
                long bits = bitmap[word];
                if (bits != 0)
                {
                    bitmap[word] = 0;
                    do
                    {
                        slots[n++] = (word << 6) + Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                    }
                    while (bits != 0);
                }
                word++;
            }
            long touch = 0;
            for (int i = 0; i < n; i++)
            {
                touch += s[BASE + slots[i] * STRIDE + countField];
            }
            touched += touch;
            for (int i = 0; i < n; i++)
            {
                closePaneOf(slots[i], countField, list);
            }
        }
    }

    private void closePaneOf(final int slot, final int countField, final PaneList list)
    {
        final long[] s = state;
        final int at = BASE + slot * STRIDE;
        final long cardId = s[at + KEY];
        final long count = s[at + countField] & PANE_COUNT_MASK;
        final long sum = s[at + countField + 1];
        s[at + countField] = 0;
        final long start = list.start;
        out.emit(OutputKind.TUMBLING, cardId, start, start + TUMBLING_SIZE_MS, count, sum);
        list.add(slot, cardId, count, sum);
    }

    /**
     * Emits the hopping windows [end - 300,000, end): a merge, by card slot, of the pane lists of the minutes they
     * span. A card whose last pane is the first of those, and which has no open session, then leaves the table.
     */
    private void closeHopping(final long end)
    {
        final long start = end - HOPPING_SIZE_MS;
        int n = 0;
        int firstListBit = 0;
        for (int j = 0; j < closedCount; j++)
        {
            final PaneList list = closedPanes[(closedHead + j) % closedPanes.length];
            if (list.start >= start)
            {
                if (list.start == start)
                {
                    firstListBit = 1 << n;
                }
                mergeSlots[n] = list.slots;
                mergeValues[n] = list.values;
                mergeHeads[n] = list.slots[0];
                mergeCursors[n] = 0;
                n++;
            }
        }
        mergeLists = n;
        mergeFirstListBit = firstListBit;
        leaving = 0;
        while (mergeNext(start, end))
        {
            // one hopping window each
        }
        Arrays.fill(mergeSlots, null);
        Arrays.fill(mergeValues, null);
        releaseIfClosed(leaving, start);
    }

    /**
     * Emits the next hopping window of the merge (the cards of the smallest slot at the heads of the lists). Which
     * lists hold the card is as good as random, so the lists are read without branching on it.
     *
     * @return false, emitting nothing, when the lists are exhausted.
     */
    private boolean mergeNext(final long start, final long end)
    {
        final int n = mergeLists;
        final int[] heads = mergeHeads;
        int slot = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++)
        {
            slot = Math.min(slot, heads[j]);
        }
        if (slot == Integer.MAX_VALUE)
        {
            return false;
        }
        final int[] cursors = mergeCursors;
        long cardId = 0;
        long count = 0;
        long sum = 0;
        int from = 0;
        for (int j = 0; j < n; j++)
        {
            final int cursor = cursors[j];
            final int in = heads[j] == slot ? 1 : 0;
            final long mask = -in;
            final long[] v = mergeValues[j];
            final int at = cursor * PaneList.LONGS;
            cardId |= v[at] & mask;
            count += v[at + 1] & mask;
            sum += v[at + 2] & mask;
            from |= in << j;
            cursors[j] = cursor + in;
            heads[j] = mergeSlots[j][cursor + in];
        }
        out.emit(OutputKind.HOPPING, cardId, start, end, count, sum);
        if (from == mergeFirstListBit)
        {
            if (leaving == due.length)
            {
                due = Arrays.copyOf(due, leaving * 2);
            }
            due[leaving++] = slot;
        }
        return true;
    }

    /**
     * Of the cards in {@code due[0 .. n)}, whose last hopping window [start, start + 300,000) has just closed, drops
     * those with no newer pane and no open session.
     */
    private void releaseIfClosed(final int n, final long start)
    {
        final int[] slots = due;
        final long[] s = state;
        for (int chunk = 0; chunk < n; chunk += TOUCH_CHUNK)
        {
            final int chunkEnd = Math.min(n, chunk + TOUCH_CHUNK);
            long touch = 0;
            for (int i = chunk; i < chunkEnd; i++)
            {
                touch += s[BASE + slots[i] * STRIDE + META];
            }
            touched += touch;
            for (int i = chunk; i < chunkEnd; i++)
            {
                final int at = BASE + slots[i] * STRIDE;
                if ((s[at + META] & (SESSION_LIVE | SPILLED_LIVE)) == 0 && s[at + LAST_PANE] == start)
                {
                    release(slots[i]);
                }
            }
        }
    }

    /**
     * Walks the wheel's millisecond slots from the last limit to {@code limitMs} (all of them once when it moved a
     * whole turn or more), closing the sessions due.
     */
    private void closeSessions(final long limitMs)
    {
        final long from = sessionsClosedTo;
        if (limitMs <= from)
        {
            return;
        }
        sessionsClosedTo = limitMs;
        if (from == Long.MIN_VALUE || limitMs - from >= WHEEL_SLOTS || limitMs - from < 0)
        {
            for (int i = 0; i < WHEEL_SLOTS; i++)
            {
                fireWheelSlot(i, limitMs);
            }
        }
        else
        {
            for (long t = from + 1; t <= limitMs; t++)
            {
                fireWheelSlot((int)t & WHEEL_MASK, limitMs);
            }
        }
    }

    /**
     * Takes the wheel slot's cards (freeing their overflow entries), then fires each.
     */
    private void fireWheelSlot(final int wheelSlot, final long limitMs)
    {
        final int at = wheelSlot * WHEEL_CHUNK;
        final int inline = wheel[at];
        int entry = overflow[wheelSlot];
        if (inline == 0 && entry == NIL)
        {
            return;
        }
        int[] slots = due;
        System.arraycopy(wheel, at + 1, slots, 0, inline);
        wheel[at] = 0;
        int n = inline;
        if (entry != NIL)
        {
            overflow[wheelSlot] = NIL;
            while (entry != NIL)
            {
                if (n == slots.length)
                {
                    slots = Arrays.copyOf(slots, n * 2);
                    due = slots;
                }
                slots[n++] = entryCard[entry];
                final int next = entryNext[entry];
                entryNext[entry] = freeEntry;
                freeEntry = entry;
                entry = next;
            }
        }
        for (int i = 0; i < n; i++)
        {
            fireCard(slots[i], limitMs);
        }
    }

    /**
     * Closes the card's sessions that end by {@code limitMs}; schedules it at the end of the earliest left, or drops
     * the card when nothing of it is open any more.
     */
    private void fireCard(final int slot, final long limitMs)
    {
        final long[] s = state;
        final int b = BASE + slot * STRIDE;
        long meta = s[b + META] & ~SCHEDULED;
        long nextEnd = Long.MAX_VALUE;
        if ((meta & SESSION_LIVE) != 0)
        {
            final long end = s[b + SESSION + LAST] + SESSION_GAP_MS;
            if (end <= limitMs)
            {
                emitSession(s[b + KEY], s, b + SESSION);
                meta &= ~SESSION_LIVE;
            }
            else
            {
                nextEnd = end;
            }
        }
        if ((meta & SPILLED_LIVE) != 0)
        {
            final int spilled = (int)s[b + SPILLED];
            final int at = spilled * SESSION_LONGS;
            final long end = spill[at + LAST] + SESSION_GAP_MS;
            if (end <= limitMs)
            {
                emitSession(s[b + KEY], spill, at);
                releaseSpill(spilled);
                meta &= ~SPILLED_LIVE;
            }
            else
            {
                nextEnd = Math.min(nextEnd, end);
                if ((meta & SESSION_LIVE) == 0)
                {
                    System.arraycopy(spill, at, s, b + SESSION, SESSION_LONGS);
                    releaseSpill(spilled);
                    meta = (meta & ~SPILLED_LIVE) | SESSION_LIVE;
                }
            }
        }
        s[b + META] = meta;
        if (nextEnd != Long.MAX_VALUE)
        {
            schedule(slot, b, nextEnd);
        }
        else if (closedEnd != NONE && s[b + LAST_PANE] + HOPPING_SIZE_MS <= closedEnd)
        {
            release(slot);
        }
    }

    private void emitSession(final long cardId, final long[] a, final int at)
    {
        final long countries = a[at + COUNTRIES];
        final long distinct = countrySets.size(countries);
        countrySets.release(countries);
        out.emit(OutputKind.SESSION, cardId, a[at + FIRST], a[at + LAST], a[at + COUNT], a[at + SUM], distinct);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The card table

    private static int capacityFor(final int expectedCards)
    {
        final long wanted = Math.max(MIN_CAPACITY, 2L * Math.max(0, expectedCards));
        if (wanted > MAX_CAPACITY)
        {
            return MAX_CAPACITY;
        }
        return Integer.highestOneBit((int)wanted - 1) << 1;
    }

    private void allocateCards(final int newCapacity)
    {
        capacity = newCapacity;
        hashShift = 64 - Integer.numberOfTrailingZeros(newCapacity);
        maxFill = (int)(newCapacity * 0.7);
        state = new long[BASE + (newCapacity + 2) * STRIDE];
        for (int slot = 0; slot < newCapacity; slot++)
        {
            state[BASE + slot * STRIDE + KEY] = EMPTY;
        }
        paneBitmap = new long[(newCapacity + 2 + 63) >>> 6];
        tombstones = 0;
    }

    private int hash(final long cardId)
    {
        return (int)((cardId * 0x9E3779B97F4A7C15L) >>> hashShift);
    }

    /**
     * @return the card's slot; a new one (no panes, no sessions, no previous event) if the card has none.
     */
    private int acquire(final long cardId)
    {
        if (cardId == EMPTY || cardId == TOMBSTONE)
        {
            final int special = cardId == EMPTY ? 0 : 1;
            final int slot = capacity + special;
            if (!specialPresent[special])
            {
                specialPresent[special] = true;
                cards++;
                initialise(slot, cardId);
            }
            return slot;
        }
        final long[] s = state;
        final int mask = capacity - 1;
        int slot = hash(cardId);
        int tombstone = NIL;
        while (true)
        {
            final long key = s[BASE + slot * STRIDE + KEY];
            if (key == cardId)
            {
                return slot;
            }
            if (key == EMPTY)
            {
                break;
            }
            if (key == TOMBSTONE && tombstone == NIL)
            {
                tombstone = slot;
            }
            slot = (slot + 1) & mask;
        }
        if (tombstone != NIL)
        {
            slot = tombstone;
            tombstones--;
        }
        else if (cards + tombstones + 1 > maxFill)
        {
            if (cards + 1 <= capacity / 2)
            {
                sweepTombstones();
            }
            if (cards + tombstones + 1 > maxFill)
            {
                rehash(cards + 1 > capacity / 2 ? capacity * 2 : capacity);
            }
            return acquire(cardId);
        }
        cards++;
        initialise(slot, cardId);
        return slot;
    }

    private void initialise(final int slot, final long cardId)
    {
        final int b = BASE + slot * STRIDE;
        state[b + KEY] = cardId;
        state[b + META] = NO_COUNTRY;
        state[b + PANE_COUNT] = 0;
        state[b + PANE_COUNT + 2] = 0;
        state[b + LAST_PANE] = NONE;
    }

    /**
     * Drops a card with nothing open: its block becomes a tombstone, or empty (with the tombstones before it) when
     * the next block is empty.
     */
    private void release(final int slot)
    {
        cards--;
        if (slot >= capacity)
        {
            specialPresent[slot - capacity] = false;
            return;
        }
        final long[] s = state;
        final int mask = capacity - 1;
        if (s[BASE + ((slot + 1) & mask) * STRIDE + KEY] == EMPTY)
        {
            s[BASE + slot * STRIDE + KEY] = EMPTY;
            int previous = (slot - 1) & mask;
            while (s[BASE + previous * STRIDE + KEY] == TOMBSTONE)
            {
                s[BASE + previous * STRIDE + KEY] = EMPTY;
                tombstones--;
                previous = (previous - 1) & mask;
            }
        }
        else
        {
            s[BASE + slot * STRIDE + KEY] = TOMBSTONE;
            tombstones++;
        }
    }

    /**
     * Empties, in place, every tombstone that no probe sequence passes through: going backwards through each run of
     * occupied slots (from the empty slot after it), a tombstone lies on a card's probe sequence only if that card
     * sits after it and hashes at or before it. No card moves, so nothing is renamed and nothing allocated: the
     * steady state of a table whose cards come and go.
     */
    private void sweepTombstones()
    {
        final long[] s = state;
        final int mask = capacity - 1;
        int end = 0;
        while (s[BASE + end * STRIDE + KEY] != EMPTY)
        {
            end++;
        }
        // reach: how far back from the run's end (the empty slot) some card after the current slot starts its probe
        int reach = -1;
        int runEnd = end;
        for (int i = 1; i <= capacity; i++)
        {
            final int slot = (end - i) & mask;
            final int at = BASE + slot * STRIDE + KEY;
            final long key = s[at];
            final int back = (runEnd - slot) & mask;
            if (key == EMPTY)
            {
                runEnd = slot;
                reach = -1;
            }
            else if (key == TOMBSTONE)
            {
                if (reach < back)
                {
                    s[at] = EMPTY;
                    tombstones--;
                    runEnd = slot;
                    reach = -1;
                }
            }
            else
            {
                reach = Math.max(reach, (runEnd - hash(key)) & mask);
            }
        }
    }

    /**
     * Moves every card to a table of {@code newCapacity} slots (no tombstones) and renames the slots wherever they
     * are held: the open minutes' slots, the closed pane lists (re-sorted) and the timer wheel.
     */
    private void rehash(final int newCapacity)
    {
        if (newCapacity > MAX_CAPACITY)
        {
            throw new IllegalStateException("more than " + MAX_CAPACITY / 2 + " cards with open windows");
        }
        final long[] oldState = state;
        final int oldCapacity = capacity;
        final int[] renamed = new int[oldCapacity + 2];
        allocateCards(newCapacity);
        final int mask = newCapacity - 1;
        for (int old = 0; old < oldCapacity + 2; old++)
        {
            final int from = BASE + old * STRIDE;
            final long key = oldState[from + KEY];
            final int slot;
            if (old >= oldCapacity)
            {
                if (!specialPresent[old - oldCapacity])
                {
                    continue;
                }
                slot = newCapacity + old - oldCapacity;
            }
            else
            {
                if (key == EMPTY || key == TOMBSTONE)
                {
                    continue;
                }
                int candidate = hash(key);
                while (state[BASE + candidate * STRIDE + KEY] != EMPTY)
                {
                    candidate = (candidate + 1) & mask;
                }
                slot = candidate;
            }
            System.arraycopy(oldState, from, state, BASE + slot * STRIDE, STRIDE);
            renamed[old] = slot;
        }
        for (int pane = 0; pane < 2; pane++)
        {
            final int[] opened = openPaneSlots[pane];
            for (int i = 0; i < openPanes[pane]; i++)
            {
                opened[i] = renamed[opened[i]];
            }
        }
        for (int j = 0; j < closedCount; j++)
        {
            closedPanes[(closedHead + j) % closedPanes.length].rename(renamed);
        }
        for (int i = 0; i < WHEEL_SLOTS; i++)
        {
            final int at = i * WHEEL_CHUNK;
            for (int j = 1; j <= wheel[at]; j++)
            {
                wheel[at + j] = renamed[wheel[at + j]];
            }
            for (int entry = overflow[i]; entry != NIL; entry = entryNext[entry])
            {
                entryCard[entry] = renamed[entryCard[entry]];
            }
        }
    }

    private static int parity(final long paneStart)
    {
        return (int)((paneStart / TUMBLING_SIZE_MS) & 1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Outputs





    /**
     * A session's distinct countries in one long: up to seven country codes (a byte each, the count in bits 56 to
     * 58), or, past seven, {@link #SPILLED_SET} and the index of a pooled 256-bit set. Allocates only to grow.
     */
    static final class CountrySets
    {
        static final long SPILLED_SET = 1L << 63;
        private static final int INLINE = 7;
        private static final int COUNT_SHIFT = 56;
        private static final int WORDS = 4;

        private long[] sets = new long[64 * WORDS];
        private int[] free = new int[64];
        private int freeCount;
        private int used;

        static long of(final int country)
        {
            return (1L << COUNT_SHIFT) | country;
        }

        /**
         * @return the set with {@code country} added (the same set, or a new representation of it).
         */
        long add(final long set, final int country)
        {
            if ((set & SPILLED_SET) != 0)
            {
                sets[(int)set * WORDS + (country >>> 6)] |= 1L << country;
                return set;
            }
            final int n = (int)(set >>> COUNT_SHIFT);
            for (int i = 0; i < n; i++)
            {
                if (((set >>> (i << 3)) & 0xFF) == country)
                {
                    return set;
                }
            }
            if (n < INLINE)
            {
                return (set + (1L << COUNT_SHIFT)) | ((long)country << (n << 3));
            }
            final int index = acquire();
            final int at = index * WORDS;
            for (int i = 0; i < n; i++)
            {
                final int c = (int)((set >>> (i << 3)) & 0xFF);
                sets[at + (c >>> 6)] |= 1L << c;
            }
            sets[at + (country >>> 6)] |= 1L << country;
            return SPILLED_SET | index;
        }

        /**
         * @return the union, in place of {@code into}; {@code from} is released.
         */
        long union(final long into, final long from)
        {
            long set = into;
            if ((from & SPILLED_SET) != 0)
            {
                final int at = (int)from * WORDS;
                for (int w = 0; w < WORDS; w++)
                {
                    long bits = sets[at + w];
                    while (bits != 0)
                    {
                        set = add(set, (w << 6) + Long.numberOfTrailingZeros(bits));
                        bits &= bits - 1;
                    }
                }
                release(from);
            }
            else
            {
                final int n = (int)(from >>> COUNT_SHIFT);
                for (int i = 0; i < n; i++)
                {
                    set = add(set, (int)((from >>> (i << 3)) & 0xFF));
                }
            }
            return set;
        }

        long size(final long set)
        {
            if ((set & SPILLED_SET) == 0)
            {
                return set >>> COUNT_SHIFT;
            }
            final int at = (int)set * WORDS;
            return Long.bitCount(sets[at]) + Long.bitCount(sets[at + 1]) + Long.bitCount(sets[at + 2]) + Long.bitCount(sets[at + 3]);
        }

        void release(final long set)
        {
            if ((set & SPILLED_SET) != 0)
            {
                free[freeCount++] = (int)set;
            }
        }

        private int acquire()
        {
            final int index;
            if (freeCount > 0)
            {
                index = free[--freeCount];
            }
            else
            {
                index = used++;
                if (index * WORDS == sets.length)
                {
                    sets = Arrays.copyOf(sets, sets.length * 2);
                    free = new int[free.length * 2];
                }
            }
            Arrays.fill(sets, index * WORDS, index * WORDS + WORDS, 0);
            return index;
        }
    }

    /**
     * One closed minute's panes in card-slot order: slot, then card id, count and sum; after the last, an end mark
     * (slot Integer.MAX_VALUE, zeros), so that a merge reads past a list's end without testing for it. Reused; grows
     * to its peak.
     */
    private static final class PaneList
    {
        static final int LONGS = 3;

        long start;
        int size;
        int[] slots = new int[64];
        long[] values = new long[64 * LONGS];

        /**
         * Empties the list for the panes of the minute at {@code start}, room made for {@code panes} of them (and a
         * quarter more, so that the next minutes, a few panes more or less, find room).
         */
        void reset(final long start, final int panes)
        {
            this.start = start;
            size = 0;
            if (panes + 1 > slots.length)
            {
                final int length = panes + 1 + (panes >> 2);
                slots = new int[length];
                values = new long[length * LONGS];
            }
            mark();
        }

        void add(final int slot, final long cardId, final long count, final long sum)
        {
            if (size + 1 == slots.length)
            {
                slots = Arrays.copyOf(slots, slots.length * 2);
                values = Arrays.copyOf(values, slots.length * LONGS);
            }
            final int v = size * LONGS;
            slots[size] = slot;
            values[v] = cardId;
            values[v + 1] = count;
            values[v + 2] = sum;
            size++;
            mark();
        }

        private void mark()
        {
            final int v = size * LONGS;
            slots[size] = Integer.MAX_VALUE;
            values[v] = 0;
            values[v + 1] = 0;
            values[v + 2] = 0;
        }

        /**
         * Renames the slots after a rehash and restores their order.
         */
        void rename(final int[] renamed)
        {
            final long[] order = new long[size];
            for (int i = 0; i < size; i++)
            {
                order[i] = ((long)renamed[slots[i]] << 32) | i;
            }
            Arrays.sort(order);
            final int[] newSlots = new int[slots.length];
            final long[] newValues = new long[values.length];
            newSlots[size] = Integer.MAX_VALUE;
            for (int i = 0; i < size; i++)
            {
                final int from = (int)order[i];
                newSlots[i] = (int)(order[i] >>> 32);
                System.arraycopy(values, from * LONGS, newValues, i * LONGS, LONGS);
            }
            slots = newSlots;
            values = newValues;
        }
    }

    /**
     * Rule 1's memory: for blocks of 64 consecutive ids, the event time of each id seen (as anything but a duplicate),
     * found through an open-addressing map from id / 64 to the block. A block is dropped, oldest first, once every id
     * in it may be forgotten (its latest event time is at or below W - 600,000); an id counts as remembered exactly
     * while its own event time is above. Dense ids (the workload's are i + 1) cost 8 bytes each; sparse ids a block
     * each. Allocates only to grow. Not thread-safe: one thread.
     */
    static final class IdBlocks
    {
        private static final int IDS_PER_BLOCK = 64;
        private static final int BLOCK_SHIFT = 6;
        /** No block number: |id >> 6| < 2^57. */
        private static final long NO_BLOCK = Long.MIN_VALUE;
        private static final long ABSENT = Long.MIN_VALUE;

        private long[] mapKeys;
        private int[] mapValues;
        private int mapMask;
        private int mapShift;
        private int mapSize;

        private long[] times;
        private long[] latest;
        private long[] blockNumbers;
        private int blocks;
        private int[] free;
        private int freeCount;
        private int[] fifo;
        private int fifoHead;
        private int fifoCount;
        private int ids;

        private long cachedBlockNumber = NO_BLOCK;
        private int cachedBlock;

        IdBlocks(final int expectedIds)
        {
            final int expectedBlocks = Math.max(16, expectedIds / IDS_PER_BLOCK + 16);
            allocateMap(Integer.highestOneBit(expectedBlocks * 2 - 1) << 1);
            times = new long[expectedBlocks * IDS_PER_BLOCK];
            latest = new long[expectedBlocks];
            blockNumbers = new long[expectedBlocks];
            free = new int[expectedBlocks];
            fifo = new int[Integer.highestOneBit(expectedBlocks - 1) << 1];
        }

        /**
         * @return whether {@code eventId} was seen before and is still remembered under watermark W.
         */
        boolean isRemembered(final long eventId, final long watermark)
        {
            final int block = find(eventId >> BLOCK_SHIFT);
            if (block == NIL)
            {
                return false;
            }
            final long eventTimeMs = times[block * IDS_PER_BLOCK + (int)(eventId & (IDS_PER_BLOCK - 1))];
            return eventTimeMs != ABSENT && FraudVelocityRules.isRemembered(eventTimeMs, watermark);
        }

        /**
         * Remembers an accepted or late event's id with its event time (a supported one, never Long.MIN_VALUE).
         */
        void remember(final long eventId, final long eventTimeMs)
        {
            final long blockNumber = eventId >> BLOCK_SHIFT;
            int block = find(blockNumber);
            if (block == NIL)
            {
                block = create(blockNumber);
            }
            final int i = block * IDS_PER_BLOCK + (int)(eventId & (IDS_PER_BLOCK - 1));
            if (times[i] == ABSENT)
            {
                ids++;
            }
            times[i] = eventTimeMs;
            latest[block] = Math.max(latest[block], eventTimeMs);
        }

        /**
         * Drops, oldest block first, the blocks whose ids may all be forgotten under watermark W, up to the first
         * that holds one still remembered.
         */
        void forget(final long watermark)
        {
            while (fifoCount > 0)
            {
                final int block = fifo[fifoHead];
                if (FraudVelocityRules.isRemembered(latest[block], watermark))
                {
                    return;
                }
                fifoHead = (fifoHead + 1) & (fifo.length - 1);
                fifoCount--;
                drop(block);
            }
        }

        int size()
        {
            return ids;
        }

        private int find(final long blockNumber)
        {
            if (blockNumber == cachedBlockNumber)
            {
                return cachedBlock;
            }
            int i = mapIndex(blockNumber);
            while (true)
            {
                final long key = mapKeys[i];
                if (key == blockNumber)
                {
                    cachedBlockNumber = blockNumber;
                    cachedBlock = mapValues[i];
                    return cachedBlock;
                }
                if (key == NO_BLOCK)
                {
                    return NIL;
                }
                i = (i + 1) & mapMask;
            }
        }

        private int create(final long blockNumber)
        {
            final int block;
            if (freeCount > 0)
            {
                block = free[--freeCount];
            }
            else
            {
                block = blocks++;
                if (block == latest.length)
                {
                    final int grown = block * 2;
                    times = Arrays.copyOf(times, grown * IDS_PER_BLOCK);
                    latest = Arrays.copyOf(latest, grown);
                    blockNumbers = Arrays.copyOf(blockNumbers, grown);
                    free = new int[grown];
                }
            }
            Arrays.fill(times, block * IDS_PER_BLOCK, (block + 1) * IDS_PER_BLOCK, ABSENT);
            latest[block] = Long.MIN_VALUE;
            blockNumbers[block] = blockNumber;
            if (fifoCount == fifo.length)
            {
                final int[] grown = new int[fifo.length * 2];
                for (int j = 0; j < fifoCount; j++)
                {
                    grown[j] = fifo[(fifoHead + j) & (fifo.length - 1)];
                }
                fifo = grown;
                fifoHead = 0;
            }
            fifo[(fifoHead + fifoCount) & (fifo.length - 1)] = block;
            fifoCount++;
            if ((mapSize + 1) * 2 > mapKeys.length)
            {
                final long[] oldKeys = mapKeys;
                final int[] oldValues = mapValues;
                allocateMap(mapKeys.length * 2);
                for (int j = 0; j < oldKeys.length; j++)
                {
                    if (oldKeys[j] != NO_BLOCK)
                    {
                        put(oldKeys[j], oldValues[j]);
                    }
                }
            }
            put(blockNumber, block);
            cachedBlockNumber = blockNumber;
            cachedBlock = block;
            return block;
        }

        private void drop(final int block)
        {
            for (int j = block * IDS_PER_BLOCK, end = j + IDS_PER_BLOCK; j < end; j++)
            {
                if (times[j] != ABSENT)
                {
                    ids--;
                }
            }
            final long blockNumber = blockNumbers[block];
            if (blockNumber == cachedBlockNumber)
            {
                cachedBlockNumber = NO_BLOCK;
            }
            // backward-shift deletion keeps every probe sequence unbroken
            int hole = mapIndex(blockNumber);
            while (mapKeys[hole] != blockNumber)
            {
                hole = (hole + 1) & mapMask;
            }
            int i = hole;
            while (true)
            {
                i = (i + 1) & mapMask;
                final long key = mapKeys[i];
                if (key == NO_BLOCK)
                {
                    break;
                }
                final int home = mapIndex(key);
                if (((i - home) & mapMask) >= ((i - hole) & mapMask))
                {
                    mapKeys[hole] = key;
                    mapValues[hole] = mapValues[i];
                    hole = i;
                }
            }
            mapKeys[hole] = NO_BLOCK;
            mapSize--;
            free[freeCount++] = block;
        }

        private void put(final long blockNumber, final int block)
        {
            int i = mapIndex(blockNumber);
            while (mapKeys[i] != NO_BLOCK)
            {
                i = (i + 1) & mapMask;
            }
            mapKeys[i] = blockNumber;
            mapValues[i] = block;
            mapSize++;
        }

        private void allocateMap(final int length)
        {
            mapKeys = new long[length];
            Arrays.fill(mapKeys, NO_BLOCK);
            mapValues = new int[length];
            mapMask = length - 1;
            mapShift = 64 - Integer.numberOfTrailingZeros(length);
            mapSize = 0;
        }

        private int mapIndex(final long blockNumber)
        {
            return (int)((blockNumber * 0x9E3779B97F4A7C15L) >>> mapShift);
        }
    }
}
