package io.ringside.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment file mapped into memory, read-only or read-write. Owned by one thread: the appender's
 * or one reader's. The mapping and the CRC view are made once per segment, never per record.
 */
final class Segment implements AutoCloseable
{
    private static final int PAGE_SIZE = 4096;

    /** The segment's file, by its name in the journal. */
    final Path file;
    /** The file that was mapped: {@link #file}, or the temporary file it was prepared under. */
    final Path mappedFile;
    final long basePosition;
    final int size;
    final FileChannel channel;
    final MappedByteBuffer mapped;
    final UnsafeBuffer buffer;
    /** A view of the mapping whose position and limit are moved to feed {@link java.util.zip.CRC32C}. */
    final ByteBuffer crcView;

    private Segment(
        final Path file, final Path mappedFile, final long basePosition, final int size, final FileChannel channel, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mappedFile = mappedFile;
        this.basePosition = basePosition;
        this.size = size;
        this.channel = channel;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.crcView = mapped.duplicate();
    }

    static Segment map(final Path file, final long basePosition, final int size, final boolean writable)
    {
        return map(file, file, basePosition, size, writable);
    }

    /**
     * Maps {@code mappedFile}, which becomes {@code file} once renamed: a segment prepared under a temporary name.
     */
    static Segment map(final Path mappedFile, final Path file, final long basePosition, final int size, final boolean writable)
    {
        FileChannel channel = null;
        try
        {
            channel = writable ?
                FileChannel.open(mappedFile, StandardOpenOption.READ, StandardOpenOption.WRITE) :
                FileChannel.open(mappedFile, StandardOpenOption.READ);
            final MappedByteBuffer mapped = channel.map(
                writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size);
            return new Segment(file, mappedFile, basePosition, size, channel, mapped);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot map journal segment " + mappedFile, ex);
        }
    }

    /**
     * Faults in every page of a writable mapping for writing, by storing a zero into the last byte of each
     * page (bytes that are zero already: the header is in the first 64 bytes, records come later).
     * Done on the preparer thread, so that the appender's first write to a page costs no page fault.
     */
    void pretouchForWriting()
    {
        for (int offset = PAGE_SIZE - 1; offset < size; offset += PAGE_SIZE)
        {
            buffer.putByte(offset, (byte)0);
        }
    }

    long position(final int offset)
    {
        return basePosition + offset;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // the mapping is gone already; nothing left to release
            }
        }
    }
}
