package io.ringside.perf.fraud;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Workload v2's 48-byte event, little-endian: v1's {@link FraudEvent} whose last int (v1's flags) is its type, with the
 * middle fields read by type:
 * <pre>
 *  offset  type    TXN (type 0)     PROFILE (type 1)                   CAPTURE (type 2)
 *       0  int64   eventId          eventId                            eventId
 *       8  int64   cardId (key)     cardId                             cardId of the captured TXN
 *      16  int64   merchantId       limitCents (0: delete the profile) eventId of the captured TXN
 *      24  int64   amountCents      homeCountry                        amountCents of the captured TXN
 *      32  int64   eventTimeMs      eventTimeMs                        eventTimeMs
 *      40  int32   country          0                                  0
 *      44  int32   0                1                                  2
 * </pre>
 * A v1 event is a v2 TXN. The fields shared with v1 are read through {@link FraudEvent}. Static accessors over any
 * buffer and offset: stateless, any thread (the buffer's own rules apply).
 */
public final class FraudV2Event
{
    public static final int TXN = 0;
    public static final int PROFILE = 1;
    public static final int CAPTURE = 2;
    public static final int TYPE_OFFSET = FraudEvent.FLAGS_OFFSET;

    private FraudV2Event()
    {
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + TYPE_OFFSET, FraudEvent.BYTE_ORDER);
    }

    /**
     * @return a PROFILE's limit in cents (0: a delete).
     */
    public static long limitCents(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FraudEvent.MERCHANT_ID_OFFSET, FraudEvent.BYTE_ORDER);
    }

    /**
     * @return a PROFILE's home country.
     */
    public static long homeCountry(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FraudEvent.AMOUNT_CENTS_OFFSET, FraudEvent.BYTE_ORDER);
    }

    /**
     * @return a CAPTURE's captured TXN's event id.
     */
    public static long txnEventId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FraudEvent.MERCHANT_ID_OFFSET, FraudEvent.BYTE_ORDER);
    }

    /**
     * Writes a whole event of any type: the 48 bytes of the table above.
     */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long eventId,
        final long cardId,
        final long field16,
        final long field24,
        final long eventTimeMs,
        final int country,
        final int type)
    {
        FraudEvent.write(buffer, offset, eventId, cardId, field16, field24, eventTimeMs, country);
        buffer.putInt(offset + TYPE_OFFSET, type, FraudEvent.BYTE_ORDER);
    }
}
