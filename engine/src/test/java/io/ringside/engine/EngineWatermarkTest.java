package io.ringside.engine;

import io.ringside.engine.runtime.Slot;
import io.ringside.engine.runtime.WatermarkTracker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event time and watermarks are stamped by the journaler from the journal's own contents (events, their
 * sources, TICKs, the end of input), so replaying the journal gives every event the same stamps.
 */
class EngineWatermarkTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long BAD_TIME = -42;
    private static final EventTimeExtractor EVENT_TIME = (buffer, offset, length) ->
    {
        final long time = buffer.getLong(offset);
        if (time == BAD_TIME)
        {
            throw new IllegalArgumentException("no event time in these bytes");
        }
        return time;
    };

    @TempDir
    Path dir;

    @Test
    void shouldStampTheSameWatermarksLiveAndOnReplayOfTheJournal() throws Exception
    {
        for (final Topology topology : Topology.values())
        {
            final Path engineDir = dir.resolve(topology.name());
            final Map<Long, long[]> seen = new ConcurrentHashMap<>();
            final AtomicLong clock = new AtomicLong(5_000);
            final java.util.concurrent.atomic.AtomicInteger readsOfNow = new java.util.concurrent.atomic.AtomicInteger();
            final EngineContext ctx = EngineTestSupport.context(engineDir)
                .topology(topology)
                .shardCount(2)
                .eventTime(EVENT_TIME)
                .maxOutOfOrdernessMs(2_000)
                .idleSourceTimeoutMs(1_000)
                .tickIntervalMs(1)
                .tickClock(() ->
                {
                    if (Thread.currentThread().getName().startsWith("ringside-egress"))
                    {
                        readsOfNow.incrementAndGet();   // the ticker's reads (the journaler reads it too, once a batch)
                    }
                    return clock.get();
                })
                .expectSource(1, 1)
                .expectSource(2, 1)
                .handlers(shard -> (event, context) ->
                    seen.put(event.journalPosition(), new long[] {event.eventTime(), event.sourceWatermark(), event.watermark()}));
            final UnsafeBuffer event = new UnsafeBuffer(new byte[16]);
            try (Engine engine = new Engine(ctx).start())
            {
                final EventPublisher one = engine.newPublisher(1);
                final EventPublisher two = engine.newPublisher(2);
                for (int i = 0; i < 200; i++)
                {
                    event.putLong(0, T0 + i * 100L - (i % 7) * 300L);
                    one.publish(i, event, 0, 16);
                    if (i < 20)
                    {
                        event.putLong(0, T0 + i * 10L);
                        two.publish(1_000 + i, event, 0, 16);
                    }
                    if (i == 100)
                    {
                        // processing time passes with source 2 silent: the ticker's TICKs make it idle
                        // an event counts as of the first tick after it, so: a tick to register source 2's last
                        // activity at the new time, then a tick past the timeout
                        for (int step = 0; step < 2; step++)
                        {
                            clock.addAndGet(5_000);
                            readsOfNow.set(0);
                            // the ticker reads the clock, publishes its tick, and a millisecond later reads again: a
                            // second read of the new time means a tick carrying it is in the ring, ahead of what we
                            // publish next (counting journaled ticks could count ticks read before the clock moved)
                            EngineTestSupport.await(() -> readsOfNow.get() >= 2, () -> "the ticker to read the new time");
                        }
                    }
                }
                one.endOfInput();
            }
            assertEquals(220, seen.size(), topology.name());
            final long[] last = seen.get(seen.keySet().stream().max(Long::compare).orElseThrow());
            assertTrue(last[2] > T0 + 1_000, topology + ": source 2 went idle, so source 1 moved the watermark on: " + last[2]);
            assertEquals(replay(engineDir.resolve("journal"), seen), seen.size(), topology.name());
        }
    }

    /**
     * Recomputes the stamps from the journal alone, checks them against what the handlers saw, and returns how many matched.
     */
    private static int replay(final Path journal, final Map<Long, long[]> seen)
    {
        final WatermarkTracker tracker = new WatermarkTracker(2_000, 1_000);
        tracker.expect(1, 0);
        tracker.expect(2, 0);
        final Slot slot = new Slot(new UnsafeBuffer(new byte[64]), 0, 64);
        int matched = 0;
        int ticks = 0;
        int ends = 0;
        try (JournalReader reader = JournalReader.open(journal))
        {
            for (JournalRecord record = reader.next(); record != null; record = reader.next())
            {
                slot.type = record.type();
                slot.sourceId = record.sourceId();
                slot.partition = record.partition();
                slot.timestamp = record.timestamp();
                if (record.type() == SlotType.DATA)
                {
                    slot.eventTime = record.buffer().getLong(record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET);
                    tracker.onData(slot);
                    final long[] live = seen.get(record.position());
                    assertEquals(live[0], slot.eventTime, "event time at " + record.position());
                    assertEquals(live[1], slot.sourceWatermark, "source watermark at " + record.position());
                    assertEquals(live[2], slot.watermark, "watermark at " + record.position());
                    matched++;
                }
                else if (record.type() == SlotType.TICK)
                {
                    tracker.onTick(slot);
                    ticks++;
                }
                else if (record.type() == SlotType.SHUTDOWN)
                {
                    tracker.onEndOfInput(slot);
                    ends++;
                }
            }
        }
        assertTrue(ticks >= 4, "the ticks the test waited for are journaled: " + ticks);
        assertEquals(1, ends, "the end of input is journaled once");
        assertEquals(Long.MAX_VALUE, tracker.watermark());
        return matched;
    }

    @Test
    void shouldDeadLetterAnEventWhoseTimeCannotBeReadAndKeepGoing()
    {
        final List<Output> deadLetters = new CopyOnWriteArrayList<>();
        final List<String> reasons = new CopyOnWriteArrayList<>();
        final AtomicLong handled = new AtomicLong();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .eventTime(EVENT_TIME)
            .handlers(shard -> (event, context) -> handled.incrementAndGet())
            .outputListener(output ->
            {
                if (output.type() == Output.DEAD_LETTER)
                {
                    deadLetters.add(output);
                    reasons.add(DeadLetter.reason(output));
                }
            });
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        try (Engine engine = new Engine(ctx).start())
        {
            final EventPublisher publisher = engine.newPublisher(1);
            for (int i = 0; i < 10; i++)
            {
                event.putLong(0, i == 4 ? BAD_TIME : T0 + i);
                publisher.publish(i, event, 0, 8);
            }
        }
        assertEquals(9, handled.get());
        assertEquals(1, reasons.size());
        assertTrue(reasons.get(0).contains("event-time extractor failed") && reasons.get(0).contains("no event time in these bytes"), reasons.get(0));
    }
}
