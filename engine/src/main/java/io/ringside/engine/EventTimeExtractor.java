package io.ringside.engine;

import org.agrona.DirectBuffer;

/**
 * Reads an event's event time (epoch ms, or any unit the windows use) from its bytes. Called on the
 * journaler's thread for each DATA event, live and on replay: it must be a pure function of the bytes, and safe to
 * call from several threads at once (a pipelined engine of several shards recovers each shard on a thread of its own,
 * each computing the watermarks).
 * If it throws, the event gets no event time and its shard dead-letters it with the reason.
 */
@FunctionalInterface
public interface EventTimeExtractor
{
    long eventTime(DirectBuffer buffer, int offset, int length);
}
