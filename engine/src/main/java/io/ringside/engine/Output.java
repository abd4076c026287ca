package io.ringside.engine;

import org.agrona.DirectBuffer;

/**
 * One output (a decision, an alert, a window result, a dead letter): a read-only view valid only during
 * the callback that hands it out. Its id, ({@link #position()}, {@link #shard()}, {@link #ordinal()}), is
 * deterministic: the journal position of the slot that caused it, the shard that emitted it, and its rank
 * among that shard's outputs for that slot; the same on every run over the same journal, whatever the
 * topology. An event's handler outputs come from its key's shard, so their (position, ordinal) is the same
 * for any shard count too; outputs of {@link ShardHandler#onWatermark} may come from every shard at one position.
 */
public interface Output
{
    /** {@link #type()} of a dead letter: an event whose handler threw (payload: see {@link DeadLetter}). */
    int DEAD_LETTER = -1;

    /**
     * @return the journal position of the input that caused this output.
     */
    long position();

    /**
     * @return this output's rank among the outputs of its input, from 0.
     */
    int ordinal();

    /**
     * @return the type the handler gave (0 or more), or {@link #DEAD_LETTER}.
     */
    int type();

    /**
     * @return the key the handler gave (for a dead letter: the event's key).
     */
    long key();

    /**
     * @return the shard that emitted it.
     */
    int shard();

    /**
     * @return true if this output was produced while the engine recovered at start, from an input journaled before
     * the start: it may have been delivered already before a crash. Compare its id with the last one delivered
     * ({@link OutputListener#onRecovered}, or a sink's own record) to drop it.
     */
    boolean isReplay();

    DirectBuffer buffer();

    int offset();

    int length();
}
