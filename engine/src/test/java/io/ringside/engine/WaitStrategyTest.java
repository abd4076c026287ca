package io.ringside.engine;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.ringside.engine.runtime.Doorbell;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WaitStrategy#BACKOFF_BLOCKING}: spins and yields after the last work before it parks on the doorbell, starts
 * over after work, and an egress waiting with it is rung by the journaler like a blocking one.
 */
class WaitStrategyTest
{
    @TempDir
    Path dir;

    @Test
    void backoffBlockingSpinsAndYieldsBeforeItParksOnTheDoorbellAndStartsOverAfterWork()
    {
        final AtomicInteger parkChecks = new AtomicInteger();
        // hasWork is read only when about to park; true, so that the test never parks
        final IdleStrategy idle = WaitStrategy.BACKOFF_BLOCKING.newIdleStrategy(new Doorbell(), () -> parkChecks.incrementAndGet() > 0);
        final int backOff = WaitStrategy.BACKOFF_SPINS + WaitStrategy.BACKOFF_YIELDS;
        for (int i = 0; i < backOff; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, parkChecks.get(), "spins and yields first");
        idle.idle(0);
        assertEquals(1, parkChecks.get(), "then the doorbell");
        idle.idle(1);
        idle.idle(0);
        assertEquals(1, parkChecks.get(), "work starts the back-off over");
        assertEquals("backoff-blocking", idle.alias());

        final AtomicInteger blockingChecks = new AtomicInteger();
        final IdleStrategy blocking = WaitStrategy.BLOCKING.newIdleStrategy(new Doorbell(), () -> blockingChecks.incrementAndGet() > 0);
        blocking.idle(0);
        assertEquals(1, blockingChecks.get(), "blocking goes to the doorbell at once");

        assertEquals(WaitStrategy.BACKOFF_BLOCKING, WaitStrategy.parse("backoff-blocking"));
        assertTrue(WaitStrategy.BACKOFF_BLOCKING.usesDoorbell() && WaitStrategy.BLOCKING.usesDoorbell());
        assertFalse(WaitStrategy.BACKOFF.usesDoorbell() || WaitStrategy.SLEEPING.usesDoorbell());
    }

    @Test
    void anEgressBackingOffThenBlockingIsRungByTheJournalerForEachOutput()
    {
        final AtomicLong delivered = new AtomicLong();
        final Engine engine = new Engine(EngineTestSupport.context(dir).egressWait(WaitStrategy.BACKOFF_BLOCKING)
            .handlers(shard -> (event, context) -> context.emit(0, event.key(), event.buffer(), event.offset(), event.length()))
            .addSink(output -> delivered.incrementAndGet())).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 50; i++)
            {
                // one at a time: the egress runs out of work, backs off and parks between them
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
                final long expected = i + 1;
                EngineTestSupport.await(() -> delivered.get() == expected, () -> "output " + expected + " delivered, got " + delivered.get());
            }
            publisher.close();
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(50, delivered.get());
    }
}
