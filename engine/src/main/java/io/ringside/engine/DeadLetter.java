package io.ringside.engine;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * The payload of a {@link Output#DEAD_LETTER} output: the reason, then the event's bytes, untouched.
 * <pre>
 *  0: reason length (int32), 4: reason (UTF-8), 4 + reason length: event bytes
 * </pre>
 * Decoding allocates (the reason string): dead letters are the exception, not the hot path.
 */
public final class DeadLetter
{
    private DeadLetter()
    {
    }

    /**
     * @return why the event was dead-lettered (the exception's class and message).
     */
    public static String reason(final Output output)
    {
        final DirectBuffer buffer = output.buffer();
        final int length = buffer.getInt(output.offset());
        final byte[] bytes = new byte[length];
        buffer.getBytes(output.offset() + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return where the event's bytes start in {@code output.buffer()}.
     */
    public static int eventOffset(final Output output)
    {
        return output.offset() + 4 + output.buffer().getInt(output.offset());
    }

    /**
     * @return how many event bytes the dead letter carries.
     */
    public static int eventLength(final Output output)
    {
        return output.length() - 4 - output.buffer().getInt(output.offset());
    }
}
