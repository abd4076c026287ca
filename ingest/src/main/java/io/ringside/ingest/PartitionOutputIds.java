package io.ringside.ingest;

import java.io.IOException;

import io.ringside.engine.Event;
import io.ringside.engine.Output;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Output ids that any owner of a Kafka partition computes alike: (partition, source offset, ordinal) instead of the
 * engine's (journal position, shard, ordinal), whose position belongs to one instance's journal.
 * <ul>
 * <li>{@link #wrap} puts a handler of a one-partition engine inside one that prefixes each output's payload with the
 * source offset of the input that caused it (8 bytes): the offset of the event being handled, or, for outputs of a
 * watermark moved by the event at the same journal position, that event's offset; outputs at a position without an
 * event (the end of input) get the last event's offset + 1.</li>
 * <li>{@link #unwrap} reads that offset back on the sink's side and hands out the output without the prefix, as the
 * handler emitted it.</li>
 * </ul>
 * The ordinal stays the engine's: the rank among the outputs of one journal position. With one engine per partition,
 * one shard and no ticks, a journal position holds at most one event, so (offset, ordinal) names one output.
 * A {@link Snapshottable} handler gives a snapshottable wrapper, whose snapshot adds the last event's offset to the
 * handler's (the cause of an end of input's outputs after a restore).
 * <b>Threads:</b> the wrapped handler runs on its shard thread; {@link #unwrap} on the egress thread (one instance each).
 */
public final class PartitionOutputIds
{
    /** Bytes before the handler's payload: the source offset, big-endian. */
    public static final int PREFIX_LENGTH = 8;

    private PartitionOutputIds()
    {
    }

    /**
     * @return a handler that prefixes every output of {@code delegate} with its cause's source offset.
     */
    public static ShardHandler wrap(final ShardHandler delegate)
    {
        return delegate instanceof Snapshottable ? new SnapshottablePrefixing(delegate) : new Prefixing(delegate);
    }

    /**
     * An output with the prefix read and stripped: reused, one per thread.
     */
    public static final class Unwrapped implements Output
    {
        private Output output;
        private long sourceOffset;

        /**
         * @return this, over {@code prefixed} (an output of a {@link #wrap wrapped} handler).
         */
        public Unwrapped wrap(final Output prefixed)
        {
            if (prefixed.length() < PREFIX_LENGTH)
            {
                throw new IllegalStateException("output " + prefixed + " carries no source offset: is the handler wrapped by " +
                    "PartitionOutputIds.wrap?");
            }
            this.output = prefixed;
            this.sourceOffset = prefixed.buffer().getLong(prefixed.offset(), java.nio.ByteOrder.BIG_ENDIAN);
            return this;
        }

        /**
         * @return the source offset of the input that caused this output (the first part of its id after the partition).
         */
        public long sourceOffset()
        {
            return sourceOffset;
        }

        @Override
        public long position()
        {
            return output.position();
        }

        @Override
        public int ordinal()
        {
            return output.ordinal();
        }

        @Override
        public int type()
        {
            return output.type();
        }

        @Override
        public long key()
        {
            return output.key();
        }

        @Override
        public int shard()
        {
            return output.shard();
        }

        @Override
        public boolean isReplay()
        {
            return output.isReplay();
        }

        @Override
        public DirectBuffer buffer()
        {
            return output.buffer();
        }

        @Override
        public int offset()
        {
            return output.offset() + PREFIX_LENGTH;
        }

        @Override
        public int length()
        {
            return output.length() - PREFIX_LENGTH;
        }
    }

    private static final class SnapshottablePrefixing extends Prefixing implements Snapshottable
    {
        SnapshottablePrefixing(final ShardHandler delegate)
        {
            super(delegate);
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws IOException
        {
            out.writeLong(eventOffset);
            ((Snapshottable)delegate).writeSnapshot(out);
        }

        @Override
        public void readSnapshot(final SnapshotReader in) throws IOException
        {
            eventOffset = in.readLong();
            eventPosition = Long.MIN_VALUE;   // a position of the journal that wrote it, not of this one
            ((Snapshottable)delegate).readSnapshot(in);
        }
    }

    private static class Prefixing implements ShardHandler, ShardContext
    {
        final ShardHandler delegate;
        private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
        private ShardContext context;
        long eventPosition = Long.MIN_VALUE;
        long eventOffset = -1;
        private long causeOffset;

        Prefixing(final ShardHandler delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public void onEvent(final Event event, final ShardContext context) throws Exception
        {
            eventPosition = context.journalPosition();
            eventOffset = event.sourceOffset();
            causeOffset = eventOffset;
            this.context = context;
            delegate.onEvent(event, this);
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context) throws Exception
        {
            causeOffset = context.journalPosition() == eventPosition ? eventOffset : eventOffset + 1;
            this.context = context;
            delegate.onWatermark(watermark, this);
        }

        @Override
        public void onControl(final Event control, final ShardContext context) throws Exception
        {
            causeOffset = eventOffset + 1;
            this.context = context;
            delegate.onControl(control, this);
        }

        @Override
        public long prefetchEarly(final Event event)
        {
            return delegate.prefetchEarly(event);
        }

        @Override
        public long prefetch(final Event event)
        {
            return delegate.prefetch(event);
        }

        @Override
        public boolean hasDueWork()
        {
            return delegate.hasDueWork();
        }

        @Override
        public void onClose() throws Exception
        {
            delegate.onClose();
        }

        @Override
        public int shard()
        {
            return context.shard();
        }

        @Override
        public long journalPosition()
        {
            return context.journalPosition();
        }

        @Override
        public void emit(final int type, final long key, final DirectBuffer buffer, final int offset, final int length)
        {
            scratch.putLong(0, causeOffset, java.nio.ByteOrder.BIG_ENDIAN);
            scratch.putBytes(PREFIX_LENGTH, buffer, offset, length);
            context.emit(type, key, scratch, 0, PREFIX_LENGTH + length);
        }

        @Override
        public void late()
        {
            context.late();
        }
    }
}
