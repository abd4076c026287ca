package io.ringside.engine;

import org.agrona.DirectBuffer;

/**
 * What a {@link ShardHandler} can do while it handles an event. Shard thread only.
 */
public interface ShardContext
{
    /**
     * @return the shard being run, 0 to shard count - 1.
     */
    int shard();

    /**
     * @return the journal position of the event being handled.
     */
    long journalPosition();

    /**
     * Emits an output for the event being handled: to the inline {@link OutputListener} at once, and to the
     * sinks once the event is durable. Its id is (journal position of the event or watermark slot, this shard,
     * the number of outputs this shard emitted for that slot before). Copies the bytes; does not allocate. Blocks while the shard's egress buffer
     * is full.
     *
     * @param type   0 or more (negative types are the engine's).
     * @param key    the output's key.
     * @param buffer holds the output's bytes.
     * @param offset where they start.
     * @param length how many.
     * @throws IllegalArgumentException if the type is negative or the output is longer than the egress
     *                                  buffer takes ({@link EngineContext#maxOutputLength()}).
     */
    void emit(int type, long key, DirectBuffer buffer, int offset, int length);

    /**
     * Counts the event being handled as late (the shard's "late events" counter, which {@code ./ringside stat}
     * shows): call it when a window operator refuses the event because its window has closed, or when the handler's
     * own rule finds it beyond the allowed lateness, next to the LATE output it emits. Late events must never be
     * dropped silently. Does not allocate.
     */
    void late();
}
