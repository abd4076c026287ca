package io.ringside.engine;

import java.nio.file.Path;

import io.ringside.journal.DurabilityPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#durableSequence()}: never ahead of {@link Engine#journaledSequence()}, never back, and it reaches a
 * publisher's last slot under every durability policy (an interval's once its force is done).
 */
class EngineDurableSequenceTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"page-cache", "group-commit", "interval:50"})
    void shouldReachThePublishersLastSlotUnderEveryPolicy(final String policy)
    {
        final DurabilityPolicy durability = policy.startsWith("interval") ? DurabilityPolicy.interval(50) : DurabilityPolicy.parse(policy);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        try (Engine engine = new Engine(EngineTestSupport.context(dir).durability(durability).handlers(shard -> (e, c) -> { })).start())
        {
            assertEquals(-1, engine.durableSequence());
            final EventPublisher publisher = engine.newPublisher(1);
            long seen = -1;
            for (int i = 0; i < 5_000; i++)
            {
                publisher.publish(i, event, 0, 8);
                final long durable = engine.durableSequence();
                assertTrue(durable >= seen, "never goes back");
                assertTrue(durable <= engine.journaledSequence(), "never ahead of the journal");
                seen = durable;
            }
            final long last = publisher.lastSequence();
            EngineTestSupport.await(() -> engine.durableSequence() >= last, () -> "durable to reach " + last + ", at " + engine.durableSequence());
            assertEquals(last, engine.durableSequence());
        }
    }
}
