package io.ringside.engine;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#journaledOffset}: a restarted engine knows, per source and partition, the last offset its journal
 * holds; {@link Engine#journaledSequence()} passes a publisher's {@link EventPublisher#lastSequence()} once journaled.
 */
class EngineJournaledOffsetTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportTheLastJournaledOffsetPerSourceAndPartitionAfterARestart()
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        try (Engine engine = new Engine(EngineTestSupport.context(dir).handlers(shard -> (e, c) -> { })).start())
        {
            assertEquals(-1, engine.journaledOffset(7, 0));
            final EventPublisher publisher = engine.newPublisher(7);
            for (int offset = 0; offset < 100; offset++)
            {
                publisher.publish(offset, offset % 3, 1_000 + offset, 0, event, 0, 8);
            }
            final long last = publisher.lastSequence();
            assertEquals(99, last);
            EngineTestSupport.await(() -> engine.journaledSequence() >= last, () -> "the journaler to pass sequence " + last);
        }
        try (Engine engine = new Engine(EngineTestSupport.context(dir).handlers(shard -> (e, c) -> { })).start())
        {
            assertEquals(1_099, engine.journaledOffset(7, 0));
            assertEquals(1_097, engine.journaledOffset(7, 1));
            assertEquals(1_098, engine.journaledOffset(7, 2));
            assertEquals(-1, engine.journaledOffset(7, 3));
            assertEquals(-1, engine.journaledOffset(8, 0));
            assertTrue(engine.journaledSequence() >= -1);
        }
    }
}
