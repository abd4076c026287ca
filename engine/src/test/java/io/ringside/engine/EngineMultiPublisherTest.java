package io.ringside.engine;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four threads publish at once into a multi-producer ring, pipelined over two shards: every event is
 * processed, and each publisher's events of a key arrive in the order that publisher published them.
 */
class EngineMultiPublisherTest
{
    private static final int PUBLISHERS = 4;
    private static final int EVENTS_EACH = 5_000;
    private static final int KEYS = 100;

    @TempDir
    Path dir;

    @Test
    void shouldProcessEveryEventOfConcurrentPublishersInEachPublishersOrder() throws Exception
    {
        final Queue<String> disorder = new ConcurrentLinkedQueue<>();
        final AtomicLong handled = new AtomicLong();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(Topology.PIPELINED)
            .shardCount(2)
            .ringSize(1024)
            .multiProducer(true)
            .handlers(shard -> new PerSourceOrderHandler(disorder, handled));
        final Engine engine = new Engine(ctx).start();
        final Thread[] threads = new Thread[PUBLISHERS];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try
        {
            final CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < PUBLISHERS; t++)
            {
                final EventPublisher publisher = engine.newPublisher(t);
                final int source = t;
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        final UnsafeBuffer event = new UnsafeBuffer(new byte[12]);
                        final long[] sequences = new long[KEYS];
                        go.await();
                        for (int i = 0; i < EVENTS_EACH; i++)
                        {
                            final int key = (i * 7 + source) % KEYS;
                            event.putInt(0, source);
                            event.putLong(4, sequences[key]++);
                            publisher.publish(key, event, 0, 12);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "test-publisher-" + t);
                threads[t].start();
            }
            go.countDown();
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(thread.isAlive(), thread.getName() + " did not finish within 30 s");
            }
            assertNull(failure.get(), () -> "a publisher failed: " + failure.get());
            engine.close();
        }
        finally
        {
            for (final Thread thread : threads)
            {
                if (thread != null)
                {
                    thread.interrupt();
                }
            }
            EngineTestSupport.closeQuietly(engine);
        }

        final long total = (long)PUBLISHERS * EVENTS_EACH;
        assertEquals(total, handled.get(), "events handled");
        assertEquals(total, engine.counters().processed(), "events processed (counter)");
        assertEquals(total, engine.counters().journaled(), "events journaled (counter)");
        assertTrue(disorder.isEmpty(), "events out of order or missing: " + disorder);
    }

    /**
     * Checks, per (source, key), that sequence numbers arrive as 0, 1, 2... and that source offsets grow;
     * and that the event's source id is its publisher's.
     */
    private static final class PerSourceOrderHandler implements ShardHandler
    {
        private final Map<String, long[]> next = new HashMap<>();
        private final Queue<String> disorder;
        private final AtomicLong handled;

        PerSourceOrderHandler(final Queue<String> disorder, final AtomicLong handled)
        {
            this.disorder = disorder;
            this.handled = handled;
        }

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final int source = event.buffer().getInt(event.offset());
            final long sequence = event.buffer().getLong(event.offset() + 4);
            if (source != event.sourceId())
            {
                disorder.add("event of publisher " + source + " carries source id " + event.sourceId());
            }
            final long[] state = next.computeIfAbsent(source + "/" + event.key(), k -> new long[]{0, -1});
            if (sequence != state[0] || event.sourceOffset() <= state[1])
            {
                disorder.add("source " + source + ", key " + event.key() + ": got sequence " + sequence + " at offset " +
                    event.sourceOffset() + ", expected " + state[0] + " after offset " + state[1]);
            }
            state[0] = sequence + 1;
            state[1] = event.sourceOffset();
            handled.incrementAndGet();
        }
    }
}
