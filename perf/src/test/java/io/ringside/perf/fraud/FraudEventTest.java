package io.ringside.perf.fraud;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FraudEventTest
{
    @Test
    void shouldLayFieldsOutLittleEndianAtTheContractsOffsets()
    {
        final byte[] bytes = new byte[FraudEvent.LENGTH + 8];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        FraudEvent.write(buffer, 8, 0x0102030405060708L, 2, 3, 4, 5, 0x0A0B0C0D);

        assertEquals(48, FraudEvent.LENGTH);
        assertEquals(0x08, bytes[8]);
        assertEquals(0x01, bytes[8 + 7]);
        assertEquals(2, bytes[8 + 8]);
        assertEquals(3, bytes[8 + 16]);
        assertEquals(4, bytes[8 + 24]);
        assertEquals(5, bytes[8 + 32]);
        assertEquals(0x0D, bytes[8 + 40]);
        assertEquals(0x0A, bytes[8 + 43]);
        assertEquals(0, bytes[8 + 44] | bytes[8 + 45] | bytes[8 + 46] | bytes[8 + 47]);

        assertEquals(0x0102030405060708L, FraudEvent.eventId(buffer, 8));
        assertEquals(2, FraudEvent.cardId(buffer, 8));
        assertEquals(3, FraudEvent.merchantId(buffer, 8));
        assertEquals(4, FraudEvent.amountCents(buffer, 8));
        assertEquals(5, FraudEvent.eventTimeMs(buffer, 8));
        assertEquals(0x0A0B0C0D, FraudEvent.country(buffer, 8));
        assertEquals(0, FraudEvent.flags(buffer, 8));
    }
}
