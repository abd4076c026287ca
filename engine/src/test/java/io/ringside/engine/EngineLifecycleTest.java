package io.ringside.engine;

import java.nio.file.Path;

import io.ringside.journal.JournalLockedException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls at the wrong time and configuration that cannot work fail at once, with an exception that says
 * what is wrong.
 */
class EngineLifecycleTest
{
    private static final ShardHandler NOTHING = (event, context) ->
    {
    };

    @TempDir
    Path dir;

    private EngineContext context()
    {
        return EngineTestSupport.context(dir).handlers(shard -> NOTHING);
    }

    @Test
    void shouldRefuseToStartTwice()
    {
        final Engine engine = new Engine(context());
        try
        {
            engine.start();
            final IllegalStateException ex = assertThrows(IllegalStateException.class, engine::start);
            assertTrue(ex.getMessage().contains("already started"), ex.getMessage());
        }
        finally
        {
            engine.close();
        }
        final IllegalStateException ex = assertThrows(IllegalStateException.class, engine::start);
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
    }

    @Test
    void shouldRefuseASecondEngineOnTheSameDirectoryAndLeaveTheFirstRunning()
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        try (Engine first = new Engine(context()).start())
        {
            final EventPublisher publisher = first.newPublisher(1);
            publisher.publish(1, event, 0, 8);
            final Engine second = new Engine(context());
            final JournalLockedException ex = assertThrows(JournalLockedException.class, second::start);
            assertTrue(ex.getMessage().contains(dir.resolve("journal").toString()), ex.getMessage());
            assertDoesNotThrow(second::close);

            publisher.publish(2, event, 0, 8);
            EngineTestSupport.await(() -> first.counters().processed() == 2, () -> "the first engine to go on processing");
        }
    }

    @Test
    void shouldReleaseTheDirectoryWhenStartFails()
    {
        final Engine broken = new Engine(EngineTestSupport.context(dir).handlers(shard -> null));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, broken::start);
        assertTrue(ex.getMessage().contains("returned null"), ex.getMessage());
        assertThrows(IllegalStateException.class, broken::start, "a failed engine does not start again");
        assertDoesNotThrow(broken::close);

        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        try (Engine engine = new Engine(context()).start())
        {
            engine.newPublisher(1).publish(1, event, 0, 8);
            EngineTestSupport.await(() -> engine.counters().processed() == 1, () -> "an engine on the same directory to process");
        }
    }

    @Test
    void shouldRefuseAPublisherBeforeStart()
    {
        try (Engine engine = new Engine(context()))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> engine.newPublisher(1));
            assertTrue(ex.getMessage().contains("not started"), ex.getMessage());
        }
    }

    @Test
    void shouldRefusePublishingAfterCloseWithAClearMessage()
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        final Engine engine = new Engine(context()).start();
        final EventPublisher publisher;
        try
        {
            publisher = engine.newPublisher(1);
            publisher.publish(1, event, 0, 8);
        }
        finally
        {
            engine.close();
        }
        assertEquals(1, engine.counters().processed());
        final IllegalStateException publish = assertThrows(IllegalStateException.class, () -> publisher.publish(1, event, 0, 8));
        assertTrue(publish.getMessage().contains("closed"), publish.getMessage());
        final IllegalStateException tryPublish = assertThrows(IllegalStateException.class, () -> publisher.tryPublish(1, event, 0, 8));
        assertTrue(tryPublish.getMessage().contains("closed"), tryPublish.getMessage());
        final IllegalStateException claim = assertThrows(IllegalStateException.class, () -> publisher.tryClaim(1, 8));
        assertTrue(claim.getMessage().contains("closed"), claim.getMessage());
    }

    @Test
    void shouldCloseTwiceWithoutError()
    {
        final Engine engine = new Engine(context()).start();
        engine.close();
        assertDoesNotThrow(engine::close);

        final Engine neverStarted = new Engine(EngineTestSupport.context(dir.resolve("other")).handlers(shard -> NOTHING));
        neverStarted.close();
        assertDoesNotThrow(neverStarted::close);
    }

    @Test
    void shouldRefuseASecondPublisherOnASingleProducerRing()
    {
        try (Engine engine = new Engine(context().multiProducer(false)).start())
        {
            engine.newPublisher(1);
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> engine.newPublisher(2));
            assertTrue(ex.getMessage().contains("single-producer"), ex.getMessage());
        }
    }

    @Test
    void shouldGiveSeveralPublishersOnAMultiProducerRing()
    {
        try (Engine engine = new Engine(context().multiProducer(true)).start())
        {
            assertDoesNotThrow(() -> engine.newPublisher(1));
            assertDoesNotThrow(() -> engine.newPublisher(2));
        }
    }

    @Test
    void shouldRejectARingSizeThatIsNotAPowerOfTwo()
    {
        assertRejected(context().ringSize(1000), "ring size");
    }

    @Test
    void shouldRejectShardCpusWithTheCompactTopology()
    {
        assertRejected(context().topology(Topology.COMPACT).shardCpus(0), "shard CPUs");
    }

    @Test
    void shouldRejectAContextWithoutHandlers()
    {
        assertRejected(EngineTestSupport.context(dir), "handlers");
    }

    @Test
    void shouldRejectAContextWithoutDirectory()
    {
        assertRejected(new EngineContext().handlers(shard -> NOTHING), "directory");
    }

    @Test
    void shouldRejectAMaxEventLengthThatDoesNotFitAJournalSegment()
    {
        assertRejected(context().ringSize(64).segmentSize(64 * 1024).maxEventLength(128 * 1024), "max event length");
    }

    @Test
    void shouldRejectABadSegmentSizeWhenBuilt()
    {
        assertRejected(context().segmentSize(1000), "segment size");
    }

    @Test
    void shouldRejectAnEventLongerThanMaxEventLength()
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[65]);
        try (Engine engine = new Engine(context().maxEventLength(64)).start())
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> publisher.publish(1, event, 0, 65));
            assertTrue(ex.getMessage().contains("maxEventLength"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> publisher.tryPublish(1, event, 0, 65));
            assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(1, 65));
            publisher.publish(1, event, 0, 64);
            EngineTestSupport.await(() -> engine.counters().processed() == 1, () -> "the 64-byte event to be processed");
        }
    }

    private static void assertRejected(final EngineContext ctx, final String setting)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Engine(ctx).close());
        assertTrue(ex.getMessage().contains(setting), "the message should name '" + setting + "': " + ex.getMessage());
    }

    @Test
    void shouldRefuseANewPublisherAndLatenciesOutsideTheRunningEngine()
    {
        final Engine engine = new Engine(context());
        assertTrue(assertThrows(IllegalStateException.class, engine::latencyHistogram).getMessage().contains("not started"));
        engine.start();
        engine.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> engine.newPublisher(1));
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        assertEquals(0, engine.latencyHistogram().getTotalCount());
    }

    @Test
    void shouldSetTheDecisionPathWaitStrategyWithoutTheEgress()
    {
        final EngineContext ctx = new EngineContext().waitStrategy(WaitStrategy.BUSY_SPIN);
        assertEquals(WaitStrategy.BUSY_SPIN, ctx.journalerWait());
        assertEquals(WaitStrategy.BUSY_SPIN, ctx.shardWait());
        assertEquals(WaitStrategy.BACKOFF, ctx.egressWait(), "a busy-spinning decision path must not spin the egress thread too");
    }
}
