package io.ringside.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment file mapped into memory, read-only or read-write. Owned by one thread: the appender's
 * or one reader's. The mapping and the CRC view are made once per segment, never per record.
 */
final class Segment implements AutoCloseable
{
    static final int PAGE_SIZE = 4096;
    private static final AtomicIntegerFieldUpdater<Segment> PUBLISHED_TAIL =
        AtomicIntegerFieldUpdater.newUpdater(Segment.class, "publishedTail");

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
    /** The appender's tail, for the preparer's touches ahead of it ({@link #publishTail}). */
    private volatile int publishedTail;

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

    /**
     * The appender's tail, for the preparer ({@link #touchPage}). Appender thread; a store with release semantics, no fence.
     */
    void publishTail(final int offset)
    {
        PUBLISHED_TAIL.lazySet(this, offset);
    }

    int publishedTail()
    {
        return publishedTail;
    }

    /**
     * Writes the page at {@code pageOffset} once, so that the appender's first write to it costs no page fault: an
     * atomic compare-and-set of the page's last word from zero to zero, which changes nothing, whether the appender
     * has written the word already or not (an x86 compare-and-set is a write even when it fails). Preparer thread.
     */
    void touchPage(final int pageOffset)
    {
        buffer.compareAndSetLong(pageOffset + PAGE_SIZE - Long.BYTES, 0L, 0L);
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
