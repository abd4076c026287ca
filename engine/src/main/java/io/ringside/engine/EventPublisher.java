package io.ringside.engine;

import io.ringside.engine.runtime.Doorbell;
import io.ringside.engine.runtime.EngineState;
import io.ringside.engine.runtime.Slot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Publishes events into the engine's ring, for one thread. Copy in with {@link #tryPublish} or
 * {@link #publish}; or claim a slot ({@link #tryClaim}/{@link #claim}), write the event into
 * {@link #buffer()} from 0, set what differs from the defaults ({@link #partition(int)},
 * {@link #sourceOffset(long)}, {@link #timestamp(long)}), then {@link #commit()}. Nothing allocates.
 * <p>
 * Each publisher is one source ({@link Event#sourceId()}): its events carry partition 0 and consecutive
 * source offsets from 0 unless set. The shard of an event is chosen from its key here, once.
 * <p>
 * A new publisher's offsets go on from the last offset the journal holds for its source's partition 0
 * ({@link Engine#journaledOffset}), or from where the source's last closed publisher stopped: a restarted process that
 * publishes with the simple calls resumes its numbering, so {@code journaledOffset(source, 0) + 1} is where to resume.
 * <p>
 * <b>Thread safety:</b> one thread per publisher: the first thread that claims owns it, and another is refused
 * ({@link IllegalStateException}); hand a publisher to another thread only before its first claim. One open publisher
 * per source id; {@link #close()} one to make another for its source. With a multi-producer ring
 * ({@link EngineContext#multiProducer}), any number of publishers may publish at once; with a single-producer ring,
 * only one publisher exists.
 */
public final class EventPublisher implements AutoCloseable
{
    private static final VarHandle OWNER;

    static
    {
        try
        {
            OWNER = MethodHandles.lookup().findVarHandle(EventPublisher.class, "owner", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer<Slot> ring;
    private final EngineState state;
    private final int sourceId;
    private final int shardCount;
    private final int maxEventLength;
    private final Doorbell doorbell;
    private final IdleStrategy fullRing = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    private long nextOffset;
    private long claimed = -1;
    private Slot claimedSlot;
    private long fullCount;
    private long lastSequence = -1;
    private volatile Thread owner;
    private final LongConsumer onClose;
    private volatile boolean closed;
    /** The journal recovered at start holds the end of input: events are refused (another end of input is not). */
    private boolean inputEnded;
    private boolean claimingEnd;

    EventPublisher(final RingBuffer<Slot> ring, final EngineState state, final int sourceId, final int shardCount, final int maxEventLength,
        final Doorbell doorbell)
    {
        this(ring, state, sourceId, shardCount, maxEventLength, doorbell, 0, null);
    }

    /**
     * @param firstOffset the source offset of the first event published without one.
     * @param onClose     told the next offset when the publisher closes (the engine frees the source id), or null.
     */
    EventPublisher(final RingBuffer<Slot> ring, final EngineState state, final int sourceId, final int shardCount, final int maxEventLength,
        final Doorbell doorbell, final long firstOffset, final LongConsumer onClose)
    {
        this.ring = ring;
        this.state = state;
        this.sourceId = sourceId;
        this.shardCount = shardCount;
        this.maxEventLength = maxEventLength;
        this.doorbell = doorbell;
        this.nextOffset = firstOffset;
        this.onClose = onClose;
    }

    /**
     * The engine recovered a journal whose input has ended: this publisher refuses events.
     */
    EventPublisher inputEnded()
    {
        this.inputEnded = true;
        return this;
    }

    /**
     * Frees this publisher's source id for a new publisher, which goes on with its offsets. A claim must not be open.
     * Idempotent. The owning thread, or any once the owner has stopped publishing.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        if (claimed >= 0)
        {
            throw new IllegalStateException("a claim is open: commit it before closing the publisher");
        }
        closed = true;
        if (onClose != null)
        {
            onClose.accept(nextOffset);
        }
    }

    /**
     * The first thread to use this publisher owns it; another is refused, cheaply (a compare per claim).
     */
    private void checkThread()
    {
        final Thread current = Thread.currentThread();
        final Thread bound = owner;
        if (bound != current && (bound != null || !OWNER.compareAndSet(this, (Thread)null, current)))
        {
            throw new IllegalStateException("the publisher of source " + sourceId + " is used by thread '" + owner.getName() +
                "' and was called from '" + current.getName() + "': a publisher is for one thread; give each thread its own " +
                "(Engine.newPublisher) with its own source id");
        }
    }

    /**
     * @return the shard a key belongs to among {@code shardCount}: a 64-bit mix of the key, modulo the count.
     */
    public static int shardOf(final long key, final int shardCount)
    {
        long z = key;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return (int)((z & Long.MAX_VALUE) % shardCount);
    }

    public int sourceId()
    {
        return sourceId;
    }

    /**
     * @return how many times this publisher found the ring full (a try that failed, or a blocking call that had to wait).
     */
    public long fullCount()
    {
        return fullCount;
    }

    /**
     * @return the ring sequence of the last slot this publisher committed, -1 if none: it is journaled once
     * {@link Engine#journaledSequence()} has reached it. Publisher thread.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * Copies an event in, if the ring has room.
     *
     * @return false if the ring is full (nothing was published).
     * @throws IllegalStateException    if the engine is not running, or a claim is open.
     * @throws IllegalArgumentException if the event is longer than {@link EngineContext#maxEventLength()}.
     */
    public boolean tryPublish(final long key, final DirectBuffer src, final int offset, final int length)
    {
        return tryPublish(key, 0, nextOffset, 0L, src, offset, length);
    }

    /**
     * Copies an event in with its partition, source offset and timestamp, if the ring has room.
     *
     * @return false if the ring is full.
     */
    public boolean tryPublish(
        final long key, final int partition, final long sourceOffset, final long timestamp,
        final DirectBuffer src, final int offset, final int length)
    {
        if (!tryClaim(key, length))
        {
            return false;
        }
        claimedSlot.buffer.putBytes(0, src, offset, length);
        claimedSlot.partition = partition;
        claimedSlot.sourceOffset = sourceOffset;
        claimedSlot.timestamp = timestamp;
        commit();
        return true;
    }

    /**
     * Copies an event in, waiting (backing off to short parks) while the ring is full.
     *
     * @throws IllegalStateException if the engine stops while waiting.
     */
    public void publish(final long key, final DirectBuffer src, final int offset, final int length)
    {
        publish(key, 0, nextOffset, 0L, src, offset, length);
    }

    public void publish(
        final long key, final int partition, final long sourceOffset, final long timestamp,
        final DirectBuffer src, final int offset, final int length)
    {
        claim(key, length);
        claimedSlot.buffer.putBytes(0, src, offset, length);
        claimedSlot.partition = partition;
        claimedSlot.sourceOffset = sourceOffset;
        claimedSlot.timestamp = timestamp;
        commit();
    }

    /**
     * Claims a slot for an event of {@code length} bytes, if the ring has room.
     *
     * @return false if the ring is full.
     */
    public boolean tryClaim(final long key, final int length)
    {
        checkClaim(length);
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            fullCount++;
            return false;
        }
        prepare(sequence, SlotType.DATA, key, length);
        return true;
    }

    /**
     * Claims a slot, waiting while the ring is full.
     *
     * @throws IllegalStateException if the engine stops while waiting.
     */
    public void claim(final long key, final int length)
    {
        checkClaim(length);
        boolean waited = false;
        while (true)
        {
            try
            {
                prepare(ring.tryNext(), SlotType.DATA, key, length);
                fullRing.reset();
                return;
            }
            catch (final InsufficientCapacityException ex)
            {
                if (!waited)
                {
                    fullCount++;
                    waited = true;
                }
                fullRing.idle();
                state.checkAcceptingEvents();
            }
        }
    }

    private void checkClaim(final int length)
    {
        checkThread();
        if (closed)
        {
            throw new IllegalStateException("the publisher of source " + sourceId + " is closed");
        }
        if (inputEnded && !claimingEnd)
        {
            throw new EngineException("the input of this engine's journal has ended (EventPublisher.endOfInput was journaled): every " +
                "window is closed, so an event published now would only be late. A new input needs a new engine directory");
        }
        state.checkAcceptingEvents();
        if (claimed >= 0)
        {
            throw new IllegalStateException("a claim is open: commit it first");
        }
        if (length < 0 || length > maxEventLength)
        {
            throw new IllegalArgumentException("event of " + length + " bytes: this engine takes 0 to " + maxEventLength +
                " (EngineContext.maxEventLength)");
        }
    }

    /**
     * Publishes a control event: a rule change (a new threshold, a rule switched on or off) that every shard applies at
     * this point of the stream, live and on replay ({@link ShardHandler#onControl}). It is journaled like an event, with
     * this publisher's source id and its next offset; its key is 0 and it moves no watermark. Waits while the ring is full.
     *
     * @throws IllegalStateException    if the engine stops while waiting, or a claim is open.
     * @throws IllegalArgumentException if it is longer than {@link EngineContext#maxEventLength()}.
     */
    public void publishControl(final DirectBuffer src, final int offset, final int length)
    {
        claim(0, length);
        claimedSlot.type = SlotType.CONTROL;
        claimedSlot.buffer.putBytes(0, src, offset, length);
        commit();
    }

    /**
     * As {@link #publishControl}, if the ring has room.
     *
     * @return false if the ring is full (nothing was published).
     */
    public boolean tryPublishControl(final DirectBuffer src, final int offset, final int length)
    {
        if (!tryClaim(0, length))
        {
            return false;
        }
        claimedSlot.type = SlotType.CONTROL;
        claimedSlot.buffer.putBytes(0, src, offset, length);
        commit();
        return true;
    }

    /**
     * Marks the end of a bounded input: the watermark moves to the end of time, so every open window closes.
     * Waits while the ring is full. Nothing should be published after it.
     */
    public void endOfInput()
    {
        claimingEnd = true;
        try
        {
            claim(0, 0);
        }
        finally
        {
            claimingEnd = false;
        }
        claimedSlot.type = SlotType.SHUTDOWN;
        commit();
    }

    /**
     * Publishes a TICK carrying processing time, if the ring has room. The engine's ticker only.
     *
     * @return false if the ring is full.
     */
    public boolean tryPublishTick(final long timeMs)
    {
        if (claimed >= 0 || !state.acceptsEvents())
        {
            return false;
        }
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
        prepare(sequence, SlotType.TICK, 0, 0);
        claimedSlot.timestamp = timeMs;
        commit();
        return true;
    }

    private void prepare(final long sequence, final int type, final long key, final int length)
    {
        final Slot slot = ring.get(sequence);
        slot.type = type;
        slot.key = key;
        slot.shard = shardCount == 1 ? 0 : shardOf(key, shardCount);
        slot.sourceId = sourceId;
        slot.partition = 0;
        slot.sourceOffset = nextOffset;
        slot.timestamp = 0;
        slot.length = length;
        slot.journalPosition = -1;
        slot.ingressNanoTime = System.nanoTime();
        claimed = sequence;
        claimedSlot = slot;
    }

    /**
     * @return the claimed slot's buffer: write the event from index 0.
     */
    public MutableDirectBuffer buffer()
    {
        return openClaim().mutableBuffer();
    }

    public EventPublisher partition(final int partition)
    {
        openClaim().partition = partition;
        return this;
    }

    public EventPublisher sourceOffset(final long sourceOffset)
    {
        openClaim().sourceOffset = sourceOffset;
        return this;
    }

    public EventPublisher timestamp(final long timestamp)
    {
        openClaim().timestamp = timestamp;
        return this;
    }

    /**
     * Publishes the claimed slot. A claim must always be committed: the ring waits for it.
     */
    public void commit()
    {
        final Slot slot = openClaim();
        nextOffset = slot.sourceOffset + 1;
        final long sequence = claimed;
        claimed = -1;
        claimedSlot = null;
        lastSequence = sequence;
        ring.publish(sequence);
        if (doorbell != null)
        {
            doorbell.ring();
        }
    }

    /**
     * Publishes the claimed slot like {@link #commit()}, but does not wake a sleeping consumer: for a batch of events
     * (a Kafka poll), publish each with this and call {@link #wake()} once after the last. Without the wake a
     * blocking consumer may not see the batch until its next wake-up.
     */
    public void commitQuietly()
    {
        final Slot slot = openClaim();
        nextOffset = slot.sourceOffset + 1;
        final long sequence = claimed;
        claimed = -1;
        claimedSlot = null;
        lastSequence = sequence;
        ring.publish(sequence);
    }

    /**
     * Wakes the ring's consumer if it sleeps (after {@link #commitQuietly()}s); cheap when it does not.
     */
    public void wake()
    {
        if (doorbell != null)
        {
            doorbell.ring();
        }
    }

    private Slot openClaim()
    {
        checkThread();
        if (claimed < 0)
        {
            throw new IllegalStateException("no claim is open: call tryClaim or claim first");
        }
        return claimedSlot;
    }
}
