package io.ringside.perf.fraud;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadGeneratorV2Test
{
    @Test
    void shouldResumeAtAnyIndexWithTheSameBytes()
    {
        final WorkloadGeneratorV2 straight = new WorkloadGeneratorV2(42, 30_000, 1_000);
        final UnsafeBuffer all = new UnsafeBuffer(new byte[30_000 * FraudEvent.LENGTH]);
        for (int i = 0; straight.next(all, i * FraudEvent.LENGTH); i++)
        {
            assertEquals(i + 1, straight.index());
        }
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final WorkloadGeneratorV2 resumed = new WorkloadGeneratorV2(42, 30_000, 1_000);
        for (final long at : new long[] {17_000, 2_500, 29_999})
        {
            resumed.skipTo(at);
            assertTrue(resumed.next(event, 0));
            for (int b = 0; b < FraudEvent.LENGTH; b++)
            {
                assertEquals(all.getByte((int)at * FraudEvent.LENGTH + b), event.getByte(b), "event " + at + ", byte " + b);
            }
        }
        assertFalse(resumed.next(event, 0));
    }

    @Test
    void shouldEmitTheThreeTypesInTheContractsProportions()
    {
        final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(WorkloadSize.SMOKE, 42);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final long[] types = new long[3];
        long capturesOfEarlierTxns = 0;
        while (generator.next(event, 0))
        {
            final int type = FraudV2Event.type(event, 0);
            types[type]++;
            if (type == FraudV2Event.CAPTURE && FraudV2Event.txnEventId(event, 0) < FraudEvent.eventId(event, 0))
            {
                capturesOfEarlierTxns++;
            }
            if (type == FraudV2Event.PROFILE)
            {
                final long limit = FraudV2Event.limitCents(event, 0);
                assertTrue(limit == 0 || (limit % 10_000 == 0 && limit <= 1_000_000), "limit " + limit);
            }
        }
        assertEquals(types[FraudV2Event.CAPTURE], capturesOfEarlierTxns, "a capture names an earlier TXN");
        assertTrue(types[FraudV2Event.PROFILE] > 2_500 && types[FraudV2Event.PROFILE] < 3_500, "about 3%: " + types[1]);
        assertTrue(types[FraudV2Event.CAPTURE] > 2_000 && types[FraudV2Event.CAPTURE] < 4_000,
            "at N = 100,000 few captures are due yet (0 to 1.5 M indexes after): " + types[2]);
    }
}
