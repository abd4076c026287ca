package io.ringside.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ShardHandler#onClose()}: once per shard, on the closing thread once the shard's has stopped, after the events in
 * flight drained; also when the engine's start fails after handlers were built.
 */
class EngineShardCloseTest
{
    private static final int EVENTS = 3_000;

    @TempDir
    Path dir;

    /** Records on which thread it handled events and closed, and how many events it had handled by then. */
    static final class Recorder implements ShardHandler
    {
        final int shard;
        final Map<Integer, String> closedOn;
        final Map<Integer, Integer> handledAtClose;
        final AtomicInteger closes = new AtomicInteger();
        volatile String eventThread;
        int handled;

        Recorder(final int shard, final Map<Integer, String> closedOn, final Map<Integer, Integer> handledAtClose)
        {
            this.shard = shard;
            this.closedOn = closedOn;
            this.handledAtClose = handledAtClose;
        }

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            eventThread = Thread.currentThread().getName();
            handled++;
        }

        @Override
        public void onClose()
        {
            closes.incrementAndGet();
            closedOn.put(shard, Thread.currentThread().getName());
            handledAtClose.put(shard, handled);
        }
    }

    @Test
    void shouldCloseEveryHandlerOnceOnTheClosingThreadAfterDraining()
    {
        for (final Topology topology : Topology.values())
        {
            final Map<Integer, String> closedOn = new ConcurrentHashMap<>();
            final Map<Integer, Integer> handledAtClose = new ConcurrentHashMap<>();
            final List<Recorder> handlers = new CopyOnWriteArrayList<>();
            final EngineContext ctx = EngineTestSupport.context(dir.resolve(topology.name()))
                .topology(topology)
                .shardCount(3)
                .handlers(shard ->
                {
                    final Recorder recorder = new Recorder(shard, closedOn, handledAtClose);
                    handlers.add(recorder);
                    return recorder;
                });
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            try (Engine engine = new Engine(ctx).start())
            {
                final EventPublisher publisher = engine.newPublisher(1);
                for (int i = 0; i < EVENTS; i++)
                {
                    publisher.publish(i, event, 0, 8);
                }
                assertTrue(closedOn.isEmpty(), "no handler is closed while the engine runs");
            }
            assertEquals(3, handlers.size());
            int handled = 0;
            for (final Recorder handler : handlers)
            {
                assertEquals(1, handler.closes.get(), topology + ": shard " + handler.shard + " closed once");
                assertEquals(Thread.currentThread().getName(), closedOn.get(handler.shard), topology + ": closed on the thread that closed the engine");
                assertTrue(handler.eventThread.startsWith("ringside-"), handler.eventThread);
                handled += handledAtClose.get(handler.shard);
            }
            assertEquals(EVENTS, handled, topology + ": every event was handled before the handlers closed");
        }
    }

    @Test
    void shouldCloseTheOtherHandlersAndCountTheErrorWhenOneThrows()
    {
        final Map<Integer, String> closedOn = new ConcurrentHashMap<>();
        final Map<Integer, Integer> handledAtClose = new ConcurrentHashMap<>();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .topology(Topology.PIPELINED)
            .shardCount(2)
            .handlers(shard -> shard == 0 ? new ShardHandler()
            {
                @Override
                public void onEvent(final Event event, final ShardContext context)
                {
                }

                @Override
                public void onClose()
                {
                    throw new IllegalStateException("cannot close shard 0's maps");
                }
            } : new Recorder(shard, closedOn, handledAtClose));
        final Engine engine = new Engine(ctx).start();
        engine.close();
        assertEquals(1, engine.counters().errors(), "the failing onClose is counted");
        assertEquals(List.of(1), List.copyOf(closedOn.keySet()), "shard 1 is closed all the same");
    }

    @Test
    void shouldCloseTheHandlersAlreadyBuiltWhenStartFails()
    {
        final Map<Integer, String> closedOn = new ConcurrentHashMap<>();
        final Map<Integer, Integer> handledAtClose = new ConcurrentHashMap<>();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .shardCount(4)
            .handlers(shard ->
            {
                if (shard == 2)
                {
                    throw new IllegalStateException("shard 2's maps cannot be created");
                }
                return new Recorder(shard, closedOn, handledAtClose);
            });
        final Engine engine = new Engine(ctx);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, engine::start);
        assertEquals("shard 2's maps cannot be created", ex.getMessage());
        assertEquals(Map.of(0, Thread.currentThread().getName(), 1, Thread.currentThread().getName()), closedOn,
            "the two handlers built before the failure are closed, on the thread that called start");
    }
}
