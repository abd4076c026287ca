package io.ringside.perf;

import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntendedTimeHandlerTest
{
    private final List<String> calls = new ArrayList<>();
    private final ShardHandler delegate = new ShardHandler()
    {
        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            calls.add("event " + event.sourceOffset());
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context)
        {
            calls.add("watermark " + watermark);
        }

        @Override
        public long prefetchEarly(final Event event)
        {
            calls.add("early " + event.sourceOffset());
            return 5;
        }

        @Override
        public long prefetch(final Event event)
        {
            calls.add("prefetch " + event.sourceOffset());
            return 7;
        }

        @Override
        public boolean hasDueWork()
        {
            calls.add("due");
            return true;
        }

        @Override
        public void onClose()
        {
            calls.add("close");
        }
    };
    private final IntendedLatencyRecorder recorder = new IntendedLatencyRecorder();
    private final IntendedTimeHandler handler = new IntendedTimeHandler(delegate, recorder, 4);

    @Test
    void shouldRecordMeasuredEventsOnlyFromTheirStampedTime() throws Exception
    {
        final long now = System.nanoTime();
        assertEquals(0, handler.stamp(now - 1_000_000, LatencyEventDescriptor.WARM_UP));
        assertEquals(1, handler.stamp(now - 3_000_000_000L, LatencyEventDescriptor.MEASURED));
        assertEquals(2, handler.stamp(now - 2_000_000_000L, LatencyEventDescriptor.MEASURED));
        for (long n = 0; n < 3; n++)
        {
            handler.onEvent(new OffsetEvent(n), null);
        }

        assertEquals(List.of("event 0", "event 1", "event 2"), calls);
        assertEquals(3, handler.handled());
        assertEquals(2, recorder.histogram().getTotalCount());
        assertTrue(recorder.histogram().getMinValue() >= 2_000_000_000L * 0.999, "from the stamped time: " + recorder.histogram().getMinValue());
        assertTrue(recorder.histogram().getMaxValue() >= 3_000_000_000L * 0.999, "from the stamped time: " + recorder.histogram().getMaxValue());
        assertTrue(recorder.lastMeasuredNs() >= now);
    }

    @Test
    void shouldHandEverythingElseToTheDelegate() throws Exception
    {
        handler.onWatermark(42, null);
        assertEquals(5, handler.prefetchEarly(new OffsetEvent(1)));
        assertEquals(7, handler.prefetch(new OffsetEvent(0)));
        assertTrue(handler.hasDueWork());
        handler.onClose();
        assertEquals(List.of("watermark 42", "early 1", "prefetch 0", "due", "close"), calls);
        assertEquals(0, handler.handled());
    }

    @Test
    void shouldWrapAroundItsRing() throws Exception
    {
        for (long n = 0; n < 10; n++)
        {
            handler.stamp(System.nanoTime(), LatencyEventDescriptor.MEASURED);
            handler.onEvent(new OffsetEvent(n), null);
        }
        assertEquals(10, recorder.histogram().getTotalCount());
    }

    @Test
    void shouldRefuseAnEventOutOfTurnOrOverwritten()
    {
        handler.stamp(System.nanoTime(), LatencyEventDescriptor.MEASURED);
        assertTrue(assertThrows(IllegalStateException.class, () -> handler.onEvent(new OffsetEvent(5), null)).getMessage()
            .contains("source offset 5"));

        final IntendedTimeHandler overrun = new IntendedTimeHandler(delegate, recorder, 4);
        for (int i = 0; i < 5; i++)
        {
            overrun.stamp(System.nanoTime(), LatencyEventDescriptor.MEASURED);
        }
        assertTrue(assertThrows(IllegalStateException.class, () -> overrun.onEvent(new OffsetEvent(0), null)).getMessage()
            .contains("finds the intended time of event 4"));
        assertEquals(0, recorder.histogram().getTotalCount());
    }

    @Test
    void shouldWantAPowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new IntendedTimeHandler(delegate, recorder, 3));
        assertThrows(IllegalArgumentException.class, () -> new IntendedTimeHandler(delegate, recorder, 0));
    }

    /**
     * An event that has only a source offset.
     */
    private record OffsetEvent(long sourceOffset) implements Event
    {
        private static final DirectBuffer EMPTY = new UnsafeBuffer(new byte[0]);

        @Override
        public int type()
        {
            return 0;
        }

        @Override
        public long key()
        {
            return 0;
        }

        @Override
        public int sourceId()
        {
            return 1;
        }

        @Override
        public int partition()
        {
            return 0;
        }

        @Override
        public long timestamp()
        {
            return 0;
        }

        @Override
        public long journalPosition()
        {
            return 0;
        }

        @Override
        public long eventTime()
        {
            return 0;
        }

        @Override
        public long sourceWatermark()
        {
            return Long.MIN_VALUE;
        }

        @Override
        public long watermark()
        {
            return Long.MIN_VALUE;
        }

        @Override
        public DirectBuffer buffer()
        {
            return EMPTY;
        }

        @Override
        public int offset()
        {
            return 0;
        }

        @Override
        public int length()
        {
            return 0;
        }
    }
}
