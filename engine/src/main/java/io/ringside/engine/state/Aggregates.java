package io.ringside.engine.state;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The built-in {@link Aggregate}s: count, sum, min, max, and a small distinct set (a bitset of values 0 to
 * {@code maxValue}). Each is a stateless singleton or holds only its configuration.
 */
public final class Aggregates
{
    private Aggregates()
    {
    }

    public static Aggregate count()
    {
        return COUNT;
    }

    public static Aggregate sum()
    {
        return SUM;
    }

    public static Aggregate min()
    {
        return MIN;
    }

    public static Aggregate max()
    {
        return MAX;
    }

    /**
     * @param maxValue the largest value it takes (values outside 0..maxValue are an {@link IllegalArgumentException}).
     * @return the number of distinct values seen.
     */
    public static Aggregate distinct(final int maxValue)
    {
        return new Distinct(maxValue);
    }

    private abstract static class OneLong implements Aggregate
    {
        @Override
        public int length()
        {
            return 8;
        }

        @Override
        public long result(final DirectBuffer state, final int offset)
        {
            return state.getLong(offset);
        }
    }

    private static final Aggregate COUNT = new OneLong()
    {
        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            state.putLong(offset, state.getLong(offset) + 1);
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            dst.putLong(dstOffset, dst.getLong(dstOffset) + src.getLong(srcOffset));
        }
    };

    private static final Aggregate SUM = new OneLong()
    {
        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            state.putLong(offset, state.getLong(offset) + value);
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            dst.putLong(dstOffset, dst.getLong(dstOffset) + src.getLong(srcOffset));
        }
    };

    private static final Aggregate MIN = new OneLong()
    {
        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            state.putLong(offset, first ? value : Math.min(state.getLong(offset), value));
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            dst.putLong(dstOffset, dstEmpty ? src.getLong(srcOffset) : Math.min(dst.getLong(dstOffset), src.getLong(srcOffset)));
        }
    };

    private static final Aggregate MAX = new OneLong()
    {
        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            state.putLong(offset, first ? value : Math.max(state.getLong(offset), value));
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            dst.putLong(dstOffset, dstEmpty ? src.getLong(srcOffset) : Math.max(dst.getLong(dstOffset), src.getLong(srcOffset)));
        }
    };

    private static final class Distinct implements Aggregate
    {
        private final int maxValue;
        private final int words;

        Distinct(final int maxValue)
        {
            if (maxValue < 0 || maxValue > 4095)
            {
                throw new IllegalArgumentException("a distinct set takes values 0 to at most 4095, was asked for 0 to " + maxValue);
            }
            this.maxValue = maxValue;
            this.words = maxValue / 64 + 1;
        }

        @Override
        public int length()
        {
            return words * 8;
        }

        @Override
        public void add(final MutableDirectBuffer state, final int offset, final long value, final boolean first)
        {
            if (value < 0 || value > maxValue)
            {
                throw new IllegalArgumentException("distinct set of 0.." + maxValue + " cannot take " + value);
            }
            final int word = offset + (int)(value >>> 6) * 8;
            state.putLong(word, state.getLong(word) | (1L << value));
        }

        @Override
        public void merge(final MutableDirectBuffer dst, final int dstOffset, final DirectBuffer src, final int srcOffset, final boolean dstEmpty)
        {
            for (int i = 0; i < words * 8; i += 8)
            {
                dst.putLong(dstOffset + i, dst.getLong(dstOffset + i) | src.getLong(srcOffset + i));
            }
        }

        @Override
        public long result(final DirectBuffer state, final int offset)
        {
            long count = 0;
            for (int i = 0; i < words * 8; i += 8)
            {
                count += Long.bitCount(state.getLong(offset + i));
            }
            return count;
        }
    }
}
