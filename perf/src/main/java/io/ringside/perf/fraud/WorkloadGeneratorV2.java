package io.ringside.perf.fraud;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Workload v2's events, deterministic for (seed, N, K): {@link WorkloadGenerator}'s draws for a transaction (a v1 event
 * is a v2 TXN), with 3% of the draws profile changes, and four transactions in five captured later: each capture is
 * queued with the index it falls due at (0 to 1.5 M indexes on), and emitted, one per index at most, in the order of its
 * due index, then its transaction's id, taking no draw. Duplicates copy the event emitted 1 to 1,000 events before, of
 * any type. Captures still queued at N are never emitted. Writes {@link FraudV2Event}s; the queue grows (an allocation)
 * only past its peak.
 * <p>
 * Not thread-safe: one thread at a time.
 */
public final class WorkloadGeneratorV2
{
    /** A TXN's capture falls due 1 to this many indexes after it. */
    public static final int MAX_CAPTURE_DELAY = 1_500_000;

    private static final int HISTORY_EVENTS = 1_024;
    private static final double LOG_MIN_AMOUNT = StrictMath.log(100);
    private static final double LOG_AMOUNT_RANGE = StrictMath.log(1_000_000) - StrictMath.log(100);

    private final long seed;
    private final long events;
    private final long cards;
    private final long hotCards;
    private final UnsafeBuffer history = new UnsafeBuffer(new byte[HISTORY_EVENTS * FraudEvent.LENGTH]);
    private final CaptureQueue captures = new CaptureQueue();
    private SplittableRandom random;
    private long index;

    /**
     * @param seed   the SplittableRandom seed.
     * @param events N, events to emit, duplicates and captures included.
     * @param cards  K, at least {@link WorkloadGenerator#MIN_CARDS}.
     */
    public WorkloadGeneratorV2(final long seed, final long events, final long cards)
    {
        if (events < 0)
        {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        if (cards < WorkloadGenerator.MIN_CARDS)
        {
            throw new IllegalArgumentException("cards must be >= " + WorkloadGenerator.MIN_CARDS + ", was " + cards);
        }
        this.seed = seed;
        this.events = events;
        this.cards = cards;
        this.hotCards = cards / 100;
        this.random = new SplittableRandom(seed);
    }

    public WorkloadGeneratorV2(final WorkloadSize size, final long seed)
    {
        this(seed, size.events(), size.cards());
    }

    public long seed()
    {
        return seed;
    }

    public long events()
    {
        return events;
    }

    public long cards()
    {
        return cards;
    }

    /**
     * @return events emitted so far: the index i of the next event, the source offset a resumed run starts from.
     */
    public long index()
    {
        return index;
    }

    public boolean hasNext()
    {
        return index < events;
    }

    /**
     * Writes the next event ({@link FraudEvent#LENGTH} bytes) at {@code offset}.
     *
     * @return false, writing nothing, once all N events have been emitted.
     */
    public boolean next(final MutableDirectBuffer dst, final int offset)
    {
        if (index >= events)
        {
            return false;
        }
        final int slot = historyOffset(index);
        generate(index, slot);
        dst.putBytes(offset, history, slot, FraudEvent.LENGTH);
        index++;
        return true;
    }

    /**
     * Positions the generator so that the next event is event {@code target} (0 <= target <= N), by replaying the
     * draws from the start when going back, from here when going forward.
     */
    public void skipTo(final long target)
    {
        if (target < 0 || target > events)
        {
            throw new IllegalArgumentException("target must be 0.." + events + ", was " + target);
        }
        if (target < index)
        {
            random = new SplittableRandom(seed);
            captures.clear();
            index = 0;
        }
        while (index < target)
        {
            generate(index, historyOffset(index));
            index++;
        }
    }

    /**
     * @return captures queued, not yet emitted.
     */
    public int queuedCaptures()
    {
        return captures.size();
    }

    private void generate(final long i, final int slot)
    {
        final long clockMs = WorkloadGenerator.T0_MS + i / WorkloadGenerator.EVENTS_PER_MS;
        if (captures.size() > 0 && captures.firstDue() <= i)
        {
            FraudV2Event.write(history, slot, i + 1, captures.firstCardId(), captures.firstTxnId(), captures.firstAmountCents(),
                clockMs - random.nextLong(2_000), 0, FraudV2Event.CAPTURE);
            captures.removeFirst();
            return;
        }
        if (i >= WorkloadGenerator.DUPLICATES_FROM && random.nextInt(100) == 0)
        {
            final long back = 1 + random.nextInt(WorkloadGenerator.MAX_DUPLICATE_DISTANCE);
            history.putBytes(slot, history, historyOffset(i - back), FraudEvent.LENGTH);
            return;
        }
        final long eventId = i + 1;
        final int kind = random.nextInt(100);
        if (kind < 3)
        {
            final long cardId = random.nextInt(2) == 0 ? random.nextLong(hotCards) : random.nextLong(cards);
            final long limitCents = random.nextInt(10) == 0 ? 0 : 10_000L * (1 + random.nextInt(100));
            final long homeCountry = random.nextInt(10) == 0 ? random.nextInt(200) : (int)(cardId % 50);
            final long eventTimeMs = clockMs - random.nextLong(2_000);
            FraudV2Event.write(history, slot, eventId, cardId, limitCents, homeCountry, eventTimeMs, 0, FraudV2Event.PROFILE);
            return;
        }
        final long cardId = random.nextInt(2) == 0 ? random.nextLong(hotCards) : random.nextLong(cards);
        final long eventTimeMs = random.nextInt(1000) == 0 ?
            clockMs - 2_000 - random.nextLong(60_000) : clockMs - random.nextLong(2_000);
        final long amountCents = (long)StrictMath.exp(LOG_MIN_AMOUNT + random.nextDouble() * LOG_AMOUNT_RANGE);
        final long merchantId = random.nextLong(WorkloadGenerator.MERCHANTS);
        final int country = random.nextInt(20) == 0 ? random.nextInt(200) : (int)(cardId % 50);
        FraudV2Event.write(history, slot, eventId, cardId, merchantId, amountCents, eventTimeMs, country, FraudV2Event.TXN);
        if (random.nextInt(5) != 0)
        {
            captures.add(i + 1 + random.nextInt(MAX_CAPTURE_DELAY), eventId, cardId, amountCents);
        }
    }

    private static int historyOffset(final long i)
    {
        return (int)(i & (HISTORY_EVENTS - 1)) * FraudEvent.LENGTH;
    }

    /**
     * Pending captures, a binary min-heap ordered by (due index, transaction id), four longs an entry in one array.
     */
    private static final class CaptureQueue
    {
        private static final int DUE = 0;
        private static final int TXN_ID = 1;
        private static final int CARD_ID = 2;
        private static final int AMOUNT = 3;
        private static final int STRIDE = 4;

        private long[] heap = new long[STRIDE * 1024];
        private int size;

        int size()
        {
            return size;
        }

        void clear()
        {
            size = 0;
        }

        long firstDue()
        {
            return heap[DUE];
        }

        long firstTxnId()
        {
            return heap[TXN_ID];
        }

        long firstCardId()
        {
            return heap[CARD_ID];
        }

        long firstAmountCents()
        {
            return heap[AMOUNT];
        }

        void add(final long due, final long txnId, final long cardId, final long amountCents)
        {
            if ((size + 1) * STRIDE > heap.length)
            {
                heap = Arrays.copyOf(heap, heap.length * 2);
            }
            int i = size++;
            set(i, due, txnId, cardId, amountCents);
            while (i > 0)
            {
                final int parent = (i - 1) >>> 1;
                if (!less(i, parent))
                {
                    break;
                }
                swap(i, parent);
                i = parent;
            }
        }

        void removeFirst()
        {
            size--;
            if (size == 0)
            {
                return;
            }
            System.arraycopy(heap, size * STRIDE, heap, 0, STRIDE);
            int i = 0;
            while (true)
            {
                final int left = 2 * i + 1;
                if (left >= size)
                {
                    return;
                }
                final int right = left + 1;
                final int smaller = right < size && less(right, left) ? right : left;
                if (!less(smaller, i))
                {
                    return;
                }
                swap(i, smaller);
                i = smaller;
            }
        }

        private boolean less(final int a, final int b)
        {
            final long dueA = heap[a * STRIDE + DUE];
            final long dueB = heap[b * STRIDE + DUE];
            return dueA < dueB || (dueA == dueB && heap[a * STRIDE + TXN_ID] < heap[b * STRIDE + TXN_ID]);
        }

        private void set(final int i, final long due, final long txnId, final long cardId, final long amountCents)
        {
            final int at = i * STRIDE;
            heap[at + DUE] = due;
            heap[at + TXN_ID] = txnId;
            heap[at + CARD_ID] = cardId;
            heap[at + AMOUNT] = amountCents;
        }

        private void swap(final int a, final int b)
        {
            for (int k = 0; k < STRIDE; k++)
            {
                final long t = heap[a * STRIDE + k];
                heap[a * STRIDE + k] = heap[b * STRIDE + k];
                heap[b * STRIDE + k] = t;
            }
        }
    }
}
