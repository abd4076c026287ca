package io.ringside.ingest.aeron;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Checks an event that came over Aeron before the ingress publishes it, and gives its engine key. Called on the
 * ingress thread, once per message: must not allocate.
 */
public interface MessageDecoder
{
    /**
     * @return null if the event can be published, else why not (a constant ASCII string: it goes back to the sender in
     * the dead letter).
     */
    String check(DirectBuffer buffer, int offset, int length);

    /**
     * @return the engine key of an event that {@link #check} accepted.
     */
    long key(DirectBuffer buffer, int offset, int length);

    /**
     * @param length    the only event length accepted.
     * @param keyOffset where the 8-byte key is in the event.
     * @param order     the key's byte order.
     * @return a decoder for events of exactly {@code length} bytes keyed by the long at {@code keyOffset}.
     */
    static MessageDecoder fixedLength(final int length, final int keyOffset, final ByteOrder order)
    {
        if (keyOffset < 0 || keyOffset + 8 > length)
        {
            throw new IllegalArgumentException("a key at " + keyOffset + " does not fit in " + length + " bytes");
        }
        final String wrongLength = "event is not " + length + " bytes";
        return new MessageDecoder()
        {
            @Override
            public String check(final DirectBuffer buffer, final int offset, final int eventLength)
            {
                return eventLength != length ? wrongLength : null;
            }

            @Override
            public long key(final DirectBuffer buffer, final int offset, final int eventLength)
            {
                return buffer.getLong(offset + keyOffset, order);
            }
        };
    }
}
