package io.ringside.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An embedder's mistakes with publishers end in a clear refusal, and the simple publishing calls resume their source
 * offsets after a restart.
 */
class EnginePublisherMisuseTest
{
    private static final int SOURCE = 3;

    @TempDir
    Path dir;

    private final List<Long> offsets = new CopyOnWriteArrayList<>();

    private EngineContext context()
    {
        return EngineTestSupport.context(dir).handlers(shard -> (event, context) -> offsets.add(event.sourceOffset()));
    }

    private static void publish(final EventPublisher publisher, final int count)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < count; i++)
        {
            publisher.publish(i, event, 0, 8);
        }
    }

    @Test
    void aPublisherUsedFromASecondThreadIsRefusedAndTheFirstGoesOn() throws Exception
    {
        try (Engine engine = new Engine(context()).start())
        {
            final EventPublisher publisher = engine.newPublisher(SOURCE);
            publish(publisher, 10);
            final AtomicReference<Throwable> second = new AtomicReference<>();
            final Thread other = new Thread(() ->
            {
                try
                {
                    publish(publisher, 1);
                }
                catch (final Throwable ex)
                {
                    second.set(ex);
                }
            }, "second-publisher-thread");
            other.start();
            other.join(30_000);
            assertTrue(second.get() instanceof IllegalStateException, "refused: " + second.get());
            assertTrue(second.get().getMessage().contains("a publisher is for one thread") &&
                second.get().getMessage().contains("second-publisher-thread"), second.get().getMessage());
            publish(publisher, 10);
            EngineTestSupport.await(() -> offsets.size() == 20, () -> "20 events, got " + offsets.size());
        }
        assertEquals(java.util.stream.LongStream.range(0, 20).boxed().toList(), offsets, "the owner's events, none of the refused");
    }

    @Test
    void twoOpenPublishersOfOneSourceAreRefusedAndAClosedOnesSuccessorGoesOnWithItsOffsets()
    {
        try (Engine engine = new Engine(context()).start())
        {
            final EventPublisher first = engine.newPublisher(SOURCE);
            publish(first, 5);
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> engine.newPublisher(SOURCE));
            assertTrue(refused.getMessage().contains("source 3 has a publisher already"), refused.getMessage());
            first.close();
            assertThrows(IllegalStateException.class, () -> publish(first, 1), "a closed publisher takes nothing");
            try (EventPublisher next = engine.newPublisher(SOURCE))
            {
                publish(next, 5);
            }
            EngineTestSupport.await(() -> offsets.size() == 10, () -> "10 events, got " + offsets.size());
        }
        assertEquals(java.util.stream.LongStream.range(0, 10).boxed().toList(), offsets);
    }

    @Test
    void theSimplePublishCallsResumeTheSourceOffsetsAfterARestart()
    {
        try (Engine engine = new Engine(context()).start())
        {
            publish(engine.newPublisher(SOURCE), 100);
        }
        offsets.clear();
        try (Engine engine = new Engine(context()).start())
        {
            assertEquals(99, engine.journaledOffset(SOURCE, 0));
            publish(engine.newPublisher(SOURCE), 50);
        }
        // recovery replayed the first run's 0-99 (no snapshots: these handlers keep none), then the new publisher went on
        assertEquals(java.util.stream.LongStream.range(0, 150).boxed().toList(), offsets, "0-99 replayed, then 100-149 live");
        try (Engine engine = new Engine(context()).start())
        {
            assertEquals(149, engine.journaledOffset(SOURCE, 0), "journaledOffset + 1 is where the source resumes");
        }
    }
}
