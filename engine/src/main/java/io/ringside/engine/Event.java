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
     * @return the event's time: from {@link EngineContext#eventTime(EventTimeExtractor)}, else {@link #timestamp()}.
     */
    long eventTime();

    /**
     * @return the watermark of the event's source (source id, partition) just before this event: an event is
     * late by the allowed lateness L when {@code eventTime() <= sourceWatermark() - L}. {@link Long#MIN_VALUE}
     * until the source's first event.
     */
    long sourceWatermark();

    /**
     * @return the global watermark just after this event (the minimum over active sources): windows whose end
     * plus the allowed lateness is at or below it may close. The same at this point of the stream for every
     * shard, live and on replay.
     */
    long watermark();

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
