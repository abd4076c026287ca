package io.ringside.ingest.aeron;

import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.ringside.engine.InlineOutputSink;
import io.ringside.engine.Output;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import static io.ringside.ingest.aeron.AeronMessageDescriptor.BYTE_ORDER;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_HEADER_LENGTH;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_KEY_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_ORDINAL_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_POSITION_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_SHARD_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_TYPE_OFFSET;

/**
 * Publishes each output with its id over an Aeron publication ({@link AeronMessageDescriptor}: position, shard, ordinal,
 * type, key, payload), for an {@link AeronOutputSubscriber}.
 * <ul>
 * <li><b>Exactly once.</b> Aeron keeps nothing for a later subscriber, so the sink cannot read back what it delivered:
 * it sends every output, replays included ({@link #startsEmpty()} is false), and the subscriber drops what it has had
 * by id.</li>
 * <li><b>On the compact thread</b> ({@link InlineOutputSink}): on a compact engine the thread that decides offers each
 * output once, without waiting, as soon as its input is durable ({@link #tryDeliverInline}); a back-pressured or
 * unconnected publication refuses it, and the egress thread takes over from that output on, in order, until it has caught
 * up.</li>
 * <li><b>Back pressure.</b> A back-pressured publication is retried on the egress thread (never a shard's) with a
 * backing-off idle strategy, and counted; meanwhile the egress buffers fill and the ring's normal back pressure
 * follows. No subscriber for {@code notConnectedTimeoutMs} fails the output (the engine counts it, offers it again
 * after a pause, and fails after its sink failure timeout).</li>
 * </ul>
 * Nothing allocates per output. <b>Thread:</b> {@link #onStart} on the engine's starting thread, then the compact thread
 * or the egress thread, one at a time (the engine hands delivery over between them).
 */
public final class AeronSink implements InlineOutputSink
{
    private final Aeron aeron;
    private final String channel;
    private final int streamId;
    private final long notConnectedTimeoutNs;
    private final BufferClaim claim = new BufferClaim();
    private final IdleStrategy retry = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    private final IllegalStateException notConnected;
    private ExclusivePublication publication;
    private long sent;
    private long sentInline;
    private long refusedInline;
    private long backPressured;
    private long waitedNs;

    /**
     * @param notConnectedTimeoutMs how long an output waits for a subscriber before it fails (and is offered again).
     */
    public AeronSink(final Aeron aeron, final String channel, final int streamId, final long notConnectedTimeoutMs)
    {
        this.aeron = aeron;
        this.channel = channel;
        this.streamId = streamId;
        this.notConnectedTimeoutNs = TimeUnit.MILLISECONDS.toNanos(notConnectedTimeoutMs);
        this.notConnected = new IllegalStateException("no subscriber on " + channel + " stream " + streamId + " for " + notConnectedTimeoutMs +
            " ms: the output is offered again");
    }

    public AeronSink(final Aeron aeron, final String channel, final int streamId)
    {
        this(aeron, channel, streamId, 5_000);
    }

    @Override
    public void onStart(final long journalId)
    {
        publication = aeron.addExclusivePublication(channel, streamId);
    }

    /**
     * One claim on the publication: the output is published, or nothing is (back-pressured, not connected, closed: the
     * egress thread's {@link #onOutput} then retries, waits or fails as usual, and counts it).
     */
    @Override
    public boolean tryDeliverInline(final Output output)
    {
        final long result = publication.tryClaim(OUTPUT_HEADER_LENGTH + output.length(), claim);
        if (result > 0)
        {
            write(output);
            sentInline++;
            return true;
        }
        refusedInline++;
        return false;
    }

    @Override
    public void onOutput(final Output output)
    {
        final int length = OUTPUT_HEADER_LENGTH + output.length();
        long waitingSinceNs = 0;
        boolean counted = false;
        while (true)
        {
            final long result = publication.tryClaim(length, claim);
            if (result > 0)
            {
                write(output);
                if (waitingSinceNs != 0)
                {
                    waitedNs += System.nanoTime() - waitingSinceNs;
                    retry.reset();
                }
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("the output publication on " + channel + " stream " + streamId + " can take no more: " +
                    Publication.errorString(result));
            }
            final long now = System.nanoTime();
            if (waitingSinceNs == 0)
            {
                waitingSinceNs = now;
            }
            if (result == Publication.NOT_CONNECTED)
            {
                if (now - waitingSinceNs > notConnectedTimeoutNs)
                {
                    waitedNs += now - waitingSinceNs;
                    throw notConnected;
                }
            }
            else if (!counted)
            {
                backPressured++;
                counted = true;
            }
            if (Thread.currentThread().isInterrupted())
            {
                throw new IllegalStateException("interrupted while the output publication was back-pressured");
            }
            retry.idle();
        }
    }

    private void write(final Output output)
    {
        final MutableDirectBuffer buffer = claim.buffer();
        final int at = claim.offset();
        buffer.putLong(at + OUTPUT_POSITION_OFFSET, output.position(), BYTE_ORDER);
        buffer.putInt(at + OUTPUT_SHARD_OFFSET, output.shard(), BYTE_ORDER);
        buffer.putInt(at + OUTPUT_ORDINAL_OFFSET, output.ordinal(), BYTE_ORDER);
        buffer.putInt(at + OUTPUT_TYPE_OFFSET, output.type(), BYTE_ORDER);
        buffer.putInt(at + OUTPUT_TYPE_OFFSET + 4, 0, BYTE_ORDER);
        buffer.putLong(at + OUTPUT_KEY_OFFSET, output.key(), BYTE_ORDER);
        buffer.putBytes(at + OUTPUT_HEADER_LENGTH, output.buffer(), output.offset(), output.length());
        claim.commit();
        sent++;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(publication);
    }

    /**
     * @return outputs published, on either thread. From another thread, approximate.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * @return of {@link #sent()}, those published on the compact thread ({@link #tryDeliverInline}).
     */
    public long sentInline()
    {
        return sentInline;
    }

    /**
     * @return outputs the compact thread could not publish at once, handed to the egress thread.
     */
    public long refusedInline()
    {
        return refusedInline;
    }

    /**
     * @return outputs that found the publication back-pressured (each counted once, however long it waited).
     */
    public long backPressured()
    {
        return backPressured;
    }

    /**
     * @return time spent waiting for the publication, ns.
     */
    public long waitedNs()
    {
        return waitedNs;
    }

    @Override
    public String toString()
    {
        return "AeronSink[" + channel + " stream " + streamId + "]";
    }
}
