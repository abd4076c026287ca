package io.ringside.engine;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.ringside.engine.EngineTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Duties of the compact thread ({@link Engine#addCompactDuty}): a duty publishing into a small ring from the thread that
 * drains it, never waiting for it, loses nothing and deadlocks nothing; work that arrives without a doorbell (as Aeron
 * data does) reaches a parked thread; a removed duty is never called again, nor one of a closed engine; a pipelined
 * engine refuses duties, and {@link Engine#runsCompactDuties()} says so beforehand.
 */
class CompactDutyTest
{
    private static final int EVENTS = 20_000;

    @TempDir
    Path dir;

    @Test
    void aDutyPublishingIntoAFullRingFromTheCompactThreadLosesNothing()
    {
        final LongArrayList seen = new LongArrayList();
        final AtomicReference<String> handlerThread = new AtomicReference<>();
        final Engine engine = new Engine(EngineTestSupport.context(dir).ringSize(8).multiProducer(false)
            .handlers(shard -> (event, context) ->
            {
                handlerThread.set(Thread.currentThread().getName());
                seen.addLong(event.buffer().getLong(event.offset()));
            })).start();
        try
        {
            final PublishingDuty duty = new PublishingDuty(engine, EVENTS);
            engine.addCompactDuty(duty);
            await(() -> duty.next.get() == EVENTS && engine.journaledSequence() >= EVENTS - 1, () -> "published " + duty.next.get());
            engine.removeCompactDuty(duty);
            duty.publisher.close();
            engine.close();
            assertTrue(duty.fullRing > 0, "an 8-slot ring was found full");
            assertEquals(handlerThread.get(), duty.thread, "the duty ran on the thread that handles the events");
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(EVENTS, seen.size());
        for (int i = 0; i < EVENTS; i++)
        {
            assertEquals(i, seen.getLong(i), "every event once, in order");
        }
    }

    @Test
    void workArrivingWithoutADoorbellWakesAParkedCompactThreadAndARemovedDutyIsNotCalledAgain()
    {
        final Engine engine = new Engine(EngineTestSupport.context(dir).handlers(shard -> (event, context) -> { })).start();
        try
        {
            final AtomicLong offered = new AtomicLong();
            final AtomicLong taken = new AtomicLong();
            final AtomicBoolean removed = new AtomicBoolean();
            final AtomicBoolean calledAfterRemoval = new AtomicBoolean();
            final Agent duty = new TestDuty()
            {
                @Override
                public int doWork()
                {
                    if (removed.get())
                    {
                        calledAfterRemoval.set(true);
                    }
                    final long value = offered.get();
                    if (value > taken.get())
                    {
                        taken.set(value);
                        return 1;
                    }
                    return 0;
                }
            };
            engine.addCompactDuty(duty);
            assertThrows(IllegalStateException.class, () -> engine.addCompactDuty(duty));
            for (int i = 1; i <= 20; i++)
            {
                offered.set(i);   // nothing rings: the thread's bounded park finds it
                final long expected = i;
                await(() -> taken.get() == expected, () -> "taken " + taken.get() + " of " + expected);
            }
            engine.removeCompactDuty(duty);
            removed.set(true);
            // the compact thread goes on: an event is journaled and handled after the removal
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            publisher.publish(1, event, 0, 8);
            await(() -> engine.journaledSequence() >= publisher.lastSequence(), () -> "the event after the removal");
            publisher.close();
            engine.removeCompactDuty(duty);   // no longer running: ignored
            engine.close();
            assertFalse(calledAfterRemoval.get(), "a removed duty was called again");
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    @Test
    void closingTheEngineStopsItsDutiesFirst()
    {
        final Engine engine = new Engine(EngineTestSupport.context(dir).handlers(shard -> (event, context) -> { })).start();
        final AtomicLong calls = new AtomicLong();
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean calledAfterClose = new AtomicBoolean();
        final Agent duty = new TestDuty()
        {
            @Override
            public int doWork()
            {
                calls.incrementAndGet();
                if (closed.get())
                {
                    calledAfterClose.set(true);
                }
                return 0;
            }
        };
        try
        {
            engine.addCompactDuty(duty);
            await(() -> calls.get() > 0, () -> "the duty called");
            engine.close();
            closed.set(true);
            engine.removeCompactDuty(duty);   // stopped already: returns at once
            assertThrows(IllegalStateException.class, () -> engine.addCompactDuty(duty));
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertFalse(calledAfterClose.get(), "a duty was called after the engine closed");
    }

    @Test
    void aPipelinedEngineRefusesDutiesAndSaysSoBeforehand()
    {
        final Engine unstarted = new Engine(EngineTestSupport.context(dir.resolve("compact")).handlers(shard -> (event, context) -> { }));
        assertFalse(unstarted.runsCompactDuties(), "no compact thread before start");
        try
        {
            unstarted.start();
            assertTrue(unstarted.runsCompactDuties(), "a started compact engine runs duties");
        }
        finally
        {
            EngineTestSupport.closeQuietly(unstarted);
        }
        final Engine engine = new Engine(EngineTestSupport.context(dir).topology(Topology.PIPELINED)
            .handlers(shard -> (event, context) -> { })).start();
        try
        {
            assertFalse(engine.runsCompactDuties(), "a pipelined engine has no compact thread");
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> engine.addCompactDuty(new PublishingDuty(engine, 0)));
            assertTrue(refused.getMessage().contains("pipelined"), refused.getMessage());
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    /**
     * A duty named for the errors it might record.
     */
    private abstract static class TestDuty implements Agent
    {
        @Override
        public String roleName()
        {
            return "test-duty";
        }
    }

    /**
     * Publishes 0, 1, 2... as an ingress would: a claim per event, and back to the cycle when the ring is full.
     */
    private static final class PublishingDuty implements Agent
    {
        final AtomicLong next = new AtomicLong();
        final EventPublisher publisher;
        final long events;
        long fullRing;
        volatile String thread;

        PublishingDuty(final Engine engine, final long events)
        {
            this.publisher = engine.newPublisher(7);
            this.events = events;
        }

        @Override
        public int doWork()
        {
            thread = Thread.currentThread().getName();
            int work = 0;
            while (next.get() < events && work < 64)
            {
                if (!publisher.tryClaim(next.get(), 8))
                {
                    fullRing++;
                    break;
                }
                publisher.buffer().putLong(0, next.get());
                publisher.commitQuietly();
                next.incrementAndGet();
                work++;
            }
            return work;
        }

        @Override
        public String roleName()
        {
            return "test-publishing-duty";
        }
    }
}
