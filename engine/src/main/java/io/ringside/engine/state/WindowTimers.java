package io.ringside.engine.state;

import java.util.Arrays;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.UnsafeApi;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Which keys are due at which deadline: closing takes the earliest deadlines first and visits only the keys
 * registered there, never scanning all keys. Each key has one pending timer, its earliest window end, which the
 * caller keeps with the key's state ({@link KeyedWindows}: in the entry). Re-arming earlier leaves the old
 * registration in its list, where the visit skips it (the key's state names another deadline). Keys due at one
 * deadline are visited in the order they were armed; a deadline with {@value #ORDERED_MIN} registrations or more (a
 * minute boundary's hundreds of thousands) is first put in handle order through a bitmap of handles, a slice at a time,
 * and visited in that order, so closing reads the keys' entries in address order rather than at random (handles are
 * entry numbers: {@link KeyedStore#handle()}). Both orders are a function of the journal, like everything else, and
 * written with a snapshot ({@link #writeSnapshot}), so a restored shard visits them in the same order as the original
 * and spends the same closing budget doing it.
 * <p>
 * Deadlines near the close cursor (within {@value #WHEEL_SLOTS} ms ahead: every window end of minutes-long windows and
 * sessions) go in a timing wheel: one slot per millisecond, each the head and tail of its keys' chain, and a bitmap of
 * the slots in use, so arming is an append and finding the next due deadline is a scan of a few bitmap words. Session
 * ends fall on any millisecond, hundreds of thousands of distinct deadlines in flight: a hash map and a heap of them
 * cost a cache miss or two per arm. Deadlines further ahead (day-long windows) go to an overflow heap of deadlines with
 * a map to their chains; closing merges the two in deadline order (at one deadline, the overflow's keys first).
 * Every chain is a list of chunks of {@value #CHUNK} registrations (a key and its handle) from one pooled slab, reused:
 * steady state allocates nothing. Closing tells the visitor a chunk's handles before it visits them
 * ({@link ArmedKey#prefetch}), so their cache misses overlap.
 * <p>
 * Closing can be sliced: {@link #closeArmed(long, ArmedKey, int)} visits at most a given number of registrations and
 * remembers where it stopped, so a minute boundary's million keys are closed a few dozen at a time between events
 * instead of in one stall.
 * <p>
 * <b>Thread safety:</b> one thread (the shard's).
 */
final class WindowTimers
{
    /**
     * Visits one key registered at a deadline that has come due. The visit tells a current registration from a stale
     * one (the key re-armed since) by the deadline it keeps with the key's state.
     */
    @FunctionalInterface
    interface ArmedKey
    {
        /**
         * @param handle   the handle the key was armed with (where its state was then).
         * @param deadline the deadline the key was registered at.
         * @param limit    windows ending at or below it close.
         * @return true if the registration was the key's current one (and the key was visited), false if it was stale.
         */
        boolean onDue(long key, long handle, long deadline, long limit);

        /**
         * Told the keys and handles of the next registrations to visit, a chunk ahead, to start loading their state.
         *
         * @return anything read (summed where the JIT cannot drop the loads).
         */
        default long prefetch(final long key, final long handle)
        {
            return 0;
        }

        /**
         * Told a handle whose key is not known yet (closing in handle order, a batch ahead): start loading its state.
         *
         * @return anything read.
         */
        default long prefetchHandle(final long handle)
        {
            return 0;
        }

        /**
         * @return the key whose state is behind {@code handle} now (closing in handle order reads the key there; the
         * visit tells whether it is due).
         */
        default long keyOf(final long handle)
        {
            throw new UnsupportedOperationException("closing in handle order needs the keys behind handles");
        }
    }

    /** Milliseconds the wheel covers ahead of its cursor. */
    static final int WHEEL_SLOTS = 1 << 18;
    private static final int WHEEL_MASK = WHEEL_SLOTS - 1;
    private static final int NONE = -1;
    private static final byte CHAIN_OVERFLOW = 0;
    private static final byte CHAIN_WHEEL = 1;
    private static final byte CHAIN_DRAINING = 2;
    /** The deadline being put in handle order: its handles so far, those without one, and what is left to sort. */
    private static final byte CHAIN_ORDERING = 3;
    /** Registrations put in handle order per unit of a closing budget. */
    static final int ORDER_PER_UNIT = 256;

    /** Registrations per chunk. */
    static final int CHUNK = 8;
    /** A deadline with at least this many registrations is closed in handle order (see the class comment). */
    static final int ORDERED_MIN = 4096;
    /** Handles closing in handle order takes from its bitmap at a time, and loads ahead of visiting them. */
    private static final int BATCH = 8;

    // the chunks: CHUNK registrations (key, handle), how many are filled, the next chunk of the chain;
    // free chunks chained through next
    private long[] regKey = new long[1024 * CHUNK];
    private long[] regHandle = new long[1024 * CHUNK];
    private int[] nodeFill = new int[1024];
    private int[] nodeNext = new int[1024];
    private int freeNode = NONE;
    private int nodes;
    private int registrations;

    // the wheel: deadline d lives in slot d & WHEEL_MASK while cursor <= d < cursor + WHEEL_SLOTS
    private final int[] wheelHead = new int[WHEEL_SLOTS];
    private final int[] wheelTail = new int[WHEEL_SLOTS];
    private final long[] wheelUsed = new long[WHEEL_SLOTS / 64];
    private long cursor = Long.MIN_VALUE;
    private int wheelChains;

    // the overflow: a min-heap of deadlines, each with its chain (head << 32 | tail)
    private final Long2LongHashMap overflowChains = new Long2LongHashMap(NONE);
    private long[] heap = new long[64];
    private int size;

    // the chain being closed: detached from where it lived, visited node by node
    private int consumed;
    private long drainingDeadline;
    private int drainingNode = NONE;
    private int drainingIndex;
    private long prefetched;

    // closing one deadline in handle order: its handles in a bitmap, taken a batch at a time (the batch being visited,
    // and the next one, loading); registrations without a usable handle wait in the draining chain, visited after
    private final int handleCapacity;
    private final ArmedKey keys;
    private final long[] orderedBits;
    private int orderedWord;
    private int orderedLeft;
    private final long[] batch = new long[BATCH];
    private int batchHead;
    private int batchSize;
    private final long[] ahead = new long[BATCH];
    private int aheadSize;
    // putting a deadline's chain in handle order, a slice at a time: where in the chain, and the chain of those
    // registrations without a usable handle, built as it goes
    private boolean ordering;
    private int orderingNode = NONE;
    private int orderingIndex;
    private int leftHead = NONE;
    private int leftTail = NONE;
    // reading a snapshot: over its bytes, and the tail of the chain read last
    private final UnsafeBuffer chainView = new UnsafeBuffer(0, 0);
    private int readTail;

    WindowTimers()
    {
        this(0, null);
    }

    /**
     * @param handleCapacity handles are below it (0: registrations are always closed in the order they were armed).
     * @param keys           tells the key behind a handle, when closing in handle order.
     */
    WindowTimers(final int handleCapacity, final ArmedKey keys)
    {
        Arrays.fill(wheelHead, NONE);
        Arrays.fill(wheelTail, NONE);
        this.handleCapacity = handleCapacity;
        this.keys = keys;
        this.orderedBits = new long[(handleCapacity + 63) >>> 6];
    }

    /**
     * @return the largest window end that closes under {@code watermark} with {@code allowedLatenessMs}: end plus the
     * lateness at or below the watermark, without wrapping; {@link Long#MAX_VALUE} (the end of input) closes all.
     */
    static long closeLimit(final long watermark, final long allowedLatenessMs)
    {
        if (watermark == Long.MAX_VALUE)
        {
            return Long.MAX_VALUE;
        }
        return watermark < Long.MIN_VALUE + allowedLatenessMs ? Long.MIN_VALUE : watermark - allowedLatenessMs;
    }

    /**
     * Registers the key's one pending timer at {@code deadline}. The caller keeps the armed deadline with the key's
     * state; an earlier registration left behind by re-arming is skipped by the visit, which finds another deadline there.
     */
    void arm(final long key, final long deadline)
    {
        arm(key, -1, deadline);
    }

    /**
     * @param handle where the key's state is (given back to the visit), or -1.
     */
    void arm(final long key, final long handle, final long deadline)
    {
        if (cursor == Long.MIN_VALUE && deadline != Long.MIN_VALUE)
        {
            cursor = deadline;
        }
        arm(key, handle, deadline, inWheel(deadline));
    }

    private void arm(final long key, final long handle, final long deadline, final boolean wheel)
    {
        if (wheel)
        {
            final int slot = (int)(deadline & WHEEL_MASK);
            final int tail = wheelTail[slot];
            if (tail == NONE)
            {
                final int node = newNode();
                wheelHead[slot] = node;
                wheelTail[slot] = node;
                wheelUsed[slot >>> 6] |= 1L << slot;
                wheelChains++;
                append(node, key, handle);
            }
            else
            {
                wheelTail[slot] = appendTo(tail, key, handle);
            }
        }
        else
        {
            final long chain = overflowChains.get(deadline);
            if (chain == NONE)
            {
                final int node = newNode();
                overflowChains.put(deadline, ((long)node << 32) | node);
                push(deadline);
                append(node, key, handle);
            }
            else
            {
                final int tail = appendTo((int)chain, key, handle);
                overflowChains.put(deadline, (chain & 0xFFFF_FFFF_0000_0000L) | tail);
            }
        }
    }

    /**
     * Appends to a chain's tail chunk, or to a new chunk after it if it is full.
     *
     * @return the chain's tail chunk after it.
     */
    private int appendTo(final int tail, final long key, final long handle)
    {
        if (nodeFill[tail] < CHUNK)
        {
            append(tail, key, handle);
            return tail;
        }
        final int node = newNode();
        nodeNext[tail] = node;
        append(node, key, handle);
        return node;
    }

    private void append(final int node, final long key, final long handle)
    {
        final int at = node * CHUNK + nodeFill[node]++;
        regKey[at] = key;
        regHandle[at] = handle;
        registrations++;
    }

    private boolean inWheel(final long deadline)
    {
        // unsigned: deadline - cursor cannot wrap once deadline >= cursor
        return cursor != Long.MIN_VALUE && deadline >= cursor && Long.compareUnsigned(deadline - cursor, WHEEL_SLOTS) < 0;
    }

    /**
     * Takes every deadline at or below {@code limit}, earliest first, and visits each key registered there in the order
     * it was armed.
     *
     * @return how many keys were visited (stale registrations not counted).
     */
    int closeArmed(final long limit, final ArmedKey visit)
    {
        return closeArmed(limit, visit, Integer.MAX_VALUE);
    }

    /**
     * As {@link #closeArmed(long, ArmedKey)}, but stops after {@code budget} registrations (stale ones included: each
     * costs a look-up); the next call goes on where this one stopped.
     *
     * @return how many keys were visited (stale registrations not counted).
     */
    int closeArmed(final long limit, final ArmedKey visit, final int budget)
    {
        int visited = 0;
        int left = budget;
        try
        {
            while (left > 0)
            {
                if (!draining() && !takeNextDue(limit))
                {
                    break;
                }
                if (ordering)
                {
                    left -= orderSome(left);
                    continue;
                }
                while (orderedPending() && left > 0)
                {
                    if (batchHead == batchSize)
                    {
                        refillBatch();
                    }
                    final long handle = batch[batchHead++];
                    left--;
                    registrations--;
                    if (visit.onDue(keys.keyOf(handle), handle, drainingDeadline, limit))
                    {
                        visited++;
                    }
                }
                while (!orderedPending() && drainingNode != NONE && left > 0)
                {
                    final int node = drainingNode;
                    final int fill = nodeFill[node];
                    final int base = node * CHUNK;
                    if (drainingIndex == 0)
                    {
                        long sum = 0;
                        for (int i = 0; i < fill; i++)
                        {
                            sum += visit.prefetch(regKey[base + i], regHandle[base + i]);
                        }
                        prefetched += sum;
                    }
                    while (drainingIndex < fill && left > 0)
                    {
                        final int at = base + drainingIndex++;
                        left--;
                        registrations--;
                        if (visit.onDue(regKey[at], regHandle[at], drainingDeadline, limit))
                        {
                            visited++;
                        }
                    }
                    if (drainingIndex == fill)
                    {
                        drainingNode = nodeNext[node];
                        drainingIndex = 0;
                        freeNode(node);
                    }
                }
            }
        }
        finally
        {
            consumed = budget - left;   // a visit that threw counts: its registration is gone
        }
        return visited;
    }

    /**
     * @return registrations the last {@link #closeArmed} call went through (stale ones included).
     */
    int consumed()
    {
        return consumed;
    }

    private boolean draining()
    {
        return ordering || drainingNode != NONE || orderedPending();
    }

    private boolean orderedPending()
    {
        return batchHead < batchSize || aheadSize > 0 || orderedLeft > 0;
    }

    /**
     * Moves the batch loaded ahead into the batch to visit (loading, now that their entries are on the way, what their
     * keys lead to), and takes the next batch from the bitmap, loading it.
     */
    private void refillBatch()
    {
        long sum = 0;
        if (aheadSize == 0)
        {
            aheadSize = takeHandles(ahead);
            for (int i = 0; i < aheadSize; i++)
            {
                sum += keys.prefetchHandle(ahead[i]);
            }
        }
        System.arraycopy(ahead, 0, batch, 0, aheadSize);
        batchSize = aheadSize;
        batchHead = 0;
        for (int i = 0; i < batchSize; i++)
        {
            sum += keys.prefetch(keys.keyOf(batch[i]), batch[i]);
        }
        aheadSize = takeHandles(ahead);
        for (int i = 0; i < aheadSize; i++)
        {
            sum += keys.prefetchHandle(ahead[i]);
        }
        prefetched += sum;
    }

    /**
     * Takes up to a batch of the lowest handles left in the bitmap, clearing them.
     *
     * @return how many.
     */
    private int takeHandles(final long[] into)
    {
        int taken = 0;
        while (taken < into.length && orderedLeft > 0)
        {
            long word = orderedBits[orderedWord];
            if (word == 0)
            {
                orderedWord++;
                continue;
            }
            final int bit = Long.numberOfTrailingZeros(word);
            into[taken++] = ((long)orderedWord << 6) + bit;
            word &= word - 1;
            orderedBits[orderedWord] = word;
            orderedLeft--;
        }
        return taken;
    }

    /**
     * A large chain just detached for draining is put in handle order: its registrations will be visited in handle
     * order (a handle registered twice, once), which reads the keys' state in address order instead of at random. It
     * goes into the bitmap a slice at a time ({@link #orderSome}, {@value #ORDER_PER_UNIT} registrations a unit of the
     * budget): a minute boundary's million registrations are no stall either. Those without a usable handle are
     * visited after, in the order armed.
     */
    private void startOrdering()
    {
        int length = 0;
        for (int node = drainingNode; node != NONE && length < ORDERED_MIN; node = nodeNext[node])
        {
            length += nodeFill[node];
        }
        if (length < ORDERED_MIN)
        {
            return;
        }
        ordering = true;
        orderingNode = drainingNode;
        orderingIndex = drainingIndex;
        drainingNode = NONE;
        drainingIndex = 0;
        leftHead = NONE;
        leftTail = NONE;
        orderedWord = orderedBits.length;
    }

    /**
     * Puts up to {@code budget} units of the chain being ordered into the bitmap.
     *
     * @return the units used (at least 1).
     */
    private int orderSome(final int budget)
    {
        final long most = (long)budget * ORDER_PER_UNIT;
        long done = 0;
        while (orderingNode != NONE && done < most)
        {
            final int node = orderingNode;
            final int base = node * CHUNK;
            final int fill = nodeFill[node];
            while (orderingIndex < fill && done < most)
            {
                final int at = base + orderingIndex++;
                orderOne(regKey[at], regHandle[at]);
                done++;
            }
            if (orderingIndex == fill)
            {
                orderingNode = nodeNext[node];
                orderingIndex = 0;
                freeNode(node);
            }
        }
        if (orderingNode == NONE)
        {
            ordering = false;
            if (orderedWord == orderedBits.length)
            {
                orderedWord = 0;
            }
            drainingNode = leftHead;
            drainingIndex = 0;
            leftHead = NONE;
            leftTail = NONE;
        }
        return (int)Math.max(1, (done + ORDER_PER_UNIT - 1) / ORDER_PER_UNIT);
    }

    private void orderOne(final long key, final long handle)
    {
        registrations--;
        if (handle >= 0 && handle < handleCapacity)
        {
            final int word = (int)(handle >>> 6);
            final long bit = 1L << handle;
            if ((orderedBits[word] & bit) == 0)
            {
                orderedBits[word] |= bit;
                orderedLeft++;
                registrations++;
                orderedWord = Math.min(orderedWord, word);
            }
        }
        else if (leftTail == NONE)
        {
            leftHead = newNode();
            append(leftHead, key, handle);
            leftTail = leftHead;
        }
        else
        {
            leftTail = appendTo(leftTail, key, handle);
        }
    }

    /**
     * Detaches the earliest chain due at or below {@code limit} for draining, and moves the wheel's cursor past what has
     * come due.
     *
     * @return false if nothing is due.
     */
    private boolean takeNextDue(final long limit)
    {
        final long wheelNext = nextWheelDeadline(limit);
        final long overflowNext = size > 0 && heap[0] <= limit ? heap[0] : Long.MAX_VALUE;
        if (overflowNext != Long.MAX_VALUE && overflowNext <= wheelNext)
        {
            pop();
            drainingDeadline = overflowNext;
            drainingNode = (int)(overflowChains.remove(overflowNext) >>> 32);
            drainingIndex = 0;
            if (handleCapacity > 0)
            {
                startOrdering();
            }
            return true;
        }
        if (wheelNext != Long.MAX_VALUE)
        {
            final int slot = (int)(wheelNext & WHEEL_MASK);
            drainingDeadline = wheelNext;
            drainingNode = wheelHead[slot];
            drainingIndex = 0;
            wheelHead[slot] = NONE;
            wheelTail[slot] = NONE;
            wheelUsed[slot >>> 6] &= ~(1L << slot);
            wheelChains--;
            cursor = wheelNext + 1;
            if (handleCapacity > 0)
            {
                startOrdering();
            }
            return true;
        }
        if (limit != Long.MAX_VALUE && limit >= cursor && cursor != Long.MIN_VALUE)
        {
            cursor = limit + 1; // every wheel deadline up to the limit is done: the horizon moves on
        }
        return false;
    }

    /**
     * @return the earliest deadline in the wheel at or below {@code limit}, or {@link Long#MAX_VALUE}.
     */
    private long nextWheelDeadline(final long limit)
    {
        if (wheelChains == 0 || limit < cursor)
        {
            return Long.MAX_VALUE;
        }
        final long last = Long.compareUnsigned(limit - cursor, WHEEL_SLOTS) >= 0 ? cursor + WHEEL_SLOTS - 1 : limit;
        long at = cursor;
        while (at <= last)
        {
            final int slot = (int)(at & WHEEL_MASK);
            final long word = wheelUsed[slot >>> 6] >>> (slot & 63);
            if (word != 0)
            {
                final long found = at + Long.numberOfTrailingZeros(word);
                return found <= last ? found : Long.MAX_VALUE;
            }
            at += 64 - (slot & 63);
        }
        return Long.MAX_VALUE;
    }

    /**
     * @return the earliest deadline with registrations at or below {@code limit}, when {@link #due(long)} says there is
     * one and no chain is half closed: {@link #closeArmed(long, ArmedKey)} with it as the limit then takes exactly that
     * deadline's registrations (what {@link DeadlineQueue} sorts before visiting). Changes nothing.
     */
    long nextDeadline(final long limit)
    {
        final long overflowNext = size > 0 && heap[0] <= limit ? heap[0] : Long.MAX_VALUE;
        return Math.min(overflowNext, nextWheelDeadline(limit));
    }

    /**
     * @return whether a registration at or below {@code limit} waits for {@link #closeArmed}.
     */
    boolean due(final long limit)
    {
        return draining() || (size > 0 && heap[0] <= limit) || nextWheelDeadline(limit) != Long.MAX_VALUE;
    }

    /**
     * Writes every registration, in order: the wheel's cursor, the chain being closed (what is left of it), then every
     * other chain with where it lives.
     */
    void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeLong(cursor);
        out.writeInt((draining() ? 1 : 0) + size + wheelChains);
        if (ordering)
        {
            writeOrderingChain(out);
        }
        else if (orderedPending())
        {
            writeOrderedChain(out);
        }
        else if (drainingNode != NONE)
        {
            writeChain(out, CHAIN_DRAINING, drainingDeadline, drainingNode, drainingIndex);
        }
        for (int i = 0; i < size; i++)
        {
            writeChain(out, CHAIN_OVERFLOW, heap[i], (int)(overflowChains.get(heap[i]) >>> 32), 0);
        }
        for (int word = 0; word < wheelUsed.length; word++)
        {
            for (long bits = wheelUsed[word]; bits != 0; bits &= bits - 1)
            {
                final int slot = word * 64 + Long.numberOfTrailingZeros(bits);
                final long deadline = cursor + ((slot - cursor) & WHEEL_MASK);
                writeChain(out, CHAIN_WHEEL, deadline, wheelHead[slot], 0);
            }
        }
    }

    /**
     * Writes the deadline being closed in handle order as the chain it will be visited as: the handles left in that
     * order (each with the key behind it now), then the chain of those without a usable handle. A restored instance
     * visits it as a chain, in the same order, a registration a unit of the budget as here.
     */
    private void writeOrderedChain(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeInt(CHAIN_DRAINING);
        out.writeLong(drainingDeadline);
        out.writeInt((batchSize - batchHead) + aheadSize + orderedLeft + chainCount(drainingNode, drainingIndex));
        for (int i = batchHead; i < batchSize; i++)
        {
            writeHandle(out, batch[i]);
        }
        for (int i = 0; i < aheadSize; i++)
        {
            writeHandle(out, ahead[i]);
        }
        writeBitmapHandles(out);
        writeRegistrations(out, drainingNode, drainingIndex);
    }

    /**
     * Writes the deadline being put in handle order as it stands: the handles in the bitmap so far (in order), the
     * chain of those without a usable handle, and the rest of the chain, still to order. A restored instance goes on
     * ordering the rest, a unit of the budget per {@value #ORDER_PER_UNIT} as here.
     */
    private void writeOrderingChain(final SnapshotWriter out) throws java.io.IOException
    {
        out.writeInt(CHAIN_ORDERING);
        out.writeLong(drainingDeadline);
        out.writeInt(orderedLeft);
        writeBitmapHandles(out);
        out.writeInt(chainCount(leftHead, 0));
        writeRegistrations(out, leftHead, 0);
        out.writeInt(chainCount(orderingNode, orderingIndex));
        writeRegistrations(out, orderingNode, orderingIndex);
    }

    private void writeBitmapHandles(final SnapshotWriter out) throws java.io.IOException
    {
        int left = orderedLeft;
        for (int word = orderedWord; left > 0; word++)
        {
            for (long bits = orderedBits[word]; bits != 0; bits &= bits - 1)
            {
                writeHandle(out, ((long)word << 6) + Long.numberOfTrailingZeros(bits));
                left--;
            }
        }
    }

    private void writeHandle(final SnapshotWriter out, final long handle) throws java.io.IOException
    {
        out.writeLong(keys.keyOf(handle));
        out.writeLong(handle);
    }

    private void writeChain(final SnapshotWriter out, final byte where, final long deadline, final int head, final int from)
        throws java.io.IOException
    {
        out.writeInt(where);
        out.writeLong(deadline);
        out.writeInt(chainCount(head, from));
        writeRegistrations(out, head, from);
    }

    /**
     * @return registrations in the chain from {@code head}, less the first {@code from}.
     */
    private int chainCount(final int head, final int from)
    {
        int count = -from;
        for (int node = head; node != NONE; node = nodeNext[node])
        {
            count += nodeFill[node];
        }
        return count;
    }

    private void writeRegistrations(final SnapshotWriter out, final int head, final int from) throws java.io.IOException
    {
        int index = from;
        for (int node = head; node != NONE; node = nodeNext[node])
        {
            for (; index < nodeFill[node]; index++)
            {
                out.writeLong(regKey[node * CHUNK + index]);
                out.writeLong(regHandle[node * CHUNK + index]);
            }
            index = 0;
        }
    }

    /**
     * Replaces every registration with those of {@link #writeSnapshot}: a restored instance closes in the same order.
     */
    void readSnapshot(final SnapshotReader in)
    {
        if (ends() != 0)
        {
            throw new IllegalStateException("read timers into a fresh instance");
        }
        cursor = in.readLong();
        final int chains = in.readInt();
        if (chains < 0 || chains * 16L > in.remaining())
        {
            throw new SnapshotCorruptedException("the snapshot says " + chains + " timer deadlines but holds " + in.remaining() + " bytes");
        }
        for (int c = 0; c < chains; c++)
        {
            final int where = in.readInt();
            final long deadline = in.readLong();
            if (where == CHAIN_ORDERING && c == 0)
            {
                readOrderingChain(in, deadline);
                continue;
            }
            final int count = in.readInt();
            if (where < CHAIN_OVERFLOW || where > CHAIN_DRAINING || count < 1 || count * 16L > in.remaining() ||
                (where == CHAIN_WHEEL) != inWheel(deadline) || (where == CHAIN_DRAINING && c != 0))
            {
                throw new SnapshotCorruptedException("the snapshot's timers at " + deadline + " (kind " + where + ") say " + count +
                    " keys and it holds " + in.remaining() + " bytes");
            }
            if (where == CHAIN_DRAINING)
            {
                drainingDeadline = deadline;
                drainingIndex = 0;
                drainingNode = readChain(in, count);
            }
            else if (where == CHAIN_WHEEL && wheelTail[(int)(deadline & WHEEL_MASK)] == NONE)
            {
                final int slot = (int)(deadline & WHEEL_MASK);
                wheelHead[slot] = readChain(in, count);
                wheelTail[slot] = readTail;
                wheelUsed[slot >>> 6] |= 1L << slot;
                wheelChains++;
            }
            else if (where == CHAIN_OVERFLOW && overflowChains.get(deadline) == NONE)
            {
                final int head = readChain(in, count);
                overflowChains.put(deadline, ((long)head << 32) | readTail);
                push(deadline);
            }
            else
            {
                for (int i = 0; i < count; i++)   // a deadline twice: appended to its chain, as armed
                {
                    final long key = in.readLong();
                    arm(key, in.readLong(), deadline, where == CHAIN_WHEEL);
                }
            }
        }
    }

    /**
     * Reads {@code count} registrations (key and handle each) into a new chain of full chunks, a chunk's worth at a
     * time from the snapshot's bytes in place.
     *
     * @return the chain's head chunk (its tail in {@link #readTail}).
     */
    private int readChain(final SnapshotReader in, final int count)
    {
        final int head = newNode();
        int node = head;
        for (int left = count; ; )
        {
            final int n = Math.min(CHUNK, left);
            in.readView(chainView, n * 16);
            final long from = chainView.addressOffset();
            final int base = node * CHUNK;
            for (int i = 0; i < n; i++)
            {
                regKey[base + i] = UnsafeApi.getLong(from + i * 16L);
                regHandle[base + i] = UnsafeApi.getLong(from + i * 16L + 8);
            }
            nodeFill[node] = n;
            left -= n;
            if (left == 0)
            {
                break;
            }
            final int next = newNode();
            nodeNext[node] = next;
            node = next;
        }
        registrations += count;
        readTail = node;
        return head;
    }

    private void readOrderingChain(final SnapshotReader in, final long deadline)
    {
        if (handleCapacity == 0)
        {
            throw new SnapshotCorruptedException("the snapshot's timers at " + deadline + " were being put in handle order; these " +
                "timers have no handles");
        }
        drainingDeadline = deadline;
        ordering = true;
        orderedWord = orderedBits.length;
        final int ordered = readCount(in, deadline);
        for (int i = 0; i < ordered; i++)
        {
            in.readLong();   // the key: the visit reads it behind the handle
            final long handle = in.readLong();
            if (handle < 0 || handle >= handleCapacity)
            {
                throw new SnapshotCorruptedException("the snapshot's timers at " + deadline + " hold handle " + handle + " beyond " +
                    handleCapacity);
            }
            registrations++;
            orderOne(0, handle);
        }
        final int without = readCount(in, deadline);
        for (int i = 0; i < without; i++)
        {
            final long key = in.readLong();
            registrations++;
            orderOne(key, in.readLong());
        }
        final int rest = readCount(in, deadline);
        if (rest < 1)
        {
            throw new SnapshotCorruptedException("the snapshot's timers at " + deadline + " were being put in handle order with " +
                "nothing left to order");
        }
        orderingNode = NONE;
        orderingIndex = 0;
        int tail = NONE;
        for (int i = 0; i < rest; i++)
        {
            final long key = in.readLong();
            final long handle = in.readLong();
            if (tail == NONE)
            {
                orderingNode = newNode();
                tail = orderingNode;
                append(tail, key, handle);
            }
            else
            {
                tail = appendTo(tail, key, handle);
            }
        }
    }

    private static int readCount(final SnapshotReader in, final long deadline)
    {
        final int count = in.readInt();
        if (count < 0 || count * 16L > in.remaining())
        {
            throw new SnapshotCorruptedException("the snapshot's timers at " + deadline + " say " + count + " keys and it holds " +
                in.remaining() + " bytes");
        }
        return count;
    }

    private int newNode()
    {
        final int node;
        if (freeNode != NONE)
        {
            node = freeNode;
            freeNode = nodeNext[node];
        }
        else
        {
            if (nodes == nodeFill.length)
            {
                regKey = Arrays.copyOf(regKey, nodes * 2 * CHUNK);
                regHandle = Arrays.copyOf(regHandle, nodes * 2 * CHUNK);
                nodeFill = Arrays.copyOf(nodeFill, nodes * 2);
                nodeNext = Arrays.copyOf(nodeNext, nodes * 2);
            }
            node = nodes++;
        }
        nodeFill[node] = 0;
        nodeNext[node] = NONE;
        return node;
    }

    private void freeNode(final int node)
    {
        nodeNext[node] = freeNode;
        freeNode = node;
    }

    /**
     * @return chunks taken from the slab so far (its peak).
     */
    int nodes()
    {
        return nodes;
    }

    /**
     * @return registrations pending, stale ones included.
     */
    int registrations()
    {
        return registrations;
    }

    /**
     * @return what the prefetches read (kept so that the JIT keeps the loads).
     */
    long prefetched()
    {
        return prefetched;
    }

    /**
     * @return deadlines with registrations (the one being closed included).
     */
    int ends()
    {
        return size + wheelChains + (draining() ? 1 : 0);
    }

    private void push(final long end)
    {
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        heap[i] = end;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (heap[parent] <= heap[i])
            {
                break;
            }
            final long swap = heap[parent];
            heap[parent] = heap[i];
            heap[i] = swap;
            i = parent;
        }
    }

    private long pop()
    {
        final long top = heap[0];
        heap[0] = heap[--size];
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            final int right = left + 1;
            int smallest = i;
            if (left < size && heap[left] < heap[smallest])
            {
                smallest = left;
            }
            if (right < size && heap[right] < heap[smallest])
            {
                smallest = right;
            }
            if (smallest == i)
            {
                break;
            }
            final long swap = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = swap;
            i = smallest;
        }
        return top;
    }
}
