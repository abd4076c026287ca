package io.ringside.engine;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads one snapshot file written by {@link SnapshotWriter}. Opening it checks the whole file first (size,
 * header, trailer, CRC32C), so a torn or corrupted snapshot is refused with a {@link SnapshotCorruptedException}
 * before any state is touched; reads past the body's end are refused too.
 */
public final class SnapshotReader implements AutoCloseable
{
    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final int kind;
    private final int shard;
    private final long position;
    private final long journalId;
    private final long bodyEnd;
    private long offset;

    public SnapshotReader(final Path file) throws IOException
    {
        this.file = file;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < SnapshotWriter.HEADER_LENGTH + SnapshotWriter.TRAILER_LENGTH)
            {
                throw corrupted("only " + size + " bytes: shorter than a header and a trailer (a torn write?)");
            }
            if (size > Integer.MAX_VALUE)
            {
                throw new IOException("snapshot " + file + " is " + size + " bytes: over the 2 GiB a shard's snapshot may hold " +
                    "(use more shards)");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            buffer = new UnsafeBuffer(mapped);
            final int trailer = (int)size - SnapshotWriter.TRAILER_LENGTH;
            if (buffer.getInt(trailer + 12) != SnapshotWriter.TRAILER_MAGIC)
            {
                throw corrupted("no trailer at its end (a torn write?)");
            }
            bodyEnd = buffer.getLong(trailer);
            if (bodyEnd != trailer)
            {
                throw corrupted("the trailer says the body ends at " + bodyEnd + " but the file's does at " + trailer);
            }
            final CRC32C crc = new CRC32C();
            crc.update(mapped.duplicate().position(0).limit(trailer));
            final int expected = buffer.getInt(trailer + 8);
            if ((int)crc.getValue() != expected)
            {
                throw corrupted(String.format("CRC32C %08x of its %d bytes, the trailer says %08x", (int)crc.getValue(), trailer, expected));
            }
            if (buffer.getLong(0) != SnapshotWriter.MAGIC)
            {
                throw corrupted("not a Ringside snapshot (magic)");
            }
            kind = buffer.getInt(8);
            shard = buffer.getInt(12);
            position = buffer.getLong(16);
            journalId = buffer.getLong(24);
            offset = SnapshotWriter.HEADER_LENGTH;
        }
    }

    /**
     * Opens and verifies a snapshot file, such as one written by {@link SnapshotWriter#create}.
     *
     * @throws SnapshotCorruptedException if it is torn or damaged.
     */
    public static SnapshotReader open(final Path file) throws IOException
    {
        return new SnapshotReader(file);
    }

    private SnapshotCorruptedException corrupted(final String what)
    {
        return new SnapshotCorruptedException("snapshot " + file + " is damaged: " + what);
    }

    public int kind()
    {
        return kind;
    }

    public int shard()
    {
        return shard;
    }

    public long position()
    {
        return position;
    }

    public long journalId()
    {
        return journalId;
    }

    public long readLong()
    {
        check(8);
        final long value = buffer.getLong((int)offset);
        offset += 8;
        return value;
    }

    public int readInt()
    {
        check(4);
        final int value = buffer.getInt((int)offset);
        offset += 4;
        return value;
    }

    public boolean readBoolean()
    {
        return readInt() != 0;
    }

    public void readBytes(final MutableDirectBuffer into, final int intoOffset, final int length)
    {
        check(length);
        into.putBytes(intoOffset, buffer, (int)offset, length);
        offset += length;
    }

    /**
     * @return bytes of the body not read yet.
     */
    public long remaining()
    {
        return bodyEnd - offset;
    }

    public Path file()
    {
        return file;
    }

    private void check(final int length)
    {
        if (length < 0 || offset + length > bodyEnd)
        {
            throw new SnapshotCorruptedException("snapshot " + file + ": a read of " + length + " bytes at " + offset +
                " goes past the body's end at " + bodyEnd + " (written by another version of the state's code?)");
        }
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
