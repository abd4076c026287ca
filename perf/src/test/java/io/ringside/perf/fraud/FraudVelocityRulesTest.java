package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.ringside.perf.fraud.FraudScenario.T;
import static io.ringside.perf.fraud.FraudScenario.line;
import static io.ringside.perf.fraud.OutputKind.AMOUNT;
import static io.ringside.perf.fraud.OutputKind.COUNTRY;
import static io.ringside.perf.fraud.OutputKind.DUPLICATE;
import static io.ringside.perf.fraud.OutputKind.HOPPING;
import static io.ringside.perf.fraud.OutputKind.LATE;
import static io.ringside.perf.fraud.OutputKind.SESSION;
import static io.ringside.perf.fraud.OutputKind.TUMBLING;
import static io.ringside.perf.fraud.OutputKind.VELOCITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each rule of workload.md v1 on a tiny hand-computed stream, asserting the exact output records of the reference
 * (and, with one source, that both plain-Java implementations produce the same after every event). Amount 100 and
 * country 1 unless given; T is a multiple of 60,000.
 */
class FraudVelocityRulesTest
{
    @Test
    void shouldEmitDuplicateForAResentEventAndCountTheEventOnce()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000)
            .resend(1)
            .resend(1)
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(line(DUPLICATE, 1)), result.after(1));
        assertEquals(List.of(line(DUPLICATE, 1)), result.after(2));
        assertEquals(List.of(line(TUMBLING, 7, T, T + 60_000, 1, 100)), result.all(TUMBLING));
        assertEquals(List.of(line(SESSION, 7, T + 1_000, T + 1_000, 1, 100, 1)), result.all(SESSION));
    }

    @Test
    void shouldJudgeLateStrictlyAndKeepALateEventsIdRemembered()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 20_000)             // W = T + 18,000
            .event(2, 7, T + 13_000, 100, 2)     // = W - 5,000: late, touches nothing, raises nothing
            .event(3, 7, T + 13_001)             // > W - 5,000: accepted; no COUNTRY against the late one
            .resend(2)                           // the late event's id stays remembered
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(line(LATE, 2)), result.after(1));
        assertEquals(List.of(), result.after(2));
        assertEquals(List.of(line(DUPLICATE, 2)), result.after(3));
        assertEquals(List.of(line(TUMBLING, 7, T, T + 60_000, 2, 200)), result.all(TUMBLING));
        assertEquals(List.of(line(SESSION, 7, T + 13_001, T + 20_000, 2, 200, 1)), result.all(SESSION));
    }

    /**
     * The contract remembers an id at least while its eventTimeMs > W - 600,000 and lets it be forgotten after;
     * the implementations here forget it exactly then, so that they agree on streams that re-send that late.
     */
    @Test
    void shouldRememberAnIdWhileItsTimeIsAboveWatermarkMinusTenMinutesAndForgetItAtThatBound()
    {
        final FraudScenario.Result remembered = FraudScenario.oneSource()
            .event(1, 7, T + 1_000)
            .event(2, 8, T + 602_999)            // W = T + 600,999: W - 600,000 = T + 999 < T + 1,000
            .resend(1)
            .run();
        assertEquals(List.of(line(DUPLICATE, 1)), remembered.after(2));

        final FraudScenario.Result forgotten = FraudScenario.oneSource()
            .event(1, 7, T + 1_000)
            .event(2, 8, T + 603_000)            // W = T + 601,000: W - 600,000 = T + 1,000
            .resend(1)                           // judged as a new event: late
            .resend(1)                           // and remembered again, but already past the bound
            .run();
        assertEquals(List.of(line(LATE, 1)), forgotten.after(2));
        assertEquals(List.of(line(LATE, 1)), forgotten.after(3));
    }

    @Test
    void shouldCloseATumblingWindowExactlyWhenItsEndPlusLatenessReachesTheWatermark()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000)
            .event(2, 7, T + 66_999)             // W = T + 64,999: end + 5,000 = T + 65,000 > W
            .event(3, 7, T + 67_000)             // W = T + 65,000: closes
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(line(SESSION, 7, T + 1_000, T + 1_000, 1, 100, 1)), result.after(1));
        assertEquals(List.of(
            line(TUMBLING, 7, T, T + 60_000, 1, 100),
            line(HOPPING, 7, T - 240_000, T + 60_000, 1, 100)), result.after(2));
        assertEquals(List.of(line(TUMBLING, 7, T + 60_000, T + 120_000, 2, 200)), result.atEnd(TUMBLING));
    }

    @Test
    void shouldMergeTheSessionsThatAnEventBridges()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000, 100, 1)
            .event(2, 7, T + 32_000, 200, 2)     // 31,000 after: a second session; W = T + 30,000
            .event(3, 7, T + 26_000, 300, 3)     // inside both gaps: merges them
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(), result.after(1));                    // 31,000 apart: no COUNTRY either
        assertEquals(List.of(line(COUNTRY, 7, 3)), result.after(2));
        assertEquals(List.of(line(SESSION, 7, T + 1_000, T + 32_000, 3, 600, 3)), result.all(SESSION));
    }

    @Test
    void shouldNotJoinEventsExactly30SecondsApart()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000)
            .event(2, 8, T + 1_000)
            .event(3, 8, T + 30_999)             // 29,999 after: joins
            .event(4, 7, T + 31_000)             // 30,000 after: does not
            .run();

        assertEquals(List.of(
            line(SESSION, 7, T + 1_000, T + 1_000, 1, 100, 1),
            line(SESSION, 8, T + 1_000, T + 30_999, 2, 200, 1),
            line(SESSION, 7, T + 31_000, T + 31_000, 1, 100, 1)), result.all(SESSION));
    }

    @Test
    void shouldTakeASessionsFirstAndLastFromEventTimesWhateverTheArrivalOrder()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 9, T + 10_000, 100, 4)
            .event(2, 9, T + 5_000, 100, 5)
            .event(3, 9, T + 7_000, 100, 4)
            .run();

        assertEquals(List.of(line(SESSION, 9, T + 5_000, T + 10_000, 3, 300, 2)), result.all(SESSION));
    }

    @Test
    void shouldAlertVelocityOnceAtThe21stEventOfAWindow()
    {
        final FraudScenario scenario = FraudScenario.oneSource();
        for (int i = 0; i < 22; i++)
        {
            scenario.event(i + 1, 7, T + 1_000 + i);
        }
        final FraudScenario.Result result = scenario.run();

        assertEquals(List.of(), result.after(19));
        assertEquals(List.of(line(VELOCITY, 7, 21, T)), result.after(20));
        assertEquals(List.of(), result.after(21));
        assertEquals(List.of(line(VELOCITY, 7, 21, T)), result.all(VELOCITY));
        assertEquals(List.of(line(TUMBLING, 7, T, T + 60_000, 22, 2_200)), result.all(TUMBLING));
    }

    @Test
    void shouldNotAlertVelocityFor21EventsInTwoWindows()
    {
        final FraudScenario scenario = FraudScenario.oneSource();
        for (int i = 0; i < 20; i++)
        {
            scenario.event(i + 1, 7, T + 59_000 + i);
        }
        final FraudScenario.Result result = scenario.event(21, 7, T + 60_000).run();

        assertEquals(List.of(), result.all(VELOCITY));
        assertEquals(List.of(
            line(TUMBLING, 7, T, T + 60_000, 20, 2_000),
            line(TUMBLING, 7, T + 60_000, T + 120_000, 1, 100)), result.all(TUMBLING));
    }

    @Test
    void shouldAlertAmountOnceWhenTheSumFirstExceedsTheLimit()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000, 300_000, 1)
            .event(2, 7, T + 2_000, 200_000, 1)  // 500,000: does not exceed
            .event(3, 7, T + 3_000, 1, 1)        // 500,001
            .event(4, 7, T + 4_000, 1_000_000, 1)
            .run();

        assertEquals(List.of(), result.after(1));
        assertEquals(List.of(line(AMOUNT, 7, 3, T)), result.after(2));
        assertEquals(List.of(line(AMOUNT, 7, 3, T)), result.all(AMOUNT));
    }

    @Test
    void shouldAlertCountryEveryTimeWithin30SecondsAndNotBeyond()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000, 100, 1)
            .event(2, 7, T + 31_000, 100, 2)     // 30,000 after, another country
            .event(3, 7, T + 61_001, 100, 3)     // 30,001 after
            .event(4, 7, T + 61_001, 100, 1)     // 0 after, another country
            .event(5, 7, T + 61_002, 100, 1)     // same country
            .event(6, 7, T + 56_000, 100, 2)     // 5,002 before the previous one, another country
            .run();

        assertEquals(List.of(line(COUNTRY, 7, 2), line(COUNTRY, 7, 4), line(COUNTRY, 7, 6)), result.all(COUNTRY));
        assertEquals(List.of(line(COUNTRY, 7, 2)), result.after(1));
        assertEquals(List.of(line(COUNTRY, 7, 6)), result.after(5));
    }

    @Test
    void shouldCompareCountryWithThePreviousAcceptedEventOnlyNeverALateOrDuplicateOne()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 20_000, 100, 1)     // W = T + 18,000
            .event(2, 7, T + 10_000, 100, 2)     // late
            .event(3, 7, T + 21_000, 100, 1)     // previous accepted: 1, country 1
            .resend(2)
            .event(4, 7, T + 22_000, 100, 2)     // previous accepted: 3, country 1
            .resend(3)                           // country 1, a duplicate
            .event(5, 7, T + 23_000, 100, 2)     // previous accepted: 4, country 2
            .run();

        assertEquals(List.of(line(LATE, 2)), result.after(1));
        assertEquals(List.of(), result.after(2));
        assertEquals(List.of(line(DUPLICATE, 2)), result.after(3));
        assertEquals(List.of(line(COUNTRY, 7, 4)), result.after(4));
        assertEquals(List.of(line(DUPLICATE, 3)), result.after(5));
        assertEquals(List.of(), result.after(6));
    }

    @Test
    void shouldCloseEveryOpenWindowAtTheEndOfInput()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T + 1_000, 100, 1)
            .event(2, 8, T + 2_000, 250, 3)
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(), result.after(1));
        final List<String> expected = new ArrayList<>(List.of(
            line(SESSION, 7, T + 1_000, T + 1_000, 1, 100, 1),
            line(SESSION, 8, T + 2_000, T + 2_000, 1, 250, 1),
            line(TUMBLING, 7, T, T + 60_000, 1, 100),
            line(TUMBLING, 8, T, T + 60_000, 1, 250)));
        for (long start = T - 240_000; start <= T; start += 60_000)
        {
            expected.add(line(HOPPING, 7, start, start + 300_000, 1, 100));
            expected.add(line(HOPPING, 8, start, start + 300_000, 1, 250));
        }
        assertEquals(expected, result.atEnd());
    }

    @Test
    void shouldPutEachEventInTheFiveHoppingWindowsStartingWithinTheLast300Seconds()
    {
        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, T)                      // starts in (T - 300,000, T]: T - 240,000 .. T
            .event(2, 7, T + 59_999)             // the same five
            .event(3, 7, T + 60_000)             // T - 180,000 .. T + 60,000
            .run();

        assertEquals(List.of(
            line(HOPPING, 7, T - 240_000, T + 60_000, 2, 200),
            line(HOPPING, 7, T - 180_000, T + 120_000, 3, 300),
            line(HOPPING, 7, T - 120_000, T + 180_000, 3, 300),
            line(HOPPING, 7, T - 60_000, T + 240_000, 3, 300),
            line(HOPPING, 7, T, T + 300_000, 3, 300),
            line(HOPPING, 7, T + 60_000, T + 360_000, 1, 100)), result.all(HOPPING));
    }

    @Test
    void shouldNotWrapWatermarkArithmeticNearLongMinValue()
    {
        final long b = Long.MIN_VALUE + 355_808;
        assertEquals(0, Math.floorMod(b, 60_000L), "b is a tumbling start: 2^63 mod 60,000 = 55,808");

        final FraudScenario.Result result = FraudScenario.oneSource()
            .event(1, 7, b + 10_000)             // W was Long.MIN_VALUE: not late; W = b + 8,000
            .resend(1)                           // W - 600,000 is below Long.MIN_VALUE: still remembered
            .event(2, 7, b + 3_000)              // = W - 5,000: late
            .event(3, 7, b + 3_001)
            .run();

        assertEquals(List.of(), result.after(0));
        assertEquals(List.of(line(DUPLICATE, 1)), result.after(1));
        assertEquals(List.of(line(LATE, 2)), result.after(2));
        assertEquals(List.of(), result.after(3));
        assertEquals(List.of(line(TUMBLING, 7, b, b + 60_000, 2, 200)), result.all(TUMBLING));
        assertEquals(List.of(line(HOPPING, 7, b - 240_000, b + 60_000, 2, 200)), result.all(HOPPING).subList(0, 1));
        assertEquals(List.of(line(SESSION, 7, b + 3_001, b + 10_000, 2, 200, 1)), result.all(SESSION));
    }

    @Test
    void shouldAcceptTheSmallestSupportedEventTimeAndRefuseOneBelow()
    {
        final long t = FraudVelocityRules.MIN_EVENT_TIME_MS;
        assertEquals(4_192, Math.floorMod(t, 60_000L));
        final FraudScenario.Result result = FraudScenario.oneSource().event(1, 7, t).run();

        final long start = Long.MIN_VALUE + 295_808;
        assertEquals(List.of(line(TUMBLING, 7, start, start + 60_000, 1, 100)), result.all(TUMBLING));
        assertEquals(line(HOPPING, 7, Long.MIN_VALUE + 55_808, Long.MIN_VALUE + 355_808, 1, 100), result.all(HOPPING).get(0));

        final FraudScenario below = FraudScenario.oneSource().event(1, 7, t - 1);
        assertThrows(IllegalArgumentException.class, () -> FraudScenario.runReference(1, below.events()));
        assertThrows(IllegalArgumentException.class, () -> FraudScenario.runPlain(below.events()));
        assertThrows(IllegalArgumentException.class, () -> FraudScenario.runFast(below.events()));
    }

    @Test
    void shouldJudgeLatenessPerSourceAndCloseOnTheMinimumWatermark()
    {
        final FraudScenario.Result result = new FraudScenario(2)
            .eventOn(0, 1, 7, T + 1_000)
            .eventOn(0, 2, 7, T + 100_000)       // W0 = T + 98,000; W1 = Long.MIN_VALUE: W = Long.MIN_VALUE
            .eventOn(1, 3, 8, T + 2_000)         // late against W0, not against W1; W1 = T: W = T
            .eventOn(0, 4, 7, T + 93_000)        // = W0 - 5,000: late
            .eventOn(1, 5, 8, T + 40_000)        // W1 = T + 38,000 = W: sessions ending by T + 33,000 close
            .eventOn(1, 6, 8, T + 34_000)        // late against W0, not against W1 (T + 33,000)
            .run();

        assertEquals(List.of(), result.after(1));
        assertEquals(List.of(), result.after(2));
        assertEquals(List.of(line(LATE, 4)), result.after(3));
        assertEquals(List.of(
            line(SESSION, 7, T + 1_000, T + 1_000, 1, 100, 1),
            line(SESSION, 8, T + 2_000, T + 2_000, 1, 100, 1)), result.after(4));
        assertEquals(List.of(), result.after(5));
        assertEquals(List.of(
            line(TUMBLING, 7, T, T + 60_000, 1, 100),
            line(TUMBLING, 8, T, T + 60_000, 3, 300),
            line(TUMBLING, 7, T + 60_000, T + 120_000, 1, 100)), result.atEnd(TUMBLING));
        assertEquals(List.of(
            line(SESSION, 8, T + 34_000, T + 40_000, 2, 200, 1),
            line(SESSION, 7, T + 100_000, T + 100_000, 1, 100, 1)), result.atEnd(SESSION));
    }

    @Test
    void shouldRefuseEventsAfterTheEndOfInput()
    {
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(new ChecksumReport());
        plain.endOfInput();
        assertThrows(IllegalStateException.class, () -> plain.onEvent(1, 7, 100, T, 1));
        final FastPlainFraudVelocity fast = new FastPlainFraudVelocity(new ChecksumReport());
        fast.endOfInput();
        assertThrows(IllegalStateException.class, () -> fast.onEvent(1, 7, 100, T, 1));
    }
}
