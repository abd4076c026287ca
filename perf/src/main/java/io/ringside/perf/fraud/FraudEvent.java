package io.ringside.perf.fraud;

import java.nio.ByteOrder;

import io.ringside.engine.rule.Flyweight;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The workload's 48-byte event (workload.md, v1), little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   Event id (int64): a re-sent duplicate repeats it            |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Card id (int64): the key                                    |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Merchant id (int64)                                         | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Amount in cents (int64)                                     | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Event time, epoch millis (int64)                            | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Country, 0..199 (int32)                                     | 40
 *  +---------------------------------------------------------------+
 *  |   Flags (int32): 0, reserved                                  | 44
 *  +---------------------------------------------------------------+
 * </pre>
 * A flyweight ({@link Flyweight}): {@code wrap(event)} then the typed getters, or {@code wrap(buffer, offset)} then the
 * setters; one instance per user, no allocation. The static accessors read any buffer and offset with the same offsets:
 * stateless, any thread (the buffer's own rules apply).
 */
public final class FraudEvent extends Flyweight<FraudEvent>
{
    public static final int EVENT_ID_OFFSET = 0;
    public static final int CARD_ID_OFFSET = 8;
    public static final int MERCHANT_ID_OFFSET = 16;
    public static final int AMOUNT_CENTS_OFFSET = 24;
    public static final int EVENT_TIME_MS_OFFSET = 32;
    public static final int COUNTRY_OFFSET = 40;
    public static final int FLAGS_OFFSET = 44;
    public static final int LENGTH = 48;

    public static final ByteOrder BYTE_ORDER = Flyweight.BYTE_ORDER;

    @Override
    public int length()
    {
        return LENGTH;
    }

    public long eventId()
    {
        return getLong(EVENT_ID_OFFSET);
    }

    public long cardId()
    {
        return getLong(CARD_ID_OFFSET);
    }

    public long merchantId()
    {
        return getLong(MERCHANT_ID_OFFSET);
    }

    public long amountCents()
    {
        return getLong(AMOUNT_CENTS_OFFSET);
    }

    public long eventTimeMs()
    {
        return getLong(EVENT_TIME_MS_OFFSET);
    }

    public int country()
    {
        return getInt(COUNTRY_OFFSET);
    }

    /**
     * @return 0 in v1; in v2 the event's type ({@link FraudV2Event#TYPE_OFFSET}).
     */
    public int flags()
    {
        return getInt(FLAGS_OFFSET);
    }

    public FraudEvent eventId(final long value)
    {
        return putLong(EVENT_ID_OFFSET, value);
    }

    public FraudEvent cardId(final long value)
    {
        return putLong(CARD_ID_OFFSET, value);
    }

    public FraudEvent merchantId(final long value)
    {
        return putLong(MERCHANT_ID_OFFSET, value);
    }

    public FraudEvent amountCents(final long value)
    {
        return putLong(AMOUNT_CENTS_OFFSET, value);
    }

    public FraudEvent eventTimeMs(final long value)
    {
        return putLong(EVENT_TIME_MS_OFFSET, value);
    }

    public FraudEvent country(final int value)
    {
        return putInt(COUNTRY_OFFSET, value);
    }

    public FraudEvent flags(final int value)
    {
        return putInt(FLAGS_OFFSET, value);
    }

    public static long eventId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EVENT_ID_OFFSET, BYTE_ORDER);
    }

    public static long cardId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CARD_ID_OFFSET, BYTE_ORDER);
    }

    public static long merchantId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MERCHANT_ID_OFFSET, BYTE_ORDER);
    }

    public static long amountCents(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + AMOUNT_CENTS_OFFSET, BYTE_ORDER);
    }

    public static long eventTimeMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EVENT_TIME_MS_OFFSET, BYTE_ORDER);
    }

    public static int country(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNTRY_OFFSET, BYTE_ORDER);
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FLAGS_OFFSET, BYTE_ORDER);
    }

    /**
     * Writes a whole event, flags 0.
     */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long eventId,
        final long cardId,
        final long merchantId,
        final long amountCents,
        final long eventTimeMs,
        final int country)
    {
        buffer.putLong(offset + EVENT_ID_OFFSET, eventId, BYTE_ORDER);
        buffer.putLong(offset + CARD_ID_OFFSET, cardId, BYTE_ORDER);
        buffer.putLong(offset + MERCHANT_ID_OFFSET, merchantId, BYTE_ORDER);
        buffer.putLong(offset + AMOUNT_CENTS_OFFSET, amountCents, BYTE_ORDER);
        buffer.putLong(offset + EVENT_TIME_MS_OFFSET, eventTimeMs, BYTE_ORDER);
        buffer.putInt(offset + COUNTRY_OFFSET, country, BYTE_ORDER);
        buffer.putInt(offset + FLAGS_OFFSET, 0, BYTE_ORDER);
    }

    /**
     * @return the event as {@code eventId=.. cardId=..} text, for messages and debugging (allocates).
     */
    public static String toString(final DirectBuffer buffer, final int offset)
    {
        return "eventId=" + eventId(buffer, offset) + " cardId=" + cardId(buffer, offset) +
            " merchantId=" + merchantId(buffer, offset) + " amountCents=" + amountCents(buffer, offset) +
            " eventTimeMs=" + eventTimeMs(buffer, offset) + " country=" + country(buffer, offset) +
            " flags=" + flags(buffer, offset);
    }
}
