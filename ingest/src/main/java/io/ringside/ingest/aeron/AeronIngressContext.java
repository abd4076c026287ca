package io.ringside.ingest.aeron;

import io.aeron.Aeron;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The configuration of one {@link AeronIngress}: the Aeron client, the ingress channel and stream the senders publish
 * on, the back channel and stream the acknowledgements and dead letters go out on, the engine source id, the decoder
 * and where the ingress runs ({@link #placement}: by default on the engine's compact thread where the engine has one,
 * else on a thread of its own with its idle strategy). Validated once by {@link #conclude()}. Not thread-safe: configure,
 * then hand to one ingress.
 * <p>
 * Channels: {@code aeron:ipc} (the default) between processes of one host sharing a media driver, or
 * {@code aeron:udp?endpoint=127.0.0.1:40123} for the ingress and {@code aeron:udp?endpoint=127.0.0.1:40124} for the back
 * channel.
 */
public final class AeronIngressContext
{
    /**
     * Where {@link AeronIngress#start()} runs the ingress.
     */
    public enum Placement
    {
        /**
         * On the engine's compact thread where the engine has one ({@link io.ringside.engine.Engine#runsCompactDuties()}:
         * the compact topology), else on a thread of its own (a pipelined engine). The default.
         */
        AUTO,
        /**
         * On a thread of its own, {@code ringside-aeron-<stream>}, idling with {@link #idleStrategy}: each event then
         * crosses one more thread, and the engine's consumer is woken by the ingress's doorbell.
         */
        THREAD,
        /**
         * As a duty of the engine's compact thread ({@link io.ringside.engine.Engine#addCompactDuty}), the one that
         * journals each event and runs the shards: the events it takes are journaled and decided in the same duty cycle,
         * one thread hop and one wake-up less per event, its idling bounded by {@code EngineContext.compactDutyParkNs}
         * ({@link #idleStrategy} is then unused). A pipelined engine refuses it.
         */
        COMPACT
    }

    public static final String IPC = "aeron:ipc";
    public static final int DEFAULT_STREAM_ID = 1001;
    public static final int DEFAULT_ACK_STREAM_ID = 1002;

    private Aeron aeron;
    private String channel = IPC;
    private int streamId = DEFAULT_STREAM_ID;
    private String ackChannel = IPC;
    private int ackStreamId = DEFAULT_ACK_STREAM_ID;
    private int sourceId = 1;
    private MessageDecoder decoder;
    private int fragmentLimit = 256;
    private long ackIntervalMs = 100;
    private boolean endOfInputAccepted;
    private IdleStrategy idleStrategy;
    private Placement placement = Placement.AUTO;
    private boolean concluded;

    /** @param aeron a connected client, owned by the caller (it outlives the ingress). */
    public AeronIngressContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /** @param channel the senders' channel, default {@value #IPC}. */
    public AeronIngressContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    public String channel()
    {
        return channel;
    }

    public AeronIngressContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    /** @param ackChannel the back channel (acknowledgements, dead letters), default {@value #IPC}. */
    public AeronIngressContext ackChannel(final String ackChannel)
    {
        this.ackChannel = ackChannel;
        return this;
    }

    public String ackChannel()
    {
        return ackChannel;
    }

    public AeronIngressContext ackStreamId(final int ackStreamId)
    {
        this.ackStreamId = ackStreamId;
        return this;
    }

    public int ackStreamId()
    {
        return ackStreamId;
    }

    /** @param sourceId the engine source id of the events (default 1); each sender is one of its partitions. */
    public AeronIngressContext sourceId(final int sourceId)
    {
        this.sourceId = sourceId;
        return this;
    }

    public int sourceId()
    {
        return sourceId;
    }

    public AeronIngressContext decoder(final MessageDecoder decoder)
    {
        this.decoder = decoder;
        return this;
    }

    public MessageDecoder decoder()
    {
        return decoder;
    }

    /** @param fragmentLimit fragments read per poll (default 256). */
    public AeronIngressContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /** @param ackIntervalMs how often every known sender is told its acknowledged sequence even when it has not moved (default 100). */
    public AeronIngressContext ackIntervalMs(final long ackIntervalMs)
    {
        this.ackIntervalMs = ackIntervalMs;
        return this;
    }

    public long ackIntervalMs()
    {
        return ackIntervalMs;
    }

    /**
     * @param endOfInputAccepted whether a sender's {@link AeronSender#endOfInput()} ends the engine's input
     *                           ({@link io.ringside.engine.EventPublisher#endOfInput()}: every window closes). Default false.
     */
    public AeronIngressContext endOfInputAccepted(final boolean endOfInputAccepted)
    {
        this.endOfInputAccepted = endOfInputAccepted;
        return this;
    }

    public boolean endOfInputAccepted()
    {
        return endOfInputAccepted;
    }

    /**
     * @param idleStrategy how the ingress's own thread ({@link Placement#THREAD}) waits when there is nothing to read;
     *                     default backing off from spins to 100 us parks (a small machine: {@code BusySpinIdleStrategy}
     *                     costs a core).
     */
    public AeronIngressContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param placement where {@link AeronIngress#start()} runs the ingress: {@link Placement#AUTO} (the default), on the
     *                  engine's compact thread where it has one, else on a thread of its own; or {@link Placement#THREAD}
     *                  or {@link Placement#COMPACT} whatever the engine.
     */
    public AeronIngressContext placement(final Placement placement)
    {
        this.placement = placement;
        return this;
    }

    public Placement placement()
    {
        return placement;
    }

    /**
     * @return this, checked once.
     * @throws IllegalArgumentException if something is missing or out of range.
     */
    public AeronIngressContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (aeron == null)
        {
            throw new IllegalArgumentException("an Aeron client is required (AeronIngressContext.aeron)");
        }
        if (decoder == null)
        {
            throw new IllegalArgumentException("a decoder is required (AeronIngressContext.decoder)");
        }
        if (channel == null || ackChannel == null)
        {
            throw new IllegalArgumentException("the ingress and back channels are required");
        }
        if (channel.equals(ackChannel) && streamId == ackStreamId)
        {
            throw new IllegalArgumentException("the back channel needs another stream id than the ingress (" + streamId + ")");
        }
        if (placement == null)
        {
            throw new IllegalArgumentException("a placement is required (AeronIngressContext.placement: AUTO, THREAD or COMPACT)");
        }
        if (fragmentLimit < 1 || ackIntervalMs < 1)
        {
            throw new IllegalArgumentException("fragmentLimit and ackIntervalMs must be at least 1");
        }
        if (idleStrategy == null)
        {
            idleStrategy = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        }
        concluded = true;
        return this;
    }
}
