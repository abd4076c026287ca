package io.ringside.engine.runtime;

import io.ringside.engine.Output;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The one {@link Output} implementation: either set field by field (inline, on a shard thread) or
 * wrapped over an egress record ({@link OutputDescriptor}). Reused; one per thread.
 */
public final class OutputView implements Output
{
    private long position;
    private int ordinal;
    private int type;
    private long key;
    private int shard;
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private boolean replay;

    public OutputView set(
        final long position, final int ordinal, final int type, final long key, final int shard,
        final DirectBuffer buffer, final int offset, final int length)
    {
        this.position = position;
        this.ordinal = ordinal;
        this.type = type;
        this.key = key;
        this.shard = shard;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public OutputView replay(final boolean replay)
    {
        this.replay = replay;
        return this;
    }

    @Override
    public boolean isReplay()
    {
        return replay;
    }

    OutputView wrapRecord(final UnsafeBuffer record, final int recordOffset, final int recordLength)
    {
        replay = (record.getInt(recordOffset + OutputDescriptor.FLAGS_OFFSET) & OutputDescriptor.FLAG_REPLAY) != 0;
        return set(
            record.getLong(recordOffset + OutputDescriptor.POSITION_OFFSET),
            record.getInt(recordOffset + OutputDescriptor.ORDINAL_OFFSET),
            record.getInt(recordOffset + OutputDescriptor.TYPE_OFFSET),
            record.getLong(recordOffset + OutputDescriptor.KEY_OFFSET),
            record.getInt(recordOffset + OutputDescriptor.SHARD_OFFSET),
            record, recordOffset + OutputDescriptor.HEADER_LENGTH, recordLength - OutputDescriptor.HEADER_LENGTH);
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public int ordinal()
    {
        return ordinal;
    }

    @Override
    public int type()
    {
        return type;
    }

    @Override
    public long key()
    {
        return key;
    }

    @Override
    public int shard()
    {
        return shard;
    }

    @Override
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int offset()
    {
        return offset;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public String toString()
    {
        return "Output{id=" + position + ':' + ordinal + ", type=" + type + ", key=" + key + ", shard=" + shard + ", length=" + length + '}';
    }
}
