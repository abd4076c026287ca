package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An aggregate of the embedder's own, through the same {@link Aggregate} interface as the built-in ones: added per
 * event in tumbling windows, merged from panes in hopping windows.
 */
class UserAggregateTest
{
    private static final long T0 = 1_700_000_000_000L;

    /** The sum of squares of the values: 8 bytes of state. */
    private static final Aggregate SUM_OF_SQUARES = new Aggregate()
    {
        @Override
        public int length()
        {
            return 8;
        }

        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            state.putLong(offset, state.getLong(offset) + value * value);
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            dst.putLong(dstOffset, dst.getLong(dstOffset) + src.getLong(srcOffset));
        }

        @Override
        public long result(final DirectBuffer state, final int offset)
        {
            return state.getLong(offset);
        }
    };

    @Test
    void aUserAggregateIsAddedInTumblingWindowsAndMergedFromHoppingPanes()
    {
        final List<String> closed = new ArrayList<>();
        final WindowListener record = (key, window) -> closed.add(key + " " + window.start() + " n=" + window.result(0) + " squares=" + window.result(1));
        final long start = T0 - Math.floorMod(T0, 60_000);
        try (TumblingWindows tumbling = new TumblingWindows("t", 60_000, 0, 2, 10, Aggregates.count(), SUM_OF_SQUARES);
            HoppingWindows hopping = new HoppingWindows("h", 120_000, 60_000, 0, 3, 10, Aggregates.count(), SUM_OF_SQUARES))
        {
            for (final long[] event : new long[][] {{start + 1, 3}, {start + 2, 4}, {start + 60_001, 5}})
            {
                tumbling.add(9, event[0], new long[] {0, event[1]});
                tumbling.release();
                hopping.add(9, event[0], new long[] {0, event[1]});
            }
            tumbling.close(Long.MAX_VALUE, record);
            assertEquals(List.of("9 " + start + " n=2 squares=25", "9 " + (start + 60_000) + " n=1 squares=25"), closed);
            closed.clear();
            hopping.close(Long.MAX_VALUE, record);
            assertEquals(List.of("9 " + (start - 60_000) + " n=2 squares=25", "9 " + start + " n=3 squares=50",
                "9 " + (start + 60_000) + " n=1 squares=25"), closed);
        }
    }
}
