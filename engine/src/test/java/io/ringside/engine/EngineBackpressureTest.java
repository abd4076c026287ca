package io.ringside.engine;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small ring in front of a slow shard: the publisher is refused while the ring is full, retries, and
 * in the end nothing is lost and every key's events arrive in the order they were published.
 */
class EngineBackpressureTest
{
    private static final int RING_SIZE = 64;
    private static final int EVENTS = 3_000;
    private static final int KEYS = 64;
    private static final int SLOW_SHARD = 0;
    private static final long SLOW_NS = 50_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Topology.class)
    void shouldRefuseThePublisherWhileTheRingIsFullAndLoseNothing(final Topology topology)
    {
        final Queue<String> disorder = new ConcurrentLinkedQueue<>();
        final AtomicLong handled = new AtomicLong();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(topology)
            .shardCount(2)
            .ringSize(RING_SIZE)
            .multiProducer(false)
            .handlers(shard -> new InOrderHandler(shard == SLOW_SHARD, disorder, handled));
        final long[] published = new long[KEYS];
        long refusals = 0;
        final EventPublisher publisher;
        final Engine engine = new Engine(ctx).start();
        try
        {
            publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < EVENTS; i++)
            {
                final int key = i % KEYS;
                event.putLong(0, published[key]++);
                while (!publisher.tryPublish(key, event, 0, 8))
                {
                    refusals++;
                    LockSupport.parkNanos(20_000);
                }
            }
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }

        assertTrue(refusals > 0, "a 64-slot ring in front of a slow shard must refuse the publisher at times");
        assertEquals(refusals, publisher.fullCount(), "the publisher counts every refusal");
        assertEquals(EVENTS, handled.get(), "events handled");
        assertEquals(EVENTS, engine.counters().processed(), "events processed (counter)");
        assertEquals(EVENTS, engine.counters().journaled(), "events journaled (counter)");
        assertTrue(engine.counters().processed(SLOW_SHARD) > 0 && engine.counters().processed(1 - SLOW_SHARD) > 0,
            "both shards had keys");
        assertTrue(disorder.isEmpty(), "events out of order or missing: " + disorder);
    }

    /**
     * Checks that each key's sequence numbers (the payload) arrive as 0, 1, 2...; the slow one parks per event.
     */
    private static final class InOrderHandler implements ShardHandler
    {
        private final Map<Long, Long> next = new HashMap<>();
        private final boolean slow;
        private final Queue<String> disorder;
        private final AtomicLong handled;

        InOrderHandler(final boolean slow, final Queue<String> disorder, final AtomicLong handled)
        {
            this.slow = slow;
            this.disorder = disorder;
            this.handled = handled;
        }

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            if (slow)
            {
                LockSupport.parkNanos(SLOW_NS);
            }
            final long sequence = event.buffer().getLong(event.offset());
            final long expected = next.getOrDefault(event.key(), 0L);
            if (sequence != expected)
            {
                disorder.add("key " + event.key() + ": got " + sequence + ", expected " + expected);
            }
            next.put(event.key(), sequence + 1);
            handled.incrementAndGet();
        }
    }
}
