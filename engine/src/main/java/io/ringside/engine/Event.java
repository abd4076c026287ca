package io.ringside.engine;

import org.agrona.DirectBuffer;

/**
 * The event a {@link ShardHandler} sees: a read-only view of one ring slot, valid only during the
 * callback. Everything here is a pure function of the journal, so replay sees exactly the same.
 */
public interface Event
{
    /**
     * @return {@link SlotType#DATA} or {@link SlotType#TICK}.
     */
    int type();

    /**
     * @return the event's key, which chose its shard.
     */
    long key();

    /**
     * @return the source the event was published by (publisher or ingress id).
     */
    int sourceId();

    /**
     * @return the source's partition.
     */
    int partition();

    /**
     * @return the event's offset in its source partition.
     */
    long sourceOffset();

    /**
     * @return the timestamp the publisher gave (event time, typically), or 0.
     */
    long timestamp();

    /**
     * @return the journal position of the event: the first half of the id of every output it causes.
     */
    long journalPosition();

    /**
     * @return the buffer holding the event's bytes.
     */
    DirectBuffer buffer();

    /**
     * @return where the event's bytes start in {@link #buffer()}.
     */
    int offset();

    /**
     * @return the number of event bytes.
     */
    int length();
}
