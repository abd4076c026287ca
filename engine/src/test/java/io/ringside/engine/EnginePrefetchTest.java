package io.ringside.engine;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.state.Dedup;
import io.ringside.engine.state.Prefetch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hints ({@link ShardHandler#prefetchEarly}, {@link ShardHandler#prefetch}): with the ring full ahead of the shard,
 * every event from the third batch on gets its early hint, then its second, before it is handled, and the state classes'
 * loads made inside a hint on the engine's thread are collected and issued together ({@code Prefetch}), not one by one.
 */
class EnginePrefetchTest
{
    private static final int EVENTS = 1_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Topology.class)
    void everyEventAheadIsHintedInBothStagesBeforeItIsHandledAndTheLoadsAreCollected(final Topology topology) throws Exception
    {
        final Hinted handler = new Hinted();
        final Engine engine = new Engine(EngineTestSupport.context(dir).topology(topology).ringSize(4096).handlers(shard -> handler)).start();
        try
        {
            EngineTestSupport.publishCounting(engine.newPublisher(1), 0, EVENTS);
            handler.go.countDown();   // the shard held the first event until the ring held them all
            EngineTestSupport.await(() -> handler.handled == EVENTS, () -> "every event handled: " + handler.handled);
            engine.close();
        }
        finally
        {
            handler.go.countDown();
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(0, handler.outOfOrder, "a hint came after its event was handled, or the second stage before the early one");
        for (int i = 2 * 8; i < EVENTS; i++)
        {
            assertTrue(handler.early[i] && handler.second[i], "event " + i + " hinted in both stages: early " +
                handler.early[i] + ", second " + handler.second[i]);
        }
        assertTrue(handler.collected > 0, "loads collected by the engine's thread");
        assertEquals(0, handler.loadedOneByOne, "a state class's hint loaded at once on the engine's thread");
    }

    private static final class Hinted implements ShardHandler
    {
        final CountDownLatch go = new CountDownLatch(1);
        final boolean[] early = new boolean[EVENTS];
        final boolean[] second = new boolean[EVENTS];
        final boolean[] done = new boolean[EVENTS];
        final Dedup ids = new Dedup("hinted", 60_000, 60_000, 1_024);
        volatile int handled;
        int outOfOrder;
        int collected;
        int loadedOneByOne;

        Hinted()
        {
            ids.isDuplicate(1, 0);
        }

        @Override
        public void onEvent(final Event event, final ShardContext context) throws Exception
        {
            final int id = (int)event.buffer().getLong(event.offset());
            if (id == 0 && !go.await(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("the test did not publish in time");
            }
            done[id] = true;
            handled = handled + 1;
        }

        @Override
        public long prefetchEarly(final Event event)
        {
            final int id = (int)event.buffer().getLong(event.offset());
            if (done[id] || second[id])
            {
                outOfOrder++;
            }
            early[id] = true;
            return load();
        }

        @Override
        public long prefetch(final Event event)
        {
            final int id = (int)event.buffer().getLong(event.offset());
            if (done[id])
            {
                outOfOrder++;
            }
            second[id] = true;
            return load();
        }

        private long load()
        {
            // an id held already: its slot is not empty, so a load made at once returns it, and a collected one 0
            final Prefetch loads = Prefetch.ofCurrentThread();
            final int before = loads == null ? -1 : loads.noted();
            final long read = ids.prefetch(1, 0);
            if (read != 0)
            {
                loadedOneByOne++;
            }
            else if (loads != null && loads.noted() == before + 1)
            {
                collected++;
            }
            return read;
        }

        @Override
        public void onClose()
        {
            ids.close();
        }
    }
}
