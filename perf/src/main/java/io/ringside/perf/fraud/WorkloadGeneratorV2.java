package io.ringside.perf.fraud;

import java.util.Arrays;

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
public final class WorkloadGeneratorV2 extends GeneratorBase
{
    /** A TXN's capture falls due 1 to this many indexes after it. */
    public static final int MAX_CAPTURE_DELAY = 1_500_000;

    private final CaptureQueue captures = new CaptureQueue();

    /**
     * @param seed   the SplittableRandom seed.
     * @param events N, events to emit, duplicates and captures included.
     * @param cards  K, at least {@link WorkloadGenerator#MIN_CARDS}.
     */
    public WorkloadGeneratorV2(final long seed, final long events, final long cards)
    {
        super(seed, events, cards);
    }

    public WorkloadGeneratorV2(final WorkloadSize size, final long seed)
    {
        this(seed, size.events(), size.cards());
    }

    /**
     * @return captures queued, not yet emitted.
     */
    public int queuedCaptures()
    {
        return captures.size();
    }

    @Override
    void restart()
    {
        captures.clear();
    }

    @Override
    void generate(final long i, final int slot, final long clockMs)
    {
        if (captures.size() > 0 && captures.firstDue() <= i)
        {
            FraudV2Event.write(history, slot, i + 1, captures.firstCardId(), captures.firstTxnId(), captures.firstAmountCents(),
                clockMs - random.nextLong(2_000), 0, FraudV2Event.CAPTURE);
            captures.removeFirst();
            return;
        }
        if (duplicate(i, slot))
        {
            return;
        }
        final long eventId = i + 1;
        if (random.nextInt(100) < 3)
        {
            final long cardId = card();
            final long limitCents = random.nextInt(10) == 0 ? 0 : 10_000L * (1 + random.nextInt(100));
            final long homeCountry = random.nextInt(10) == 0 ? random.nextInt(200) : (int)(cardId % 50);
            final long eventTimeMs = clockMs - random.nextLong(2_000);
            FraudV2Event.write(history, slot, eventId, cardId, limitCents, homeCountry, eventTimeMs, 0, FraudV2Event.PROFILE);
            return;
        }
        transaction(eventId, slot, clockMs);   // v1's event is v2's TXN, byte for byte
        if (random.nextInt(5) != 0)
        {
            captures.add(i + 1 + random.nextInt(MAX_CAPTURE_DELAY), eventId, FraudEvent.cardId(history, slot),
                FraudEvent.amountCents(history, slot));
        }
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
