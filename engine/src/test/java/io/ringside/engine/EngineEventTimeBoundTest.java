package io.ringside.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event dated far ahead of the time it was journaled (a broken clock upstream) is dead-lettered with its reason,
 * and its time is kept out of the watermarks: the events after it are not made late. Judged against the journaled
 * time, so a replay of the journal decides the same.
 */
class EngineEventTimeBoundTest
{
    private static final long YEAR_2100_MS = 4_102_444_800_000L;

    @TempDir
    Path dir;

    private static String deadLetter(final Output output)
    {
        return output.position() + " " + output.buffer().getStringWithoutLengthUtf8(output.offset() + 4, output.buffer().getInt(output.offset()));
    }

    @Test
    void anEventFarAheadOfItsJournalTimeIsDeadLetteredAndLeavesTheWatermarkAlone()
    {
        final List<String> deadLetters = new CopyOnWriteArrayList<>();
        final AtomicLong maxWatermark = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong handled = new AtomicLong();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset))
            .maxOutOfOrdernessMs(1_000)
            .handlers(shard -> (event, context) ->
            {
                handled.incrementAndGet();
                maxWatermark.accumulateAndGet(event.watermark(), Math::max);
            })
            .outputListener(output ->
            {
                if (output.type() == Output.DEAD_LETTER)
                {
                    deadLetters.add(deadLetter(output));
                }
            });
        final long now = System.currentTimeMillis();
        try (Engine engine = new Engine(ctx).start(); EventPublisher publisher = engine.newPublisher(1))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 4; i++)
            {
                event.putLong(0, YEAR_2100_MS + i);   // first, before any good event: nothing to compare with but the journal time
                publisher.publish(i, event, 0, 8);
            }
            for (int i = 0; i < 1_000; i++)
            {
                event.putLong(0, now - 3_600_000 + i);   // an hour ago: fine
                publisher.publish(i, event, 0, 8);
            }
            EngineTestSupport.await(() -> handled.get() == 1_000 && deadLetters.size() == 4, () -> handled.get() + " handled, " +
                deadLetters.size() + " dead letters");
        }
        assertEquals(4, deadLetters.size(), deadLetters.toString());
        assertTrue(deadLetters.get(0).contains("ahead of the time it was journaled") && deadLetters.get(0).contains("2100-01-01"), deadLetters.get(0));
        assertTrue(maxWatermark.get() < now, "the watermark stays with the good events: " + maxWatermark.get());

        // the journal says when each event was journaled: a replay, at any later time, dead-letters the same four
        final List<String> replayed = new CopyOnWriteArrayList<>();
        JournalReplay.run(EngineTestSupport.context(dir.resolve("replay")).eventTime((buffer, offset, length) -> buffer.getLong(offset))
            .maxOutOfOrdernessMs(1_000).handlers(shard -> (event, context) -> { }), dir.resolve("journal"), output ->
            {
                if (output.type() == Output.DEAD_LETTER)
                {
                    replayed.add(deadLetter(output));
                }
            });
        assertEquals(deadLetters, replayed);
    }

    @Test
    void theBoundCanBeTurnedOff()
    {
        final List<Long> times = new CopyOnWriteArrayList<>();
        final EngineContext ctx = EngineTestSupport.context(dir).maxEventTimeAheadMs(0)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset))
            .handlers(shard -> (event, context) -> times.add(event.eventTime()));
        try (Engine engine = new Engine(ctx).start(); EventPublisher publisher = engine.newPublisher(1))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            event.putLong(0, YEAR_2100_MS);
            publisher.publish(1, event, 0, 8);
            EngineTestSupport.await(() -> times.size() == 1, () -> "the event handled");
        }
        assertEquals(List.of(YEAR_2100_MS), times);
    }
}
