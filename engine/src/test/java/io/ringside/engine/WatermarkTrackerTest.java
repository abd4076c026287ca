package io.ringside.engine;

import io.ringside.engine.runtime.Slot;
import io.ringside.engine.runtime.WatermarkTracker;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WatermarkTrackerTest
{
    private static final long T0 = 1_700_000_000_000L;

    private final Slot slot = new Slot(new UnsafeBuffer(new byte[64]), 0, 64);

    private Slot data(final WatermarkTracker tracker, final int source, final long eventTime)
    {
        slot.type = SlotType.DATA;
        slot.sourceId = source;
        slot.partition = 0;
        slot.eventTime = eventTime;
        tracker.onData(slot);
        return slot;
    }

    private Slot tick(final WatermarkTracker tracker, final long timeMs)
    {
        slot.type = SlotType.TICK;
        slot.timestamp = timeMs;
        tracker.onTick(slot);
        return slot;
    }

    @Test
    void shouldStampTheSourceWatermarkBeforeAndTheGlobalOneAfterTheEvent()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2_000, 0);
        Slot s = data(tracker, 1, T0 + 10_000);
        assertEquals(Long.MIN_VALUE, s.sourceWatermark, "nothing before the first event");
        assertEquals(T0 + 8_000, s.watermark);
        s = data(tracker, 1, T0 + 5_000);
        assertEquals(T0 + 8_000, s.sourceWatermark);
        assertEquals(T0 + 8_000, s.watermark, "an older event does not move the watermark back");
        s = data(tracker, 1, T0 + 12_500);
        assertEquals(T0 + 8_000, s.sourceWatermark);
        assertEquals(T0 + 10_500, s.watermark);
    }

    @Test
    void shouldNeverWrapNearLongMinValue()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2_000, 0);
        final Slot s = data(tracker, 1, Long.MIN_VALUE + 5);
        assertEquals(Long.MIN_VALUE, s.watermark);
        assertEquals(Long.MIN_VALUE, WatermarkTracker.saturatingSubtract(Long.MIN_VALUE + 1_999, 2_000));
        assertEquals(Long.MAX_VALUE, WatermarkTracker.saturatingAdd(Long.MAX_VALUE - 3, 10));
    }

    @Test
    void shouldTakeTheMinimumOverDeclaredSourcesAndJudgeEachAgainstItsOwn()
    {
        final WatermarkTracker tracker = new WatermarkTracker(0, 0);
        tracker.expect(1, 0);
        tracker.expect(2, 0);
        assertEquals(Long.MIN_VALUE, data(tracker, 1, T0 + 50_000).watermark, "source 2 has not spoken: it holds the watermark back");
        Slot s = data(tracker, 2, T0 + 10_000);
        assertEquals(Long.MIN_VALUE, s.sourceWatermark, "source 2's own watermark, not source 1's");
        assertEquals(T0 + 10_000, s.watermark, "the minimum over sources");
        s = data(tracker, 1, T0 + 20_000);
        assertEquals(T0 + 50_000, s.sourceWatermark);
        assertEquals(T0 + 10_000, s.watermark);
        s = data(tracker, 2, T0 + 60_000);
        assertEquals(T0 + 50_000, s.watermark);
    }

    @Test
    void shouldLeaveATableSourceOutOfTheGlobalWatermarkButJudgeItsEventsAgainstItsOwn()
    {
        final WatermarkTracker tracker = new WatermarkTracker(0, 0);
        tracker.expect(1, 0);
        tracker.excludeFromWatermark(2);
        Slot s = data(tracker, 2, T0 + 10_000);
        assertEquals(Long.MIN_VALUE, s.watermark, "a table source does not move the watermark");
        s = data(tracker, 1, T0 + 50_000);
        assertEquals(T0 + 50_000, s.watermark, "nor hold it back: its W_s is behind");
        s = data(tracker, 2, T0 + 5_000);
        assertEquals(T0 + 10_000, s.sourceWatermark, "its own events are judged against its own W_s");
        assertEquals(T0 + 50_000, s.watermark);
        assertEquals(T0 + 50_000, data(tracker, 2, T0 + 90_000).watermark, "a table event ahead of time moves nothing");
        assertEquals(T0 + 60_000, data(tracker, 1, T0 + 60_000).watermark);
    }

    @Test
    void shouldRefuseASourceBothExpectedAndATableSource()
    {
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new EngineContext().directory(java.nio.file.Path.of("unused")).handlers(shard -> null).expectSource(2, 3).tableSource(2)
                .conclude());
        org.junit.jupiter.api.Assertions.assertTrue(ex.getMessage().contains("both expected"), ex.getMessage());
    }

    @Test
    void shouldNeverGoBackWhenAnUndeclaredSourceJoinsBehind()
    {
        final WatermarkTracker tracker = new WatermarkTracker(0, 0);
        assertEquals(T0 + 50_000, data(tracker, 1, T0 + 50_000).watermark);
        final Slot late = data(tracker, 2, T0 + 10_000);
        assertEquals(Long.MIN_VALUE, late.sourceWatermark);
        assertEquals(T0 + 50_000, late.watermark, "a source that joins behind cannot move the watermark back");
        assertEquals(T0 + 50_000, data(tracker, 1, T0 + 70_000).watermark, "but it holds it from now on");
        assertEquals(T0 + 60_000, data(tracker, 2, T0 + 60_000).watermark);
    }

    @Test
    void shouldStopAnIdleSourceHoldingTheWatermarkBackAndNeverGoBackWhenItReturns()
    {
        final WatermarkTracker tracker = new WatermarkTracker(0, 1_000);
        tracker.expect(1, 0);
        tracker.expect(2, 0);
        tick(tracker, 5_000);
        data(tracker, 1, T0 + 10_000);
        data(tracker, 2, T0 + 1_000);
        tick(tracker, 5_500);
        assertEquals(T0 + 1_000, data(tracker, 1, T0 + 20_000).watermark, "source 2 holds it back");
        tick(tracker, 6_000);
        assertEquals(T0 + 1_000, data(tracker, 1, T0 + 21_000).watermark, "not idle yet: its event counts as of tick 5500, 500 ms ago");
        assertEquals(T0 + 21_000, tick(tracker, 6_500).watermark, "1000 ms of ticks without source 2: idle");
        final Slot back = data(tracker, 2, T0 + 2_000);
        assertEquals(T0 + 1_000, back.sourceWatermark, "judged against its own watermark");
        assertEquals(T0 + 21_000, back.watermark, "the global watermark never goes back");
    }

    @Test
    void shouldMoveOnWithTickTimeWhenEverySourceIsIdle()
    {
        final WatermarkTracker tracker = new WatermarkTracker(0, 1_000);
        tick(tracker, 5_000);
        data(tracker, 1, T0 + 10_000);
        data(tracker, 2, T0 + 30_000);
        assertEquals(T0 + 10_000, tick(tracker, 5_500).watermark, "both spoke: active as of tick 5500");
        assertEquals(T0 + 10_000, tick(tracker, 6_499).watermark);
        assertEquals(T0 + 30_000, tick(tracker, 6_500).watermark, "all idle: from the largest source watermark");
        assertEquals(T0 + 32_500, tick(tracker, 9_000).watermark, "then with processing time");
        assertEquals(T0 + 32_500, data(tracker, 1, T0 + 12_000).watermark, "a returning source does not move it back");
    }

    @Test
    void shouldMoveToTheEndOfTimeAtTheEndOfInput()
    {
        final WatermarkTracker tracker = new WatermarkTracker(2_000, 0);
        data(tracker, 1, T0);
        slot.type = SlotType.SHUTDOWN;
        tracker.onEndOfInput(slot);
        assertEquals(Long.MAX_VALUE, slot.watermark);
    }
}
