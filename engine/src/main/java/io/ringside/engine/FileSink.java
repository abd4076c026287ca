package io.ringside.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes one output per line to a file, appending. Lines are formatted by an {@link OutputFormatter}
 * into a reused buffer and written through a buffered stream, so no output allocates. The default format
 * is {@code <position>:<ordinal> <type> <key> <payload as hex>} and, for dead letters,
 * {@code <position>:<ordinal> DEAD_LETTER <key> <reason> <event as hex>}.
 * Egress thread only.
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

    private final Path file;
    private final OutputFormatter formatter;
    private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
    private final OutputStream out;

    public FileSink(final Path file) throws IOException
    {
        this(file, DEFAULT_FORMAT);
    }

    public FileSink(final Path file, final OutputFormatter formatter) throws IOException
    {
        this.file = file;
        this.formatter = formatter;
        this.out = new java.io.BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), 1 << 16);
    }

    public Path file()
    {
        return file;
    }

    @Override
    public void onOutput(final Output output) throws IOException
    {
        int length = formatter.format(output, line, 0);
        line.putByte(length++, (byte)'\n');
        out.write(line.byteArray(), 0, length);
    }

    @Override
    public void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }

    static int formatDefault(final Output output, final MutableDirectBuffer line, final int offset)
    {
        int at = offset;
        at += line.putLongAscii(at, output.position());
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

    private static int hex(final org.agrona.DirectBuffer src, final int from, final int length, final MutableDirectBuffer line, final int offset)
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
