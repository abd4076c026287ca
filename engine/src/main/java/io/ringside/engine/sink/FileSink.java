package io.ringside.engine.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import io.ringside.engine.DeadLetter;
import io.ringside.engine.Output;
import io.ringside.engine.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes one output per line to a file, exactly once across crashes and restarts. Lines are formatted by an
 * {@link OutputFormatter} into a reused buffer and written through a buffered stream, so no output allocates. The
 * default format is {@code <position>:<shard>:<ordinal> <type> <key> <payload as hex>} and, for dead letters,
 * {@code <position>:<shard>:<ordinal> DEAD_LETTER <key> <reason> <event as hex>}: the output's id first, unique
 * across shards (two shards' outputs caused by one slot share its position and may share an ordinal).
 * <p>
 * <b>Exactly once.</b> Beside the file, {@code <file>.pos} records, at every flush, the file's length and the id of
 * the last output written per shard, with the journal's id. At start the sink cuts the file back to the recorded
 * length (a half-written last line, or lines written after the last record, are removed: they will be written again)
 * and drops the replayed outputs whose id is at or below the recorded one for their shard. Since replay reproduces
 * every output with the same id, the file then holds each output once. The record has two slots, each with a CRC,
 * written alternately, so a torn write of one leaves the other. The file and its record live in the page cache:
 * they survive a crash of the process, as the journal under {@code PAGE_CACHE} does.
 * <p>
 * A file that exists without its {@code .pos} record, or whose record names another journal, is refused: it was
 * not written by this engine's sink, and appending to it would mix two runs.
 * Egress thread only (and {@link #onStart} before it runs).
 */
public final class FileSink implements OutputSink
{
    /**
     * Formats one output as text, without the line end.
     */
    @FunctionalInterface
    public interface OutputFormatter
    {
        /**
         * @return the number of bytes written into {@code line} from {@code offset}.
         */
        int format(Output output, MutableDirectBuffer line, int offset);
    }

    /** The default format; see the class description. */
    public static final OutputFormatter DEFAULT_FORMAT = FileSink::formatDefault;

    static final String POSITION_SUFFIX = ".pos";
    private static final long RECORD_MAGIC = 0x534F504B4E495352L; // "RSINKPOS"
    private static final int MAX_SHARDS = 1024;
    private static final int RECORD_HEADER = 48;
    private static final int SLOT_LENGTH = RECORD_HEADER + MAX_SHARDS * 16;

    private final Path file;
    private final Path positionFile;
    private final OutputFormatter formatter;
    private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
    private final ByteBuffer record = ByteBuffer.allocateDirect(SLOT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer recordBuffer = new UnsafeBuffer(record);
    private final long[] lastPosition = new long[MAX_SHARDS];
    private final int[] lastOrdinal = new int[MAX_SHARDS];
    private final CRC32C crc = new CRC32C();
    private int shards;
    private long journalId;
    private long sequence;
    private long length;
    private long skipped;
    private boolean dirty;
    private FileChannel channel;
    private FileChannel positions;
    private FileLock lock;
    private boolean empty;
    private OutputStream out;

    public FileSink(final Path file)
    {
        this(file, DEFAULT_FORMAT);
    }

    public FileSink(final Path file, final OutputFormatter formatter)
    {
        this.file = file;
        this.positionFile = file.resolveSibling(file.getFileName() + POSITION_SUFFIX);
        this.formatter = formatter;
        Arrays.fill(lastPosition, -1);
        Arrays.fill(lastOrdinal, -1);
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return true if the file held no output when the sink started (no record of any): it needs every output from the
     * journal's start. Known once started.
     */
    @Override
    public boolean startsEmpty()
    {
        return empty;
    }

    /**
     * @return replayed outputs dropped because the file held them already.
     */
    public long skipped()
    {
        return skipped;
    }

    @Override
    public void onStart(final long journalId) throws IOException
    {
        this.journalId = journalId;
        final boolean exists = Files.exists(file) && Files.size(file) > 0;
        final boolean recorded = Files.exists(positionFile);
        if (exists && !recorded)
        {
            throw new IOException("the output file " + file + " exists but has no " + positionFile.getFileName() +
                " record of the outputs it holds (not written by a FileSink of this version): delete it or choose another file");
        }
        positions = FileChannel.open(positionFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            lock = positions.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (lock == null)
        {
            positions.close();
            throw new IOException("the output file " + file + " is being written by another sink (" + positionFile.getFileName() + " is locked, " +
                "by another process or another FileSink in this one): two engines must not share an output file; give each its own");
        }
        empty = !recorded || positions.size() == 0;
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (recorded && positions.size() > 0)
        {
            readRecord();
            if (channel.size() < length)
            {
                throw new IOException("the output file " + file + " is " + channel.size() + " bytes but its record says " + length +
                    " were written: it was cut or replaced; delete it and " + positionFile.getFileName() + " to write it anew (from an engine " +
                "that replays its whole journal: move the engine directory's snapshots/ aside)");
            }
            channel.truncate(length);
        }
        else
        {
            channel.truncate(0);
            length = 0;
        }
        channel.position(length);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        if (empty)
        {
            // recorded at once, outputs or not: a restart then knows this file has been the journal's from its start
            dirty = true;
            flush();
        }
    }

    private void readRecord() throws IOException
    {
        long bestSequence = -1;
        for (int slot = 0; slot < 2; slot++)
        {
            record.clear();
            final int read = positions.read(record, (long)slot * SLOT_LENGTH);
            if (read < RECORD_HEADER || recordBuffer.getLong(0) != RECORD_MAGIC)
            {
                continue;
            }
            final int count = recordBuffer.getInt(40);
            if (count < 0 || count > MAX_SHARDS || read < RECORD_HEADER + count * 16)
            {
                continue;
            }
            crc.reset();
            // the CRC covers everything but the magic and itself (at 32)
            crc.update(record.duplicate().position(8).limit(32));
            crc.update(record.duplicate().position(36).limit(RECORD_HEADER + count * 16));
            if ((int)crc.getValue() != recordBuffer.getInt(32) || recordBuffer.getLong(8) <= bestSequence)
            {
                continue;
            }
            bestSequence = recordBuffer.getLong(8);
            final long recordJournal = recordBuffer.getLong(16);
            if (recordJournal != journalId)
            {
                throw new IOException("the output file " + file + " was written from another journal (id " + Long.toHexString(recordJournal) +
                    ", this engine's is " + Long.toHexString(journalId) + "): delete it and " + positionFile.getFileName() +
                    ", or choose another file");
            }
            sequence = bestSequence;
            length = recordBuffer.getLong(24);
            shards = count;
            for (int i = 0; i < count; i++)
            {
                lastPosition[i] = recordBuffer.getLong(RECORD_HEADER + i * 16);
                lastOrdinal[i] = recordBuffer.getInt(RECORD_HEADER + i * 16 + 8);
            }
        }
        if (bestSequence < 0)
        {
            throw new IOException("the record " + positionFile + " of the output file " + file + " is damaged in both its slots: " +
                "which outputs the file holds is unknown; delete both to write it anew (from an engine that replays its whole journal: " +
                "move the engine directory's snapshots/ aside)");
        }
    }

    @Override
    public void onOutput(final Output output) throws IOException
    {
        if (out == null)
        {
            throw new IllegalStateException("the file sink " + file + " is not started: add it to an EngineContext");
        }
        final int shard = output.shard();
        final long position = output.position();
        final int ordinal = output.ordinal();
        if (position < lastPosition[shard] || (position == lastPosition[shard] && ordinal <= lastOrdinal[shard]))
        {
            skipped++;
            return;
        }
        int lineLength = formatter.format(output, line, 0);
        line.putByte(lineLength++, (byte)'\n');
        out.write(line.byteArray(), 0, lineLength);
        length += lineLength;
        lastPosition[shard] = position;
        lastOrdinal[shard] = ordinal;
        shards = Math.max(shards, shard + 1);
        dirty = true;
    }

    /**
     * Pushes the buffered lines to the file, then records its length and the last ids.
     */
    @Override
    public void flush() throws IOException
    {
        if (out == null || !dirty)
        {
            return;
        }
        out.flush();
        sequence++;
        record.clear();
        recordBuffer.putLong(0, RECORD_MAGIC);
        recordBuffer.putLong(8, sequence);
        recordBuffer.putLong(16, journalId);
        recordBuffer.putLong(24, length);
        recordBuffer.putInt(40, shards);
        recordBuffer.putInt(44, 0);
        for (int i = 0; i < shards; i++)
        {
            recordBuffer.putLong(RECORD_HEADER + i * 16, lastPosition[i]);
            recordBuffer.putInt(RECORD_HEADER + i * 16 + 8, lastOrdinal[i]);
            recordBuffer.putInt(RECORD_HEADER + i * 16 + 12, 0);
        }
        crc.reset();
        crc.update(record.duplicate().position(8).limit(32));
        crc.update(record.duplicate().position(36).limit(RECORD_HEADER + shards * 16));
        recordBuffer.putInt(32, (int)crc.getValue());
        record.position(0).limit(RECORD_HEADER + shards * 16);
        final long at = (sequence & 1) * SLOT_LENGTH;
        while (record.hasRemaining())
        {
            positions.write(record, at + record.position());
        }
        dirty = false;
    }

    @Override
    public void close() throws IOException
    {
        if (out != null)
        {
            try
            {
                flush();
            }
            finally
            {
                out.close();
                positions.close();   // releases the lock
                out = null;
            }
        }
    }

    @Override
    public String toString()
    {
        return "FileSink(" + file + ")";
    }

    static int formatDefault(final Output output, final MutableDirectBuffer line, final int offset)
    {
        int at = offset;
        at += line.putLongAscii(at, output.position());
        line.putByte(at++, (byte)':');
        at += line.putIntAscii(at, output.shard());
        line.putByte(at++, (byte)':');
        at += line.putIntAscii(at, output.ordinal());
        line.putByte(at++, (byte)' ');
        if (output.type() == Output.DEAD_LETTER)
        {
            at += line.putStringWithoutLengthAscii(at, "DEAD_LETTER ");
            at += line.putLongAscii(at, output.key());
            line.putByte(at++, (byte)' ');
            final int reasonLength = output.buffer().getInt(output.offset());
            for (int i = 0; i < reasonLength; i++)
            {
                final byte b = output.buffer().getByte(output.offset() + 4 + i);
                line.putByte(at++, b == '\n' || b == '\r' ? (byte)' ' : b);
            }
            line.putByte(at++, (byte)' ');
            return hex(output.buffer(), DeadLetter.eventOffset(output), DeadLetter.eventLength(output), line, at) - offset;
        }
        at += line.putIntAscii(at, output.type());
        line.putByte(at++, (byte)' ');
        at += line.putLongAscii(at, output.key());
        line.putByte(at++, (byte)' ');
        return hex(output.buffer(), output.offset(), output.length(), line, at) - offset;
    }

    private static int hex(final DirectBuffer src, final int from, final int length, final MutableDirectBuffer line, final int offset)
    {
        int at = offset;
        for (int i = 0; i < length; i++)
        {
            final int b = src.getByte(from + i) & 0xFF;
            line.putByte(at++, (byte)Character.forDigit(b >>> 4, 16));
            line.putByte(at++, (byte)Character.forDigit(b & 0xF, 16));
        }
        return at;
    }
}
