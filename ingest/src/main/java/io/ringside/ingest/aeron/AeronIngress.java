package io.ringside.ingest.aeron;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineException;
import io.ringside.engine.EventPublisher;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

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
 * Reads events that senders ({@link AeronSender}) publish on an Aeron subscription and publishes them into an engine,
 * exactly once, telling each sender what the journal holds.
 * <ul>
 * <li><b>Hot path.</b> A controlled poll through a {@link ControlledFragmentAssembler}; each {@link AeronMessageDescriptor#DATA}
 * message is checked by the {@link MessageDecoder} and copied into a claimed ring slot with the ingress's source id, the
 * sender's id as the partition (the sender's session: stable across its reconnects, unlike Aeron's session id) and the
 * sender's sequence as the source offset. Nothing allocates per message.</li>
 * <li><b>Back pressure.</b> A full ring makes the handler return {@link Action#ABORT}: Aeron keeps the fragment and
 * the poll stops; the sender's publication fills and its offers are back-pressured. No loss, no buffer of our own.</li>
 * <li><b>Exactly once.</b> Per sender the ingress expects the sequence after the last it took, starting from
 * {@link Engine#journaledOffset}(source, sender) + 1: a message below is a resend already taken and is dropped; one
 * above is a gap (messages lost with a crashed engine, or an image lost) and is dropped too, and the sender is asked
 * to resend from the expected one.</li>
 * <li><b>Acknowledgements.</b> On the back channel each sender is told the highest sequence the journal holds durably
 * ({@link Engine#durableSequence()}), when it moves and every {@link AeronIngressContext#ackIntervalMs}, with the
 * expected sequence, this start's epoch and the resend requests. The acknowledged sequence is followed through two
 * checkpoints, so it advances under continuous load.</li>
 * <li><b>Dead letters.</b> A message the decoder refuses, or of an unknown type, goes back to its sender on the back
 * channel with the reason, and is counted; the stream goes on. It is not acknowledged until a later message is
 * journaled, so after a crash it may be refused (and reported) again.</li>
 * </ul>
 * <b>Threads:</b> an {@link Agent} that {@link #start()} places by {@link AeronIngressContext#placement}: by default on
 * the engine's compact thread where it has one (the events it publishes are journaled and handled in the same duty
 * cycle, with no hand-off; a full ring aborts the fragment as above, so it never waits for its own thread), else (a
 * pipelined engine) on a thread of its own; {@link #placement()} says which. Or driven by the caller's own runner;
 * {@link #close()} from any thread.
 */
public final class AeronIngress implements Agent, AutoCloseable
{
    private static final String UNKNOWN_TYPE = "unknown message type";
    private static final String TOO_SHORT = "message shorter than the 16-byte header";
    private static final String NO_END = "end of input not accepted by this ingress";

    private final AeronIngressContext ctx;
    private final Engine engine;
    private final EventPublisher publisher;
    private final MessageDecoder decoder;
    private final Subscription subscription;
    private final Publication backChannel;
    private final ControlledFragmentAssembler assembler;
    private final Int2ObjectHashMap<SenderSession> sessionsById = new Int2ObjectHashMap<>();
    private final List<SenderSession> sessions = new ArrayList<>();
    private final UnsafeBuffer ack = new UnsafeBuffer(new byte[ACK_LENGTH]);
    private final ExpandableArrayBuffer deadLetter = new ExpandableArrayBuffer(256);
    private final long epoch = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final AtomicCounter publishedCounter;
    private final AtomicCounter duplicatesCounter;
    private final AtomicCounter gapsCounter;
    private final AtomicCounter deadLetteredCounter;
    private final AtomicCounter ringFullCounter;
    private final AtomicCounter acksCounter;
    private int publishedThisPoll;
    private long nowMs;
    private volatile boolean reachedEnd;
    private volatile boolean endAcknowledged;
    private SenderSession endSession;
    private long endSequence;
    private AgentRunner runner;
    /** Running as a duty of the engine's compact thread: it needs no wake, being the consumer. */
    private boolean onEngineThread;
    /** Where {@link #start()} placed it: THREAD or COMPACT; null before. */
    private volatile AeronIngressContext.Placement placement;

    /**
     * Subscribes and opens the back channel on the calling thread.
     *
     * @param engine a started engine; its ring must be multi-producer if anything else publishes into it.
     */
    public AeronIngress(final AeronIngressContext ctx, final Engine engine)
    {
        this.ctx = ctx.conclude();
        this.engine = engine;
        this.decoder = ctx.decoder();
        this.assembler = new ControlledFragmentAssembler(this::onMessage);
        final String name = "aeron " + ctx.channel() + " " + ctx.streamId();
        this.publishedCounter = engine.counters().newCounter(name + " messages published");
        this.duplicatesCounter = engine.counters().newCounter(name + " resent messages dropped");
        this.gapsCounter = engine.counters().newCounter(name + " messages after a gap dropped");
        this.deadLetteredCounter = engine.counters().newCounter(name + " messages dead-lettered");
        this.ringFullCounter = engine.counters().newCounter(name + " aborts (ring full)");
        this.acksCounter = engine.counters().newCounter(name + " acknowledgements sent");
        this.publisher = engine.newPublisher(ctx.sourceId());
        Subscription sub = null;
        try
        {
            sub = ctx.aeron().addSubscription(ctx.channel(), ctx.streamId());
            this.backChannel = ctx.aeron().addPublication(ctx.ackChannel(), ctx.ackStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(sub);
            publisher.close();
            throw ex;
        }
        this.subscription = sub;
        ack.putInt(TYPE_OFFSET, ACK, BYTE_ORDER);
        ack.putLong(EPOCH_OFFSET, epoch, BYTE_ORDER);
    }

    /**
     * Starts the ingress where {@link AeronIngressContext#placement} says: {@link AeronIngressContext.Placement#COMPACT}, as
     * a duty of the engine's compact thread; {@link AeronIngressContext.Placement#THREAD}, on its own thread,
     * {@code ringside-aeron-<stream>}, with the context's idle strategy; {@link AeronIngressContext.Placement#AUTO} (the
     * default), the first where the engine has a compact thread ({@link Engine#runsCompactDuties()}), else the second.
     * {@link #placement()} then says which it took.
     *
     * @return this.
     * @throws IllegalStateException for {@code COMPACT} on an engine without a compact thread (pipelined), on the compact
     *                               thread of an engine that is closing, or if started already; the ingress is then not
     *                               started, and {@link #close()} releases what the constructor opened.
     */
    public AeronIngress start()
    {
        if (placement != null)
        {
            throw new IllegalStateException("the ingress on stream " + ctx.streamId() + " is started already (" + placement + ")");
        }
        final AeronIngressContext.Placement wanted = ctx.placement();
        if (wanted == AeronIngressContext.Placement.COMPACT && !engine.runsCompactDuties())
        {
            throw new IllegalStateException("AeronIngressContext.placement(COMPACT) runs the Aeron ingress on the engine's compact thread, " +
                "and this engine has none (its topology is " + engine.context().topology().name().toLowerCase(Locale.ROOT) + ": the journaler " +
                "and each shard have threads of their own): use placement AUTO (the default: its own thread on such an engine) or THREAD, " +
                "or EngineContext.topology(COMPACT)");
        }
        if (wanted == AeronIngressContext.Placement.COMPACT || wanted == AeronIngressContext.Placement.AUTO && engine.runsCompactDuties())
        {
            onEngineThread = true;
            try
            {
                engine.addCompactDuty(this);
            }
            catch (final RuntimeException ex)
            {
                onEngineThread = false;
                throw ex;
            }
            placement = AeronIngressContext.Placement.COMPACT;
            return this;
        }
        runner = new AgentRunner(ctx.idleStrategy(), error ->
        {
            engine.counters().recordError(error);
            System.err.println("ringside aeron ingress " + ctx.streamId() + ": " + error);
        }, null, this);
        AgentRunner.startOnThread(runner);
        placement = AeronIngressContext.Placement.THREAD;
        return this;
    }

    /**
     * @return where {@link #start()} placed the ingress: {@link AeronIngressContext.Placement#COMPACT} (the engine's
     * compact thread) or {@link AeronIngressContext.Placement#THREAD} (its own); null before. Any thread.
     */
    public AeronIngressContext.Placement placement()
    {
        return placement;
    }

    /**
     * @return where the ingress runs, for a log line: "the engine's compact thread", "its own thread ringside-aeron-STREAM"
     * or "not started". Any thread.
     */
    public String describePlacement()
    {
        final AeronIngressContext.Placement where = placement;
        if (where == null)
        {
            return "not started";
        }
        return (where == AeronIngressContext.Placement.COMPACT ? "the engine's compact thread" : "its own thread " + roleName()) +
            (ctx.placement() == AeronIngressContext.Placement.AUTO ? " (placement auto, " + engine.context().topology().name()
            .toLowerCase(Locale.ROOT) + " topology)" : "");
    }

    @Override
    public String roleName()
    {
        return "ringside-aeron-" + ctx.streamId();
    }

    @Override
    public int doWork()
    {
        nowMs = System.currentTimeMillis();
        publishedThisPoll = 0;
        int work = subscription.controlledPoll(assembler, ctx.fragmentLimit());
        if (publishedThisPoll > 0 && !onEngineThread)
        {
            publisher.wake();   // once per poll: a wake per message would make a sleeping consumer ping-pong with this thread
        }
        work += acknowledge();
        return work;
    }

    private Action onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < HEADER_LENGTH)
        {
            deadLetteredCounter.incrementRelease();
            engine.counters().recordError(new EngineException("aeron ingress " + ctx.streamId() + ": " + TOO_SHORT +
                " (" + length + " bytes, session " + header.sessionId() + "): dropped"));
            return Action.CONTINUE;
        }
        final int type = buffer.getInt(offset + TYPE_OFFSET, BYTE_ORDER);
        final int senderId = buffer.getInt(offset + SENDER_ID_OFFSET, BYTE_ORDER);
        final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER);
        final SenderSession session = session(senderId);
        if (session == null)
        {
            deadLetter(senderId, sequence, "negative sender id", buffer, offset, length);
            return Action.CONTINUE;
        }
        switch (type)
        {
            case DATA:
                return onData(session, sequence, buffer, offset, length);
            case HELLO:
                if (sequence > session.expected)
                {
                    session.requestResend(gapsCounter);
                }
                session.ackDue = true;
                return Action.CONTINUE;
            case END:
                return onEnd(session, sequence, buffer, offset, length);
            default:
                deadLetter(senderId, sequence, UNKNOWN_TYPE, buffer, offset, length);
                return Action.CONTINUE;
        }
    }

    private Action onData(final SenderSession session, final long sequence, final DirectBuffer buffer, final int offset, final int length)
    {
        if (sequence < session.expected)
        {
            duplicatesCounter.incrementRelease();
            return Action.CONTINUE;
        }
        if (sequence > session.expected)
        {
            session.requestResend(gapsCounter);
            return Action.CONTINUE;
        }
        final int eventOffset = offset + HEADER_LENGTH;
        final int eventLength = length - HEADER_LENGTH;
        final String reason = decoder.check(buffer, eventOffset, eventLength);
        if (reason != null)
        {
            deadLetter(session.senderId, sequence, reason, buffer, offset, length);
            session.taken(sequence);
            return Action.CONTINUE;
        }
        if (!publisher.tryClaim(decoder.key(buffer, eventOffset, eventLength), eventLength))
        {
            ringFullCounter.incrementRelease();
            if (!onEngineThread)
            {
                publisher.wake();
            }
            return Action.ABORT;   // Aeron keeps the fragment: the sender's publication takes the back pressure
        }
        publisher.buffer().putBytes(0, buffer, eventOffset, eventLength);
        publisher.partition(session.senderId).sourceOffset(sequence);
        publisher.commitQuietly();
        session.published(sequence, publisher.lastSequence());
        publishedCounter.incrementRelease();
        publishedThisPoll++;
        return Action.CONTINUE;
    }

    private Action onEnd(final SenderSession session, final long sequence, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!ctx.endOfInputAccepted())
        {
            deadLetter(session.senderId, sequence, NO_END, buffer, offset, length);
            return Action.CONTINUE;
        }
        if (sequence != session.expected)
        {
            if (sequence > session.expected)
            {
                session.requestResend(gapsCounter);
            }
            return Action.CONTINUE;
        }
        if (engine.ringFreeSlots() < 1)
        {
            ringFullCounter.incrementRelease();
            return Action.ABORT;
        }
        publisher.endOfInput();
        session.published(sequence, publisher.lastSequence());
        endSession = session;
        endSequence = sequence;
        reachedEnd = true;
        return Action.CONTINUE;
    }

    private SenderSession session(final int senderId)
    {
        if (senderId < 0)
        {
            return null;
        }
        SenderSession session = sessionsById.get(senderId);
        if (session == null)
        {
            // once per sender id (allocates): where the journal stopped for this sender is where it goes on
            session = new SenderSession(senderId, engine.journaledOffset(ctx.sourceId(), senderId));
            sessionsById.put(senderId, session);
            sessions.add(session);
        }
        return session;
    }

    private int acknowledge()
    {
        if (sessions.isEmpty())
        {
            return 0;
        }
        final long durable = engine.durableSequence();
        int work = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final SenderSession session = sessions.get(i);
            session.advance(durable);
            if (session.ackDue || session.acked != session.ackSent || nowMs >= session.nextAckMs)
            {
                ack.putInt(SENDER_ID_OFFSET, session.senderId, BYTE_ORDER);
                ack.putLong(ACKED_OFFSET, session.acked, BYTE_ORDER);
                ack.putLong(EXPECTED_OFFSET, session.expected, BYTE_ORDER);
                ack.putLong(RESEND_REQUEST_OFFSET, session.resendRequests, BYTE_ORDER);
                if (backChannel.offer(ack, 0, ACK_LENGTH) > 0)
                {
                    session.ackSent = session.acked;
                    session.ackDue = false;
                    session.nextAckMs = nowMs + ctx.ackIntervalMs();
                    acksCounter.incrementRelease();
                    work++;
                    if (session == endSession && session.acked >= endSequence)
                    {
                        endAcknowledged = true;
                    }
                }
            }
        }
        return work;
    }

    private void deadLetter(final int senderId, final long sequence, final String reason, final DirectBuffer buffer, final int offset,
        final int length)
    {
        deadLetteredCounter.incrementRelease();
        deadLetter.putInt(TYPE_OFFSET, DEAD_LETTER, BYTE_ORDER);
        deadLetter.putInt(SENDER_ID_OFFSET, senderId, BYTE_ORDER);
        deadLetter.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        final int reasonLength = deadLetter.putStringWithoutLengthAscii(REASON_OFFSET, reason);
        deadLetter.putInt(REASON_LENGTH_OFFSET, reasonLength, BYTE_ORDER);
        deadLetter.putBytes(REASON_OFFSET + reasonLength, buffer, offset, length);
        final int total = REASON_OFFSET + reasonLength + length;
        // rare: a few tries, then counted as an error; the sender still holds the message (unacknowledged)
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final long result = backChannel.offer(deadLetter, 0, total);
            if (result > 0 || result == Publication.NOT_CONNECTED || result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                return;
            }
            Thread.onSpinWait();
        }
        engine.counters().recordError(new EngineException("aeron ingress " + ctx.streamId() + ": the back channel refused the dead letter of " +
            "sender " + senderId + " sequence " + sequence + " (" + reason + ")"));
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietCloseAll(subscription, backChannel);
        publisher.close();   // frees the source id: another ingress may take it over in this engine
    }

    /**
     * @return true once a sender's end of input was published into the engine. Any thread.
     */
    public boolean reachedEnd()
    {
        return reachedEnd;
    }

    /**
     * @return true once the sender of the end of input was told it is durable: the ingress may close. Any thread.
     */
    public boolean endAcknowledged()
    {
        return endAcknowledged;
    }

    /**
     * @return whether a sender's publication is connected to this ingress. Any thread.
     */
    public boolean isConnected()
    {
        return subscription.isConnected();
    }

    public long published()
    {
        return publishedCounter.get();
    }

    public long duplicates()
    {
        return duplicatesCounter.get();
    }

    public long gaps()
    {
        return gapsCounter.get();
    }

    public long deadLettered()
    {
        return deadLetteredCounter.get();
    }

    /**
     * @return how many times a full ring made the ingress leave a message to Aeron (back pressure).
     */
    public long ringFull()
    {
        return ringFullCounter.get();
    }

    /**
     * Stops the thread (or leaves the engine's compact thread) and closes the subscription, the back channel and the
     * engine publisher.
     */
    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
        else
        {
            if (onEngineThread)
            {
                engine.removeCompactDuty(this);
            }
            onClose();
        }
    }

    /**
     * What the ingress knows of one sender. Ingress thread only.
     */
    private static final class SenderSession
    {
        final int senderId;
        /** The next sequence to take. */
        long expected;
        /** The highest sequence durable in the journal, as told. */
        long acked;
        long ackSent = Long.MIN_VALUE;
        long nextAckMs;
        boolean ackDue = true;
        long resendRequests;
        boolean awaitingResend;
        long lastSequence;
        long lastRingSequence = -1;
        /** A checkpoint: once the ring sequence is durable, the sequence is acknowledged. */
        long checkpointSequence = -1;
        long checkpointRingSequence = -1;

        SenderSession(final int senderId, final long journaled)
        {
            this.senderId = senderId;
            this.expected = journaled + 1;
            this.acked = journaled;
            this.lastSequence = journaled;
        }

        void requestResend(final AtomicCounter gaps)
        {
            gaps.incrementRelease();
            if (!awaitingResend)
            {
                awaitingResend = true;
                resendRequests++;
                ackDue = true;
            }
        }

        /** A message taken without a ring slot (dead-lettered): the stream goes on past it. */
        void taken(final long sequence)
        {
            expected = sequence + 1;
            awaitingResend = false;
        }

        void published(final long sequence, final long ringSequence)
        {
            expected = sequence + 1;
            awaitingResend = false;
            lastSequence = sequence;
            lastRingSequence = ringSequence;
        }

        void advance(final long durableSequence)
        {
            if (checkpointRingSequence >= 0 && durableSequence >= checkpointRingSequence)
            {
                acked = checkpointSequence;
                checkpointRingSequence = -1;
            }
            if (checkpointRingSequence < 0 && lastSequence > acked && lastRingSequence >= 0)
            {
                checkpointSequence = lastSequence;
                checkpointRingSequence = lastRingSequence;
            }
        }
    }
}
