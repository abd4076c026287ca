package io.ringside.ingest.aeron;

import java.util.Arrays;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import static io.ringside.ingest.aeron.AeronMessageDescriptor.BYTE_ORDER;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_HEADER_LENGTH;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_KEY_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_ORDINAL_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_POSITION_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_SHARD_OFFSET;
import static io.ringside.ingest.aeron.AeronMessageDescriptor.OUTPUT_TYPE_OFFSET;

/**
 * Reads the outputs an {@link AeronSink} publishes and hands each one on once: an engine that restarts sends again the
 * outputs it replays, with the same ids, and this drops every output whose id (position, ordinal) is not above the last
 * one handed on for its shard (a shard's ids only grow).
 * <p>
 * Images are read oldest first: an image is read only when the older ones had nothing, so what a crashed engine had
 * published and this had not read yet comes before the outputs of the engine that replaced it.
 * The ids it has handed on live in this object: a subscriber that restarts must be given them ({@link #resumeAfter}).
 * Nothing allocates per output. <b>Thread:</b> one, the one that polls.
 */
public final class AeronOutputSubscriber implements AutoCloseable
{
    /**
     * Told each output once. Subscriber thread; the buffer is valid only during the call.
     */
    @FunctionalInterface
    public interface OutputHandler
    {
        void onOutput(long position, int shard, int ordinal, int type, long key, DirectBuffer buffer, int offset, int length);
    }

    private final Subscription subscription;
    private final OutputHandler handler;
    private final FragmentHandler assembler = new FragmentAssembler(this::onFragment);
    private long[] lastPosition = new long[0];
    private int[] lastOrdinal = new int[0];
    private long delivered;
    private long duplicates;
    /** Images (engines' publications) that have come since this subscribed: written by the Aeron client's conductor. */
    private volatile int imagesSeen;
    /** The correlation id of the image that came last, and whether it has gone: Aeron client conductor. */
    private volatile long newestImage = Long.MIN_VALUE;
    private volatile boolean newestGone;

    public AeronOutputSubscriber(final Aeron aeron, final String channel, final int streamId, final OutputHandler handler)
    {
        this.subscription = aeron.addSubscription(channel, streamId, this::onAvailable, this::onUnavailable);
        this.handler = handler;
    }

    /**
     * Outputs of this shard up to this id were handed on before (a restarted subscriber's record).
     */
    public void resumeAfter(final int shard, final long position, final int ordinal)
    {
        ensureShard(shard);
        lastPosition[shard] = position;
        lastOrdinal[shard] = ordinal;
    }

    /**
     * @return fragments read.
     */
    public int poll(final int fragmentLimit)
    {
        int read = 0;
        for (int i = 0, n = subscription.imageCount(); i < n && read == 0; i++)
        {
            final Image image = subscription.imageAtIndex(i);
            read += image.poll(assembler, fragmentLimit);
        }
        return read;
    }

    private void onAvailable(final Image image)
    {
        newestGone = false;
        newestImage = image.correlationId();
        imagesSeen++;
    }

    private void onUnavailable(final Image image)
    {
        if (image.correlationId() == newestImage)
        {
            newestGone = true;
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < OUTPUT_HEADER_LENGTH)
        {
            return;
        }
        final long position = buffer.getLong(offset + OUTPUT_POSITION_OFFSET, BYTE_ORDER);
        final int shard = buffer.getInt(offset + OUTPUT_SHARD_OFFSET, BYTE_ORDER);
        final int ordinal = buffer.getInt(offset + OUTPUT_ORDINAL_OFFSET, BYTE_ORDER);
        if (shard >= lastPosition.length)
        {
            ensureShard(shard);
        }
        if (position < lastPosition[shard] || (position == lastPosition[shard] && ordinal <= lastOrdinal[shard]))
        {
            duplicates++;
            return;
        }
        lastPosition[shard] = position;
        lastOrdinal[shard] = ordinal;
        delivered++;
        handler.onOutput(position, shard, ordinal, buffer.getInt(offset + OUTPUT_TYPE_OFFSET, BYTE_ORDER),
            buffer.getLong(offset + OUTPUT_KEY_OFFSET, BYTE_ORDER), buffer, offset + OUTPUT_HEADER_LENGTH, length - OUTPUT_HEADER_LENGTH);
    }

    private void ensureShard(final int shard)
    {
        if (shard >= lastPosition.length)
        {
            final int from = lastPosition.length;
            lastPosition = Arrays.copyOf(lastPosition, shard + 1);
            lastOrdinal = Arrays.copyOf(lastOrdinal, shard + 1);
            for (int s = from; s <= shard; s++)
            {
                lastPosition[s] = -1;
                lastOrdinal[s] = -1;
            }
        }
    }

    /**
     * @return outputs handed on.
     */
    public long delivered()
    {
        return delivered;
    }

    /**
     * @return outputs dropped as already handed on (replays).
     */
    public long duplicates()
    {
        return duplicates;
    }

    public boolean isConnected()
    {
        return subscription.isConnected();
    }

    /**
     * Whether the publication that came last (the engine running now, or the last one) has closed and its image gone,
     * every output read from it (Aeron removes an IPC image once its subscribers have read it to the end). An older image
     * may still be there (a killed engine's, until the driver times its client out; one stopped in the middle of a claim
     * holds a frame never committed), with nothing more to read: {@link #poll} reads the older images first. Any thread.
     */
    public boolean newestGone()
    {
        return imagesSeen > 0 && newestGone;
    }

    /**
     * @return the images now, for a report: each one's session, position, whether at its end of stream and closed.
     */
    public String describeImages()
    {
        final StringBuilder text = new StringBuilder().append(subscription.imageCount()).append(" image(s)");
        for (int i = 0, n = subscription.imageCount(); i < n; i++)
        {
            final Image image = subscription.imageAtIndex(i);
            text.append("; session ").append(image.sessionId()).append(" joined at ").append(image.joinPosition()).append(" at ")
                .append(image.position()).append(image.isEndOfStream() ? " end of stream" : "").append(image.isClosed() ? " closed" : "");
        }
        return text.append("; ").append(imagesSeen).append(" seen, ").append(delivered).append(" delivered").toString();
    }

    /**
     * @return how many images (an engine's publication each) have become available since this subscribed, gone or not:
     * whether {@code !isConnected()} means the publications ended, or that none has come yet. Any thread.
     */
    public int imagesSeen()
    {
        return imagesSeen;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(subscription);
    }
}
