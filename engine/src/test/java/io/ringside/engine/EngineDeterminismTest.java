package io.ringside.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import io.ringside.engine.sink.FileSink;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same input, same outputs, ids included: one seeded workload through the compact and the pipelined
 * topology with 1, 2 and 4 shards gives, in every run, exactly the outputs that the handler's logic
 * computes from the run's journal, to the inline listener and to a file sink alike.
 */
class EngineDeterminismTest
{
    private static final int EVENTS = 20_000;
    private static final int KEYS = 1_000;
    private static final long SEED = 0x5EED_2026L;
    private static final int EVERY_NTH = 7;
    private static final long THRESHOLD = 300;
    private static final int TYPE_NTH = 1;
    private static final int TYPE_THRESHOLD = 2;

    @TempDir
    Path dir;

    @Test
    void shouldEmitTheSameOutputsWithTheSameIdsWhateverTheTopologyAndShardCount() throws Exception
    {
        List<String> first = null;
        String firstRun = null;
        for (final Topology topology : Topology.values())
        {
            for (final int shards : new int[]{1, 2, 4})
            {
                final String run = topology + " with " + shards + " shard(s)";
                final List<String> outputs = runWorkload(dir.resolve(topology + "-" + shards), topology, shards, run);
                if (first == null)
                {
                    first = outputs;
                    firstRun = run;
                    assertTrue(outputs.size() > EVENTS / EVERY_NTH, "the workload emits outputs: " + outputs.size());
                    assertTrue(outputs.stream().anyMatch(line -> line.contains(":1 ")), "some events emit two outputs");
                }
                else
                {
                    assertEquals(first, outputs, run + " differs from " + firstRun);
                }
            }
        }
    }

    private static List<String> runWorkload(final Path runDir, final Topology topology, final int shards, final String run)
        throws Exception
    {
        Files.createDirectories(runDir);
        final Path outputFile = runDir.resolve("outputs.txt");
        final Queue<String> heard = new ConcurrentLinkedQueue<>();
        final EngineContext ctx = EngineTestSupport.context(runDir.resolve("engine"))
            .topology(topology)
            .shardCount(shards)
            .multiProducer(false)
            .handlers(shard -> new SumHandler())
            .outputListener(output -> heard.add(EngineTestSupport.describe(output)))
            .addSink(new FileSink(outputFile));
        final Engine engine = new Engine(ctx);
        final long outputs;
        final long delivered;
        final long processed;
        try
        {
            engine.start();
            final EventPublisher publisher = engine.newPublisher(1);
            final SplittableRandom random = new SplittableRandom(SEED);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < EVENTS; i++)
            {
                final long key = random.nextInt(KEYS) - KEYS / 2;
                event.putLong(0, random.nextInt(100));
                publisher.publish(key, event, 0, 8);
            }
            engine.close();
            outputs = engine.counters().outputs();
            delivered = engine.counters().delivered();
            processed = engine.counters().processed();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }

        final List<String> expected = expectedFromJournal(ctx.journalDirectory());
        final List<String> listened = withoutShard(heard, shards, run);
        final List<String> written = withoutShard(Files.readAllLines(outputFile), shards, run);
        assertEquals(EVENTS, processed, run + ": events processed");
        assertEquals(expected.size(), outputs, run + ": outputs counted");
        assertEquals(expected.size(), delivered, run + ": outputs delivered to the sink");
        assertEquals(expected, listened, run + ": outputs heard by the listener");
        assertEquals(expected, written, run + ": outputs written by the file sink");
        assertEquals(expected, replayed(ctx.journalDirectory().getParent(), topology, shards, run), run + ": outputs replayed by recovery");
        return expected;
    }

    /**
     * Starts the engine again on the directory a run left (no snapshot: recovery replays the whole journal, a pipelined
     * engine of several shards on a thread per shard) and closes it.
     *
     * @return the outputs recovery replayed, as {@link #withoutShard} gives them.
     */
    private static List<String> replayed(final Path engineDir, final Topology topology, final int shards, final String run) throws Exception
    {
        final Queue<String> heard = new ConcurrentLinkedQueue<>();
        final EngineContext ctx = EngineTestSupport.context(engineDir)
            .topology(topology)
            .shardCount(shards)
            .multiProducer(false)
            .handlers(shard -> new SumHandler())
            .outputListener(output ->
            {
                assertTrue(output.isReplay(), run + ": recovery's outputs are replays");
                heard.add(EngineTestSupport.describe(output));
            });
        final Engine engine = new Engine(ctx);
        try
        {
            engine.start();
            assertEquals(EVENTS, engine.recovery().replayedEvents(), run + ": events replayed");
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        return withoutShard(heard, shards, run);
    }

    /**
     * Checks that each output's id names its key's shard, then drops the shard from the id
     * ({@code <position>:<shard>:<ordinal>} to {@code <position>:<ordinal>}): the rest must not depend on the shard count.
     *
     * @return the lines so, sorted.
     */
    private static List<String> withoutShard(final java.util.Collection<String> lines, final int shards, final String run)
    {
        final List<String> stripped = new ArrayList<>();
        for (final String line : lines)
        {
            final String[] id = line.substring(0, line.indexOf(' ')).split(":");
            final long key = Long.parseLong(line.split(" ")[2]);
            assertEquals(EventPublisher.shardOf(key, shards), Integer.parseInt(id[1]), run + ": the shard in the id of " + line);
            stripped.add(id[0] + ":" + id[2] + line.substring(line.indexOf(' ')));
        }
        stripped.sort(null);
        return stripped;
    }

    /**
     * @return the outputs the handler's logic gives over the journal's events, in the test's text form, sorted.
     */
    private static List<String> expectedFromJournal(final Path journal)
    {
        final List<String> expected = new ArrayList<>();
        final Map<Long, long[]> sums = new HashMap<>();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);
        int records = 0;
        try (JournalReader reader = JournalReader.open(journal))
        {
            JournalRecord record;
            while ((record = reader.next()) != null)
            {
                records++;
                final long position = record.position();
                final long key = record.buffer().getLong(record.payloadOffset() + EventRecordDescriptor.KEY_OFFSET);
                final long value = record.buffer().getLong(record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET);
                final int[] ordinal = {0};
                decide(sums, key, value, scratch, (type, buffer, length) ->
                    expected.add(position + ":" + ordinal[0]++ + " " + type + " " + key + " " + EngineTestSupport.hex(buffer, 0, length)));
            }
        }
        assertEquals(EVENTS, records, "events in the journal");
        expected.sort(null);
        return expected;
    }

    @FunctionalInterface
    interface Emitter
    {
        void emit(int type, DirectBuffer buffer, int length);
    }

    /**
     * The workload's logic: per-key count and sum; an output every 7th event of a key, and one each time
     * the key's sum crosses a multiple of the threshold.
     */
    static void decide(final Map<Long, long[]> sums, final long key, final long value, final MutableDirectBuffer scratch, final Emitter emitter)
    {
        final long[] state = sums.computeIfAbsent(key, k -> new long[2]);
        final long before = state[1];
        state[0]++;
        state[1] += value;
        if (state[0] % EVERY_NTH == 0)
        {
            scratch.putLong(0, state[0]);
            scratch.putLong(8, state[1]);
            emitter.emit(TYPE_NTH, scratch, 16);
        }
        if (before / THRESHOLD != state[1] / THRESHOLD)
        {
            scratch.putLong(0, state[1]);
            emitter.emit(TYPE_THRESHOLD, scratch, 8);
        }
    }

    private static final class SumHandler implements ShardHandler
    {
        private final Map<Long, long[]> sums = new HashMap<>();
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final long key = event.key();
            decide(sums, key, event.buffer().getLong(event.offset()), scratch,
                (type, buffer, length) -> context.emit(type, key, buffer, 0, length));
        }
    }
}
