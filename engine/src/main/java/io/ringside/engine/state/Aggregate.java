package io.ringside.engine.state;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A fixed-size off-heap aggregate: its state is {@link #length()} bytes inside a window's entry, zeroed when
 * the window opens, updated in place by {@link #add}, combined by {@link #merge} (panes into a hopping window,
 * sessions into one), read by {@link #result}. Implementations are stateless and shared by every window.
 */
public interface Aggregate
{
    /**
     * @return bytes of state, a multiple of 8.
     */
    int length();

    /**
     * Adds a value to the state at {@code offset}.
     *
     * @param first true for the window's first value (the state is still zero: min and max take it as is).
     */
    void add(MutableDirectBuffer state, int offset, long value, boolean first);

    /**
     * Merges the state at {@code srcOffset} into the state at {@code dstOffset}; {@code dstEmpty} if that one holds no value yet.
     */
    void merge(MutableDirectBuffer dst, int dstOffset, DirectBuffer src, int srcOffset, boolean dstEmpty);

    /**
     * @return the aggregate's value.
     */
    long result(DirectBuffer state, int offset);
}
