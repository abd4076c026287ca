package io.ringside.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * Writes one snapshot file: a header, what the state's owner writes ({@link Snapshottable#writeSnapshot}), and a
 * trailer with the length and CRC32C of everything before it, so that {@link SnapshotReader} can tell a whole file
 * from a torn or corrupted one. Little-endian, buffered, forced to disk by {@link #finish()}.
 * <pre>
 *   header:  magic "RSSNAP01" (int64) | kind (int32) | shard (int32) | journal position (int64) | journal id (int64)
 *   body:    the owner's longs, ints and bytes
 *   trailer: body end (int64) | CRC32C of header and body (int32) | trailer magic (int32)
 * </pre>
 * One thread; not reusable.
 */
public final class SnapshotWriter implements AutoCloseable
{
    static final long MAGIC = 0x31305041_4E535352L; // "RSSNAP01" little-endian
    static final int TRAILER_MAGIC = 0x444E4552; // "REND"
    static final int HEADER_LENGTH = 32;
    static final int TRAILER_LENGTH = 16;
    public static final int KIND_ENGINE = 1;
    public static final int KIND_SHARD = 2;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 18).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long written;
    private boolean finished;

    public SnapshotWriter(final Path file, final int kind, final int shard, final long position, final long journalId) throws IOException
    {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeLong(MAGIC);
        writeInt(kind);
        writeInt(shard);
        writeLong(position);
        writeLong(journalId);
    }

    /**
     * A standalone snapshot file (kind 0, no shard, position 0): to test a {@link Snapshottable}'s state, or for a
     * tool of your own. Finish it with {@link #finish()}; the engine writes its snapshots itself.
     */
    public static SnapshotWriter create(final Path file) throws IOException
    {
        return new SnapshotWriter(file, 0, -1, 0, 0);
    }

    public void writeLong(final long value) throws IOException
    {
        room(8);
        buffer.putLong(value);
    }

    public void writeInt(final int value) throws IOException
    {
        room(4);
        buffer.putInt(value);
    }

    public void writeBoolean(final boolean value) throws IOException
    {
        writeInt(value ? 1 : 0);
    }

    /**
     * Writes {@code length} bytes of {@code source} from {@code offset} (not the length: write it first if the reader needs it).
     */
    public void writeBytes(final DirectBuffer source, final int offset, final int length) throws IOException
    {
        int done = 0;
        while (done < length)
        {
            room(1);
            final int chunk = Math.min(length - done, buffer.remaining());
            source.getBytes(offset + done, buffer, buffer.position(), chunk);
            buffer.position(buffer.position() + chunk);
            done += chunk;
        }
    }

    /**
     * @return bytes written so far, header included.
     */
    public long bytesWritten()
    {
        return written + buffer.position();
    }

    Path file()
    {
        return file;
    }

    /**
     * Writes the trailer and forces the file to disk.
     */
    public void finish() throws IOException
    {
        finish(true);
    }

    /**
     * Writes the trailer, and forces the file to disk if {@code force} (otherwise whoever completes the snapshot does,
     * before it renames it into place).
     */
    public void finish(final boolean force) throws IOException
    {
        final long bodyEnd = bytesWritten();
        flushBuffer();
        buffer.putLong(bodyEnd);
        buffer.putInt((int)crc.getValue());
        buffer.putInt(TRAILER_MAGIC);
        buffer.flip();
        while (buffer.hasRemaining())
        {
            written += channel.write(buffer);
        }
        buffer.clear();
        if (force)
        {
            channel.force(true);
        }
        finished = true;
    }

    boolean isFinished()
    {
        return finished;
    }

    private void room(final int bytes) throws IOException
    {
        if (buffer.remaining() < bytes)
        {
            flushBuffer();
        }
    }

    private void flushBuffer() throws IOException
    {
        buffer.flip();
        final ByteBuffer forCrc = buffer.duplicate();
        crc.update(forCrc);
        while (buffer.hasRemaining())
        {
            written += channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
