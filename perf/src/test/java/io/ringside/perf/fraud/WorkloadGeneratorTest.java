package io.ringside.perf.fraud;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadGeneratorTest
{
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);

    @Test
    void shouldStartWithTheseEventsForSeed42()
    {
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        for (final long[] expected : FIRST_EVENTS_SEED_42)
        {
            assertTrue(generator.next(event, 0));
            assertArrayEquals(expected, fields(event), FraudEvent.toString(event, 0));
        }
        generator.skipTo(1_015);
        assertTrue(generator.next(event, 0));
        assertArrayEquals(FIRST_DUPLICATE_SEED_42, fields(event), FraudEvent.toString(event, 0));
    }

    @Test
    void shouldFollowTheContractDrawForDraw()
    {
        for (final long seed : new long[] {42, 1, -7})
        {
            final List<long[]> expected = SpecGenerator.events(seed, 5_000, 10_000);
            final WorkloadGenerator generator = new WorkloadGenerator(seed, 5_000, 10_000);
            for (int i = 0; i < expected.size(); i++)
            {
                assertTrue(generator.next(event, 0));
                assertArrayEquals(expected.get(i), fields(event), "seed " + seed + " event " + i);
                assertEquals(0, FraudEvent.flags(event, 0));
            }
            assertFalse(generator.next(event, 0));
            assertEquals(5_000, generator.index());
        }
    }

    @Test
    void shouldMatchTheContractsMathAmountsOverTheSmokeSize()
    {
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        for (final long[] expected : SpecGenerator.events(42, WorkloadSize.SMOKE.events(), WorkloadSize.SMOKE.cards()))
        {
            assertTrue(generator.next(event, 0));
            assertArrayEquals(expected, fields(event));
        }
    }

    @Test
    void shouldBeDeterministicForASeed()
    {
        final WorkloadGenerator a = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        final WorkloadGenerator b = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        final WorkloadGenerator other = new WorkloadGenerator(WorkloadSize.SMOKE, 43);
        final UnsafeBuffer eventB = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        int differentFromOtherSeed = 0;
        while (a.next(event, 0))
        {
            assertTrue(b.next(eventB, 0));
            assertArrayEquals(event.byteArray(), eventB.byteArray());
            other.next(eventB, 0);
            differentFromOtherSeed += Arrays.equals(event.byteArray(), eventB.byteArray()) ? 0 : 1;
        }
        assertFalse(b.next(eventB, 0));
        assertTrue(differentFromOtherSeed > 99_000);
    }

    @Test
    void shouldDuplicateAboutOnePercentFromIndex1000AndLateAboutOneInAThousand()
    {
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        final long[] eventIdAt = new long[(int)WorkloadSize.SMOKE.events()];
        long duplicates = 0;
        long late = 0;
        long fresh = 0;
        for (int i = 0; generator.next(event, 0); i++)
        {
            final long eventId = FraudEvent.eventId(event, 0);
            eventIdAt[i] = eventId;
            if (eventId != i + 1)
            {
                assertTrue(i >= 1_000, "a duplicate before index 1,000 at " + i);
                assertTrue(eventId < i + 1, "a duplicate repeats an earlier event");
                assertTrue(contains(eventIdAt, i - 1_000, i, eventId), "a duplicate repeats one of the last 1,000 events");
                duplicates++;
                continue;
            }
            fresh++;
            final long clockMs = WorkloadGenerator.T0_MS + i / 10;
            final long behindMs = clockMs - FraudEvent.eventTimeMs(event, 0);
            assertTrue(behindMs >= 0 && behindMs < 62_000, "event time behind the clock by " + behindMs);
            late += behindMs >= 2_000 ? 1 : 0;
            checkRanges(i);
        }
        final double duplicateRate = duplicates / (double)(WorkloadSize.SMOKE.events() - 1_000);
        final double lateRate = late / (double)fresh;
        System.out.printf("generator seed 42 smoke: duplicates %d (%.4f of i >= 1000), late %d (%.5f)%n", duplicates, duplicateRate, late, lateRate);
        assertTrue(duplicateRate > 0.009 && duplicateRate < 0.011, "duplicate rate " + duplicateRate);
        assertTrue(lateRate > 0.0006 && lateRate < 0.0014, "late rate " + lateRate);
    }

    @Test
    void shouldSkipToAnIndexForwardAndBack()
    {
        final WorkloadGenerator reference = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        final byte[][] expected = new byte[3_000][];
        for (int i = 0; i < expected.length; i++)
        {
            reference.next(event, 0);
            expected[i] = event.byteArray().clone();
        }
        final WorkloadGenerator generator = new WorkloadGenerator(WorkloadSize.SMOKE, 42);
        for (final int target : new int[] {2_500, 1_234, 1_234, 0, 2_999, 17})
        {
            generator.skipTo(target);
            assertEquals(target, generator.index());
            generator.next(event, 0);
            assertArrayEquals(expected[target], event.byteArray(), "event " + target);
            assertEquals(target + 1, generator.index());
        }
        assertThrows(IllegalArgumentException.class, () -> generator.skipTo(WorkloadSize.SMOKE.events() + 1));
        generator.skipTo(WorkloadSize.SMOKE.events());
        assertFalse(generator.next(event, 0));
    }

    @Test
    void shouldRefuseFewerThan100Cards()
    {
        assertThrows(IllegalArgumentException.class, () -> new WorkloadGenerator(1, 10, 99));
        assertThrows(IllegalArgumentException.class, () -> new WorkloadGenerator(1, -1, 100));
    }

    @Test
    void shouldAllocateNothingPerEvent()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final WorkloadGenerator generator = new WorkloadGenerator(42, 400_000, 10_000);
        generator.skipTo(100_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        long sum = 0;
        while (generator.next(event, 0))
        {
            sum += FraudEvent.amountCents(event, 0);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sum > 0);
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes over 300,000 events");
    }

    private void checkRanges(final int i)
    {
        final long cardId = FraudEvent.cardId(event, 0);
        final long amountCents = FraudEvent.amountCents(event, 0);
        final int country = FraudEvent.country(event, 0);
        assertTrue(cardId >= 0 && cardId < WorkloadSize.SMOKE.cards(), "card " + cardId + " at " + i);
        assertTrue(amountCents >= 100 && amountCents < 1_000_000, "amount " + amountCents + " at " + i);
        assertTrue(FraudEvent.merchantId(event, 0) >= 0 && FraudEvent.merchantId(event, 0) < 100_000);
        assertTrue(country >= 0 && country < 200, "country " + country + " at " + i);
        assertEquals(0, FraudEvent.flags(event, 0));
    }

    private static boolean contains(final long[] values, final int from, final int to, final long value)
    {
        for (int i = from; i < to; i++)
        {
            if (values[i] == value)
            {
                return true;
            }
        }
        return false;
    }

    private static long[] fields(final UnsafeBuffer event)
    {
        return new long[] {
            FraudEvent.eventId(event, 0),
            FraudEvent.cardId(event, 0),
            FraudEvent.merchantId(event, 0),
            FraudEvent.amountCents(event, 0),
            FraudEvent.eventTimeMs(event, 0),
            FraudEvent.country(event, 0)};
    }

    /**
     * Seed 42, K = 10,000: {eventId, cardId, merchantId, amountCents, eventTimeMs, country}, as first computed
     * from the contract; a change in the order of draws changes them.
     */
    private static final long[][] FIRST_EVENTS_SEED_42 = {
        {1L, 45L, 94531L, 141L, 1699999998118L, 45L},
        {2L, 2L, 55699L, 9374L, 1699999998897L, 2L},
        {3L, 65L, 31504L, 236L, 1699999999570L, 15L},
        {4L, 1962L, 1498L, 1289L, 1699999999624L, 12L},
    };

    /**
     * Seed 42, K = 10,000: the first duplicate, at index 1,015, repeats event id 712 (emitted 304 events before).
     */
    private static final long[] FIRST_DUPLICATE_SEED_42 = {712L, 94L, 68625L, 11381L, 1699999998558L, 44L};
}
