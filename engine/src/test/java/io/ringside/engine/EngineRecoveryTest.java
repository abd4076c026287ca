package io.ringside.engine;

import io.ringside.engine.runtime.SnapshotTaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ringside.engine.sink.FileSink;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up recovery: a restart on a directory loads the newest snapshot and replays the journal after it, so the
 * state, the outputs (with their ids) and the resume offsets are those of one uninterrupted run.
 */
class EngineRecoveryTest
{
    private static final int SOURCE = 5;

    @TempDir
    Path dir;

    /** Sums amounts per key; emits the running total of every 10th event of a key. Snapshottable. */
    static class Totals implements ShardHandler, Snapshottable
    {
        /** Long.MIN_VALUE for an absent key: a sum of 0 is a value (Agrona's map refuses to store its missing value). */
        final Long2LongHashMap sums = new Long2LongHashMap(Long.MIN_VALUE);
        final Long2LongHashMap counts = new Long2LongHashMap(0);
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final long prior = sums.get(event.key());
            final long sum = (prior == Long.MIN_VALUE ? 0 : prior) + event.buffer().getLong(event.offset());
            sums.put(event.key(), sum);
            final long count = counts.get(event.key()) + 1;
            counts.put(event.key(), count);
            if (count % 10 == 0)
            {
                out.putLong(0, sum);
                context.emit(1, event.key(), out, 0, 8);
            }
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws IOException
        {
            out.writeInt(sums.size());
            for (final Long2LongHashMap.EntryIterator it = sums.entrySet().iterator(); it.hasNext(); )
            {
                it.next();
                out.writeLong(it.getLongKey());
                out.writeLong(it.getLongValue());
                out.writeLong(counts.get(it.getLongKey()));
            }
        }

        @Override
        public void readSnapshot(final SnapshotReader in)
        {
            final int n = in.readInt();
            for (int i = 0; i < n; i++)
            {
                final long key = in.readLong();
                sums.put(key, in.readLong());
                counts.put(key, in.readLong());
            }
        }
    }

    private EngineContext context(final List<Totals> handlers, final List<String> outputs)
    {
        return EngineTestSupport.context(dir)
            .shardCount(2)
            .handlers(shard ->
            {
                final Totals totals = new Totals();
                handlers.add(totals);
                return totals;
            })
            .outputListener(output -> outputs.add(output.position() + ":" + output.shard() + ":" + output.ordinal() + " " +
                output.key() + "=" + output.buffer().getLong(output.offset()) + (output.isReplay() ? " replay" : "")));
    }

    /** Publishes events {@code from} to {@code to} (exclusive): key i % 37, amount i, offset i. */
    static void publish(final Engine engine, final long from, final long to)
    {
        try (EventPublisher publisher = engine.newPublisher(SOURCE))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (long i = from; i < to; i++)
            {
                event.putLong(0, i);
                publisher.publish(i % 37, 0, i, i, event, 0, 8);
            }
        }
    }

    @Test
    void aRestartResumesFromTheSnapshotTakenAtCloseAndReplaysNothing()
    {
        final List<Totals> first = new CopyOnWriteArrayList<>();
        final List<String> outputs = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(first, outputs)).start())
        {
            assertTrue(engine.recovery().isFresh());
            assertEquals(-1, engine.journaledOffset(SOURCE, 0));
            publish(engine, 0, 5_000);
        }
        final List<Totals> second = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(second, outputs)).start())
        {
            assertEquals(0, engine.recovery().replayedRecords());
            assertTrue(engine.recovery().snapshotPosition() > 0);
            assertEquals(4_999, engine.journaledOffset(SOURCE, 0));
            for (int shard = 0; shard < 2; shard++)
            {
                assertEquals(first.get(shard).sums, second.get(shard).sums);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void withoutASnapshotAtCloseTheJournalAfterTheLastPeriodicOneIsReplayedWithTheSameIds(final Topology topology)
    {
        final List<String> uninterrupted = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), uninterrupted).directory(dir.resolve("whole"))).start())
        {
            publish(engine, 0, 8_000);
        }

        final List<String> firstRun = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), firstRun).topology(topology).snapshotEveryEvents(3_000)
            .snapshotOnClose(false)).start())
        {
            publish(engine, 0, 5_000);
        }
        final List<String> secondRun = new CopyOnWriteArrayList<>();
        final long[][] recovered = new long[2][];
        final EngineContext ctx = context(new CopyOnWriteArrayList<>(), secondRun).topology(topology).snapshotEveryEvents(3_000)
            .outputListener(new OutputListener()
            {
                @Override
                public void onOutput(final Output output)
                {
                    secondRun.add(output.position() + ":" + output.shard() + ":" + output.ordinal() + " " + output.key() + "=" +
                        output.buffer().getLong(output.offset()) + (output.isReplay() ? " replay" : ""));
                }

                @Override
                public void onRecovered(final int shard, final long lastPosition, final int lastOrdinal)
                {
                    recovered[shard] = new long[] {lastPosition, lastOrdinal};
                }
            });
        try (Engine engine = new Engine(ctx).start())
        {
            final EngineRecovery recovery = engine.recovery();
            assertEquals(2_000, recovery.replayedEvents(), recovery.toString());
            final long resume = engine.journaledOffset(SOURCE, 0) + 1;
            assertEquals(5_000, resume);
            publish(engine, resume, 8_000);
        }
        // the last output each shard handed to the listener in the first run, read back from its counters
        for (int shard = 0; shard < 2; shard++)
        {
            final int s = shard;
            final String last = firstRun.stream().filter(line -> line.split(" ")[0].split(":")[1].equals(Integer.toString(s)))
                .reduce((a, b) -> b).orElseThrow();
            assertEquals(last.split(" ")[0], recovered[shard][0] + ":" + shard + ":" + recovered[shard][1]);
        }
        final List<String> replayed = secondRun.stream().filter(line -> line.endsWith(" replay")).map(line -> line.replace(" replay", "")).toList();
        assertFalse(replayed.isEmpty());
        assertTrue(firstRun.containsAll(replayed), "replayed outputs are outputs of the first run, ids included");
        final List<String> combined = new ArrayList<>(firstRun);
        secondRun.stream().filter(line -> !line.endsWith(" replay")).forEach(combined::add);
        assertEquals(uninterrupted.stream().map(line -> line.substring(line.indexOf(' '))).sorted().toList(),
            combined.stream().map(line -> line.substring(line.indexOf(' '))).sorted().toList());
    }

    @Test
    void aSnapshotIsTakenOnceTheIntervalOfProcessingTimeHasPassed()
    {
        final java.util.concurrent.atomic.AtomicLong nowMs = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        final List<Totals> first = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(first, new CopyOnWriteArrayList<>()).tickClock(nowMs::get).snapshotEveryMs(60_000)
            .snapshotOnClose(false)).start())
        {
            publish(engine, 0, 3_000);
            EngineTestSupport.await(() -> engine.counters().processed() == 3_000, () -> "3,000 processed");
            assertEquals(0, engine.counters().snapshots(), "no snapshot before the interval has passed");
            nowMs.addAndGet(60_000);
            publish(engine, 3_000, 3_001);
            EngineTestSupport.await(() -> engine.counters().snapshots() == 1, () -> "a snapshot after 60 s, got " + engine.counters().snapshots());
            assertEquals(3_001, snapshotEvents(engine.counters().snapshotPosition.get()), "taken at the first batch after the interval");
            publish(engine, 3_001, 5_000);
            EngineTestSupport.await(() -> engine.counters().processed() == 5_000, () -> "5,000 processed");
            assertEquals(1, engine.counters().snapshots(), "the clock did not move again: no second snapshot");
        }
        final List<Totals> second = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(second, new CopyOnWriteArrayList<>())).start())
        {
            assertEquals(1_999, engine.recovery().replayedEvents(), "replayed from the timed snapshot: " + engine.recovery());
            for (int shard = 0; shard < 2; shard++)
            {
                assertEquals(first.get(shard).sums, second.get(shard).sums);
            }
        }
    }

    /** How many events the journal holds below a position. */
    private long snapshotEvents(final long position)
    {
        try (io.ringside.journal.JournalReader reader = io.ringside.journal.JournalReader.open(dir.resolve("journal")))
        {
            long events = 0;
            for (io.ringside.journal.JournalRecord record = reader.next(); record != null && record.position() < position; record = reader.next())
            {
                events += record.type() == SlotType.DATA ? 1 : 0;
            }
            return events;
        }
    }

    @Test
    void aHoleInAnOlderSegmentStopsTheStartWithTheSegmentAndPositionNamed() throws IOException
    {
        final Path journal = journalOfSeveralSegmentsWithoutASnapshot();
        final long hole = zeroAPageAfter(journal, 100);
        final Path first = firstSegment(journal);
        final io.ringside.journal.JournalCorruptedException refused = assertThrows(io.ringside.journal.JournalCorruptedException.class,
            () -> new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>())).start());
        assertEquals(first, refused.segment());
        assertEquals(hole, refused.position());
        assertTrue(refused.getMessage().contains("a hole"), refused.getMessage());
    }

    @Test
    void theReplayToolHandsTheShardsEveryEventBeforeAHoleThenNamesIt() throws IOException
    {
        final Path journal = journalOfSeveralSegmentsWithoutASnapshot();
        final long hole = zeroAPageAfter(journal, 100);
        long eventsBefore = 0;
        try (io.ringside.journal.JournalReader reader = io.ringside.journal.JournalReader.open(journal))
        {
            for (io.ringside.journal.JournalRecord record = reader.next(); record.position() < hole; record = reader.next())
            {
                eventsBefore += record.type() == SlotType.DATA ? 1 : 0;
            }
        }
        catch (final io.ringside.journal.JournalCorruptedException expected)
        {
            // the hole: every record before it was counted
        }
        assertTrue(eventsBefore > 50, "events before the hole: " + eventsBefore);
        // the replay reads records ahead of the one it hands over: the hole must still come after every event before it
        final List<Totals> handlers = new CopyOnWriteArrayList<>();
        final io.ringside.journal.JournalCorruptedException refused = assertThrows(io.ringside.journal.JournalCorruptedException.class,
            () -> JournalReplay.run(context(handlers, new CopyOnWriteArrayList<>()).directory(dir.resolve("replay")), journal, output -> { }));
        assertEquals(hole, refused.position());
        long handled = 0;
        for (final Totals totals : handlers)
        {
            for (final long count : totals.counts.values())
            {
                handled += count;
            }
        }
        assertEquals(eventsBefore, handled, "events handed to the shards before the hole");
    }

    /**
     * @return the journal of 60,000 events, closed without a snapshot (a restart replays all of it).
     */
    private Path journalOfSeveralSegmentsWithoutASnapshot()
    {
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).snapshotOnClose(false)).start())
        {
            publish(engine, 0, 60_000);
        }
        return dir.resolve("journal");
    }

    /**
     * Zeroes 4 KiB of the journal's first segment from a record boundary, {@code records} records from its start.
     *
     * @return the position of the hole.
     */
    private static long zeroAPageAfter(final Path journal, final int records) throws IOException
    {
        final long hole;
        try (io.ringside.journal.JournalReader reader = io.ringside.journal.JournalReader.open(journal))
        {
            for (int i = 0; i < records; i++)
            {
                reader.next();
            }
            hole = reader.position();
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(firstSegment(journal), java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.allocate(4_096), hole);   // a zeroed page, from a record boundary on
        }
        return hole;
    }

    private static Path firstSegment(final Path journal) throws IOException
    {
        try (java.util.stream.Stream<Path> segments = Files.list(journal))
        {
            final List<Path> all = segments.filter(file -> file.toString().endsWith(".seg")).sorted().toList();
            assertTrue(all.size() >= 4, "several segments: " + all);
            return all.get(0);
        }
    }

    @Test
    void recordsReplayedAfterTheLastSnapshotCountTowardTheNext()
    {
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).snapshotEveryEvents(3_000)
            .snapshotOnClose(false)).start())
        {
            publish(engine, 0, 2_500);
        }
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).snapshotEveryEvents(3_000)
            .snapshotOnClose(false)).start())
        {
            assertEquals(2_500, engine.recovery().replayedRecords());
            publish(engine, 2_500, 3_200);
            // the 3,000th record since the journal's start: 500 into this process, not 3,000
            EngineTestSupport.await(() -> engine.counters().snapshots() == 1, () -> "a snapshot 500 records into the second process");
        }
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).snapshotEveryEvents(3_000)).start())
        {
            assertEquals(200, engine.recovery().replayedRecords(), engine.recovery().toString());
        }
    }

    @Test
    void aSinkThatStartsEmptyIsRefusedWhereRecoveryWouldNotGiveItTheOutputsBeforeTheSnapshot() throws IOException
    {
        final Path file = dir.resolve("alerts.txt");
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).addSink(new FileSink(file))).start())
        {
            publish(engine, 1, 3_000);
        }
        final List<String> whole = Files.readAllLines(file);
        assertTrue(whole.size() > 100, "outputs written: " + whole.size());
        Files.delete(file);
        Files.delete(dir.resolve("alerts.txt.pos"));
        final EngineException refused = assertThrows(EngineException.class,
            () -> new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).addSink(new FileSink(file))).start());
        assertTrue(refused.getMessage().contains("FileSink(" + file + ") starts empty, but the engine recovers from its snapshot"),
            refused.getMessage());
        // as it says: with the snapshots moved aside, recovery replays the whole journal into the empty sink
        Files.move(dir.resolve(SnapshotTaker.DIRECTORY), dir.resolve("snapshots-aside"));
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).addSink(new FileSink(file))).start())
        {
            assertEquals(2_999, engine.recovery().replayedEvents());
        }
        final List<String> rewritten = Files.readAllLines(file);
        assertEquals(whole.size(), rewritten.size(), "every output once");
        assertTrue(whole.stream().sorted().toList().equals(rewritten.stream().sorted().toList()), "the outputs of the first run, ids included");
    }

    @Test
    void aSinkThatHasHadNoOutputYetIsNotTakenForAnEmptyOne() throws IOException
    {
        final Path file = dir.resolve("alerts.txt");
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).addSink(new FileSink(file))).start())
        {
            publish(engine, 1, 9);   // fewer than 10 events a key: no output, then a snapshot at close
        }
        assertEquals(0, Files.size(file));
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).addSink(new FileSink(file))).start())
        {
            assertTrue(engine.recovery().snapshotPosition() > 0, "recovered from the snapshot, the sink accepted");
        }
    }

    @Test
    void aRestartWithAnotherShardCountOrOtherHandlersIsRefused()
    {
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).handlersId("totals/1")).start())
        {
            publish(engine, 1, 500);
        }
        final EngineException shards = assertThrows(EngineException.class, () -> new Engine(context(new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>()).handlersId("totals/1").shardCount(1)).start());
        assertTrue(shards.getMessage().contains("was started with 2 shard(s) and now with 1"), shards.getMessage());
        final EngineException handlers = assertThrows(EngineException.class, () -> new Engine(context(new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>()).handlersId("totals/2")).start());
        assertTrue(handlers.getMessage().contains("was started with the handlers 'totals/1' and now with 'totals/2'"), handlers.getMessage());
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).handlersId("totals/1")).start())
        {
            assertEquals(499, engine.journaledOffset(SOURCE, 0), "the same settings start");
        }
    }

    @Test
    void eventsAfterTheJournalsEndOfInputAreRefusedAndAnotherEndIsNot()
    {
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>())).start())
        {
            publish(engine, 1, 500);
            try (EventPublisher publisher = engine.newPublisher(SOURCE + 1))
            {
                publisher.endOfInput();
            }
        }
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>())).start();
            EventPublisher publisher = engine.newPublisher(SOURCE))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            final EngineException refused = assertThrows(EngineException.class, () -> publisher.publish(1, event, 0, 8));
            assertTrue(refused.getMessage().contains("the input of this engine's journal has ended"), refused.getMessage());
            publisher.endOfInput();   // a run that finished, started again to the same end, ends as before
        }
    }

    @Test
    void retentionKeepsTheNewestSnapshotsAndDeletesTheJournalBelowTheOldestKept() throws Exception
    {
        final List<Totals> first = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(first, new CopyOnWriteArrayList<>()).snapshotEveryEvents(5_000).snapshotsToKeep(2)
            .deleteJournalBelowSnapshots(true).snapshotOnClose(false)).start())
        {
            publish(engine, 0, 40_000);
            EngineTestSupport.await(() -> engine.counters().snapshots() >= 8, () -> "8 snapshots, got " + engine.counters().snapshots());
        }
        final List<Long> kept = new ArrayList<>();
        try (java.util.stream.Stream<Path> entries = Files.list(dir.resolve(SnapshotTaker.DIRECTORY)))
        {
            entries.forEach(entry -> kept.add(Long.parseLong(entry.getFileName().toString())));   // a .tmp would not parse
        }
        kept.sort(null);
        assertEquals(2, kept.size(), "the newest 2 of 8 snapshots are kept: " + kept);
        final List<Long> segments = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.walk(dir))
        {
            files.map(file -> file.getFileName().toString()).filter(name -> name.matches("\\d{20}\\.seg"))
                .forEach(name -> segments.add(Long.parseLong(name.substring(0, 20))));
        }
        segments.sort(null);
        assertTrue(segments.get(0) > 0 && segments.get(0) <= kept.get(0),
            "the journal starts at the segment holding the oldest kept snapshot (" + kept.get(0) + "): segments " + segments);

        final List<Totals> second = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(second, new CopyOnWriteArrayList<>()).snapshotEveryEvents(5_000).snapshotsToKeep(2)
            .deleteJournalBelowSnapshots(true)).start())
        {
            assertEquals(kept.get(1), engine.recovery().snapshotPosition(), engine.recovery().toString());
            assertEquals(39_999, engine.journaledOffset(SOURCE, 0));
            for (int shard = 0; shard < 2; shard++)
            {
                assertEquals(first.get(shard).sums, second.get(shard).sums, "shard " + shard + " as before the restart");
            }
        }
        // the replay tool rebuilds from the first record: a journal cut below its snapshots is refused, not half replayed
        final EngineException refused = assertThrows(EngineException.class, () -> JournalReplay.run(
            context(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).directory(dir.resolve("replay")), dir.resolve("journal"), output -> { }));
        assertTrue(refused.getMessage().contains("it needs the whole journal"), refused.getMessage());
    }

    @Test
    void aSnapshotIsCompleteOnlyOnceTheSinksHaveEveryOutputCausedBelowIt() throws Exception
    {
        final java.util.concurrent.atomic.AtomicBoolean sinkUp = new java.util.concurrent.atomic.AtomicBoolean(false);
        final java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        final OutputSink sink = output ->
        {
            if (!sinkUp.get())
            {
                refused.incrementAndGet();
                throw new IOException("the sink is down");
            }
            delivered.incrementAndGet();
        };
        final Path snapshots = dir.resolve("snapshots");
        final List<String> emitted = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), emitted).snapshotEveryEvents(1_000)
            .addSink(sink)).start())
        {
            publish(engine, 0, 3_000);
            EngineTestSupport.await(() -> engine.counters().processed() == 3_000, () -> "processed " + engine.counters().processed());
            // the egress has offered the first output again and again (and the snapshots after 1,000 and 2,000 events
            // have been written meanwhile): none may complete while it is refused
            EngineTestSupport.await(() -> refused.get() >= 5 && engine.counters().processed() == 3_000 && Files.isDirectory(snapshots),
                () -> "refused " + refused.get());
            assertEquals(0, engine.counters().snapshots(), "no snapshot completes while outputs below it wait for the sink");
            try (java.util.stream.Stream<Path> entries = Files.list(snapshots))
            {
                assertTrue(entries.allMatch(p -> p.getFileName().toString().endsWith(".tmp")), "only written, not complete");
            }
            sinkUp.set(true);
            EngineTestSupport.await(() -> engine.counters().snapshots() == 3, () -> "snapshots completed " + engine.counters().snapshots());
        }
        assertEquals(emitted.size(), delivered.get());
        assertTrue(delivered.get() > 200);
    }

    @Test
    void aSnapshotIsCompleteOnlyOnceAnInlineSinkHasEveryOutputCausedBelowIt() throws Exception
    {
        final java.util.concurrent.atomic.AtomicBoolean sinkUp = new java.util.concurrent.atomic.AtomicBoolean(false);
        final java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong inline = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong belowACompleteSnapshot = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Engine> running = new java.util.concurrent.atomic.AtomicReference<>();
        final InlineOutputSink sink = new InlineOutputSink()
        {
            @Override
            public boolean tryDeliverInline(final Output output)
            {
                if (!sinkUp.get())
                {
                    return false;
                }
                inline.incrementAndGet();
                take(output);
                return true;
            }

            @Override
            public void onOutput(final Output output) throws IOException
            {
                if (!sinkUp.get())
                {
                    refused.incrementAndGet();
                    throw new IOException("the sink is down");
                }
                take(output);
            }

            private void take(final Output output)
            {
                final Engine engine = running.get();
                if (engine != null && engine.counters().snapshots() > 0 && output.position() < engine.counters().snapshotPosition.get())
                {
                    belowACompleteSnapshot.incrementAndGet();   // a replay from that snapshot would not make it again
                }
                delivered.incrementAndGet();
            }
        };
        final List<String> emitted = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), emitted).snapshotEveryEvents(1_000).addSink(sink)).start())
        {
            running.set(engine);
            publish(engine, 0, 3_000);
            EngineTestSupport.await(() -> engine.counters().processed() == 3_000, () -> "processed " + engine.counters().processed());
            // the egress has offered the first output again and again (and the snapshots after 1,000 and 2,000 events
            // have been written meanwhile): none may complete while it is refused
            EngineTestSupport.await(() -> refused.get() >= 5 && engine.counters().processed() == 3_000, () -> "refused " + refused.get());
            assertEquals(0, engine.counters().snapshots(), "no snapshot completes while outputs below it wait for the sink");
            sinkUp.set(true);
            EngineTestSupport.await(() -> engine.counters().snapshots() == 3, () -> "snapshots completed " + engine.counters().snapshots());
            for (int from = 3_000; from < 9_000; from += 500)
            {
                publish(engine, from, from + 500);
                final long to = from + 500;
                EngineTestSupport.await(() -> engine.counters().processed() == to && delivered.get() == emitted.size(),
                    () -> "processed " + engine.counters().processed() + ", delivered " + delivered.get() + " of " + emitted.size());
            }
            EngineTestSupport.await(() -> engine.counters().snapshots() == 9, () -> "snapshots completed " + engine.counters().snapshots());
        }
        assertEquals(emitted.size(), delivered.get());
        assertEquals(0, belowACompleteSnapshot.get(), "outputs delivered after a snapshot above them had completed");
        assertTrue(inline.get() > emitted.size() / 3, "the outputs after the first snapshots went out on the compact thread: " + inline.get() +
            " of " + emitted.size());
    }

    @Test
    void aHandlerThatCannotSnapshotIsRefusedWhenSnapshotsAreAsked()
    {
        final EngineContext ctx = EngineTestSupport.context(dir).snapshotEveryEvents(100).handlers(shard -> (event, context) -> { });
        final Exception error = assertThrows(IllegalArgumentException.class, () -> new Engine(ctx).start());
        assertTrue(error.getMessage().contains("does not implement Snapshottable"), error.getMessage());
    }

    @Test
    void theReplayToolGivesTheOutputsOfTheLiveRunWithTheirIds() throws IOException
    {
        final List<String> live = new CopyOnWriteArrayList<>();
        try (Engine engine = new Engine(context(new CopyOnWriteArrayList<>(), live)).start())
        {
            publish(engine, 0, 3_000);
        }
        final List<String> replayed = new CopyOnWriteArrayList<>();
        final EngineRecovery replay = JournalReplay.run(context(new CopyOnWriteArrayList<>(), replayed).directory(dir.resolve("replay")),
            dir.resolve("journal"), output -> replayed.add(output.position() + ":" + output.shard() + ":" + output.ordinal() + " " +
                output.key() + "=" + output.buffer().getLong(output.offset())));
        assertEquals(3_000, replay.replayedEvents());
        assertEquals(live.stream().sorted().toList(), replayed.stream().sorted().toList());
        assertTrue(Files.exists(dir.resolve("journal")));
    }
}
