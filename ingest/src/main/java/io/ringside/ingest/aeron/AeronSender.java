package io.ringside.ingest.aeron;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringside.ingest.aeron.AeronMessageDescriptor.ACK;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.ACKED_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.ACK_LENGTH;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.BYTE_ORDER;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.DATA;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.DEAD_LETTER;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.END;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.EPOCH_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.EXPECTED_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.HEADER_LENGTH;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.HELLO;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.REASON_LENGTH_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.REASON_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.RESEND_REQUEST_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.SENDER_ID_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.SEQUENCE_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.TYPE_OFFSET;

/**
 * The sender side of {@link AeronIngress}, for a gateway to embed: numbers its events, sends them, keeps each one until
 * the engine acknowledges that its journal holds it durably, and sends again what a crash or a gap lost.
 * <ul>
 * <li><b>Resume.</b> {@link #awaitResume} asks the engine where this sender id stands and returns the first sequence to
 * send: the one after the last the engine holds durably. A restarted gateway starts its events from there (it must be
 * able to produce them again); the engine drops any it took already.</li>
 * <li><b>Bounded.</b> At most {@code capacity} unacknowledged events are kept, each in a slot of its own (copied once,
 * sent from there); {@link #offer} returns {@link #BUFFER_FULL} beyond, and the caller calls {@link #doWork()} until
 * acknowledgements free room. Nothing allocates per event.</li>
 * <li><b>Resend.</b> When an acknowledgement carries a new epoch (the engine restarted) or a new resend request (it saw
 * a gap), the sender goes back to the sequence the engine expects. Without an acknowledgement that moves for
 * {@code helloIntervalMs} while events are outstanding, it sends a HELLO so a restarted engine learns of it.</li>
 * <li><b>Back pressure.</b> A back-pressured or unconnected publication leaves events in the buffer, counted; they go
 * out on a later {@link #doWork()}.</li>
 * </ul>
 * <b>Thread:</b> one thread does everything (it is not thread-safe); {@link #close()} from that thread.
 */
public final class AeronSender implements AutoCloseable
{
    /** {@link #offer}: the buffer holds {@code capacity} unacknowledged events. */
    public static final long BUFFER_FULL = -1;
    private static final int SENDS_PER_WORK = 256;

    /**
     * Told of an event the engine refused (dead-lettered). Sender thread.
     */
    @FunctionalInterface
    public interface DeadLetterHandler
    {
        /**
         * @param buffer the refused message from its header ({@link AeronMessageDescriptor#HEADER_LENGTH}).
         */
        void onDeadLetter(long sequence, String reason, DirectBuffer buffer, int offset, int length);
    }

    private final int senderId;
    private final int capacity;
    private final int mask;
    private final int slotLength;
    private final int maxEventLength;
    private final UnsafeBuffer slots;
    private final UnsafeBuffer hello = new UnsafeBuffer(new byte[HEADER_LENGTH]);
    private final ExclusivePublication publication;
    private final Subscription acks;
    private final FragmentHandler ackHandler = new FragmentAssembler(this::onBackChannel);
    private final long helloIntervalNs;
    private DeadLetterHandler deadLetterHandler;
    private long acked = -1;
    private long next = -1;
    private long nextToSend;
    private long epoch = Long.MIN_VALUE;
    private long resendRequest = Long.MIN_VALUE;
    private boolean resumed;
    private boolean ackSeen;
    private long expectedAtResume = -1;
    private long lastProgressNs;
    private long lastHelloNs;
    private boolean wasConnected;
    private long backPressured;
    private long notConnected;
    private long rewinds;
    private long resent;
    private long deadLetters;
    private long sentHighWater = -1;

    /**
     * @param senderId       this sender's id, stable across its restarts (the engine resumes it by this id), 0 or more.
     * @param capacity       unacknowledged events kept, a power of two.
     * @param maxEventLength the longest event.
     */
    public AeronSender(final Aeron aeron, final String channel, final int streamId, final String ackChannel, final int ackStreamId,
        final int senderId, final int capacity, final int maxEventLength)
    {
        this(aeron, channel, streamId, ackChannel, ackStreamId, senderId, capacity, maxEventLength, 200);
    }

    /**
     * @param helloIntervalMs how long outstanding events may go without a moving acknowledgement before a HELLO.
     */
    public AeronSender(final Aeron aeron, final String channel, final int streamId, final String ackChannel, final int ackStreamId,
        final int senderId, final int capacity, final int maxEventLength, final long helloIntervalMs)
    {
        if (senderId < 0)
        {
            throw new IllegalArgumentException("a sender id is 0 or more, was " + senderId);
        }
        if (!BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        this.senderId = senderId;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxEventLength = maxEventLength;
        this.slotLength = BitUtil.align(4 + HEADER_LENGTH + maxEventLength, 8);
        this.slots = new UnsafeBuffer(ByteBuffer.allocateDirect(slotLength * capacity));
        this.helloIntervalNs = TimeUnit.MILLISECONDS.toNanos(helloIntervalMs);
        hello.putInt(TYPE_OFFSET, HELLO, BYTE_ORDER);
        hello.putInt(SENDER_ID_OFFSET, senderId, BYTE_ORDER);
        Subscription sub = null;
        try
        {
            sub = aeron.addSubscription(ackChannel, ackStreamId);
            this.publication = aeron.addExclusivePublication(channel, streamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(sub);
            throw ex;
        }
        this.acks = sub;
    }

    public AeronSender deadLetterHandler(final DeadLetterHandler handler)
    {
        this.deadLetterHandler = handler;
        return this;
    }

    /**
     * Asks the engine where this sender stands (HELLO, then its acknowledgement), doing the sender's work meanwhile.
     *
     * @return the first sequence to send: every one below is durable in the engine's journal.
     * @throws IllegalStateException if no engine answered within the timeout.
     */
    public long awaitResume(final long timeoutMs, final IdleStrategy idle)
    {
        if (resumed)
        {
            return next;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        idle.reset();
        while (!ackSeen)
        {
            final long now = System.nanoTime();
            if (now - deadline > 0)
            {
                throw new IllegalStateException("no engine acknowledged sender " + senderId + " within " + timeoutMs + " ms (is an ingress " +
                    "subscribed, and the back channel connected?)");
            }
            if (publication.isConnected() && now - lastHelloNs > helloIntervalNs)
            {
                sendHello(-1, now);
            }
            idle.idle(acks.poll(ackHandler, 16));
        }
        next = acked + 1;
        nextToSend = next;
        expectedAtResume = next;
        resumed = true;
        lastProgressNs = System.nanoTime();
        return next;
    }

    /**
     * Copies an event into the buffer with the next sequence and sends it (with any earlier still unsent).
     *
     * @return its sequence, or {@link #BUFFER_FULL} (nothing kept: call {@link #doWork()} and offer it again).
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > maxEventLength)
        {
            throw new IllegalArgumentException("an event of " + length + " bytes: this sender takes 0 to " + maxEventLength);
        }
        return append(DATA, buffer, offset, length);
    }

    /**
     * Ends the input (with {@link AeronIngressContext#endOfInputAccepted}): every window of the engine closes once it
     * is journaled. It takes a sequence of its own, acknowledged like an event.
     *
     * @return its sequence, or {@link #BUFFER_FULL}.
     */
    public long endOfInput()
    {
        return append(END, null, 0, 0);
    }

    private long append(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!resumed)
        {
            throw new IllegalStateException("call awaitResume first: the sender does not know where to start");
        }
        if (next - acked > capacity)
        {
            doWork();
            if (next - acked > capacity)
            {
                return BUFFER_FULL;
            }
        }
        final long sequence = next;
        final int slot = (int)(sequence & mask) * slotLength;
        slots.putInt(slot, HEADER_LENGTH + length);
        slots.putInt(slot + 4 + TYPE_OFFSET, type, BYTE_ORDER);
        slots.putInt(slot + 4 + SENDER_ID_OFFSET, senderId, BYTE_ORDER);
        slots.putLong(slot + 4 + SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        if (length > 0)
        {
            slots.putBytes(slot + 4 + HEADER_LENGTH, buffer, offset, length);
        }
        next = sequence + 1;
        sendPending(System.nanoTime());
        return sequence;
    }

    /**
     * Reads acknowledgements and dead letters, sends what is pending, resends what the engine asks for.
     *
     * @return work done (0: the caller may idle).
     */
    public int doWork()
    {
        final long now = System.nanoTime();
        int work = acks.poll(ackHandler, 64);
        if (!resumed)
        {
            return work;
        }
        final boolean connected = publication.isConnected();
        if (connected && (!wasConnected || (nextToSend > acked + 1 && now - lastProgressNs > helloIntervalNs && now - lastHelloNs > helloIntervalNs)))
        {
            // a (re)connected ingress, or one silent about what we sent: tell it where we are
            sendHello(nextToSend, now);
            work++;
        }
        wasConnected = connected;
        work += sendPending(now);
        return work;
    }

    private int sendPending(final long now)
    {
        int sent = 0;
        while (nextToSend < next && sent < SENDS_PER_WORK)
        {
            final int slot = (int)(nextToSend & mask) * slotLength;
            final long result = publication.offer(slots, slot + 4, slots.getInt(slot));
            if (result < 0)
            {
                if (result == Publication.NOT_CONNECTED)
                {
                    notConnected++;
                }
                else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("sender " + senderId + ": the publication can take no more (" + Publication.errorString(result) + ")");
                }
                else
                {
                    backPressured++;
                }
                break;
            }
            if (nextToSend <= sentHighWater)
            {
                resent++;
            }
            else
            {
                sentHighWater = nextToSend;
            }
            nextToSend++;
            sent++;
        }
        return sent;
    }

    private void sendHello(final long sequence, final long now)
    {
        hello.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        if (publication.offer(hello, 0, HEADER_LENGTH) > 0)
        {
            lastHelloNs = now;
        }
    }

    private void onBackChannel(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < HEADER_LENGTH || buffer.getInt(offset + SENDER_ID_OFFSET, BYTE_ORDER) != senderId)
        {
            return;
        }
        final int type = buffer.getInt(offset + TYPE_OFFSET, BYTE_ORDER);
        if (type == ACK && length >= ACK_LENGTH)
        {
            onAck(buffer.getLong(offset + ACKED_OFFSET, BYTE_ORDER), buffer.getLong(offset + EXPECTED_OFFSET, BYTE_ORDER),
                buffer.getLong(offset + EPOCH_OFFSET, BYTE_ORDER), buffer.getLong(offset + RESEND_REQUEST_OFFSET, BYTE_ORDER));
        }
        else if (type == DEAD_LETTER && length >= REASON_OFFSET)
        {
            deadLetters++;
            if (deadLetterHandler != null)
            {
                final int reasonLength = buffer.getInt(offset + REASON_LENGTH_OFFSET, BYTE_ORDER);
                final String reason = buffer.getStringWithoutLengthAscii(offset + REASON_OFFSET, reasonLength);   // rare: allocates
                final int messageOffset = offset + REASON_OFFSET + reasonLength;
                deadLetterHandler.onDeadLetter(buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER), reason, buffer, messageOffset,
                    offset + length - messageOffset);
            }
        }
    }

    private void onAck(final long ackedSequence, final long expected, final long ackEpoch, final long ackResendRequest)
    {
        if (!resumed)
        {
            acked = ackedSequence;
            ackSeen = true;
            epoch = ackEpoch;
            resendRequest = ackResendRequest;
            return;
        }
        final long bounded = Math.min(ackedSequence, next - 1);
        if (bounded > acked)
        {
            acked = bounded;
            lastProgressNs = System.nanoTime();
            if (nextToSend <= acked)
            {
                nextToSend = acked + 1;   // its slots may be reused from now on
            }
        }
        if (ackEpoch != epoch || ackResendRequest != resendRequest)
        {
            epoch = ackEpoch;
            resendRequest = ackResendRequest;
            final long from = Math.max(acked + 1, Math.min(expected, next));
            if (from < nextToSend)
            {
                rewinds++;
                nextToSend = from;
            }
            lastProgressNs = System.nanoTime();
        }
    }

    public int senderId()
    {
        return senderId;
    }

    /**
     * @return the highest sequence the engine holds durably (-1: none).
     */
    public long acked()
    {
        return acked;
    }

    /**
     * @return the sequence the next {@link #offer} gets.
     */
    public long nextSequence()
    {
        return next;
    }

    /**
     * @return events offered and not yet acknowledged.
     */
    public long outstanding()
    {
        return next - acked - 1;
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * @return offers the publication refused for back pressure (a full ring in the engine ends up here).
     */
    public long backPressured()
    {
        return backPressured;
    }

    public long notConnected()
    {
        return notConnected;
    }

    /**
     * @return times the sender went back to resend (an engine restart or a gap).
     */
    public long rewinds()
    {
        return rewinds;
    }

    /**
     * @return events sent again.
     */
    public long resent()
    {
        return resent;
    }

    public long deadLetters()
    {
        return deadLetters;
    }

    public boolean isConnected()
    {
        return publication.isConnected();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publication, acks);
    }
}
