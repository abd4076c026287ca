package io.ringside.perf.fraud;

import io.ringside.engine.sink.FileSink;
import io.ringside.engine.Output;
import org.agrona.MutableDirectBuffer;

/**
 * Formats a {@link FraudVelocityShard} output for the {@link FileSink}: the kind's name, then its fields in
 * workload.md's order, comma-separated decimals ({@link OutputLine}'s format), without allocating. A dead letter
 * keeps the file sink's default format.
 */
public final class FraudOutputFormat implements FileSink.OutputFormatter
{
    @Override
    public int format(final Output output, final MutableDirectBuffer line, final int offset)
    {
        if (output.type() == Output.DEAD_LETTER)
        {
            return FileSink.DEFAULT_FORMAT.format(output, line, offset);
        }
        final OutputKind kind = OutputKind.fromNumber(output.type());
        int at = offset + line.putStringWithoutLengthAscii(offset, kind.name());
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            line.putByte(at++, (byte)OutputLine.SEPARATOR);
            at += line.putLongAscii(at, FraudOutput.field(output.buffer(), output.offset(), i));
        }
        return at - offset;
    }
}
