package io.ringside.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Control events ({@link EventPublisher#publishControl}): a rule change applied by every shard at one point of the
 * stream, the same live, on the test driver, after recovery by replay and after recovery from a snapshot.
 */
class EngineControlEventTest
{
    private static final int ALERT = 1;
    private static final int CHANGED = 2;
    private static final int KEYS = 10;

    @TempDir
    Path dir;

    /** ALERT each time a key's count reaches a multiple of the threshold; a control event sets the threshold. */
    static final class ThresholdRule implements ShardHandler, Snapshottable
    {
        private final Long2LongHashMap counts = new Long2LongHashMap(0);
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[16]);
        private long threshold = 5;

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final long count = counts.get(event.key()) + 1;
            counts.put(event.key(), count);
            if (count % threshold == 0)
            {
                out.putLong(0, count);
                out.putLong(8, threshold);
                context.emit(ALERT, event.key(), out, 0, 16);
            }
        }

        @Override
        public void onControl(final Event control, final ShardContext context)
        {
            final long value = control.buffer().getLong(control.offset());
            if (value < 1)
            {
                throw new IllegalArgumentException("a threshold must be 1 or more, was " + value);
            }
            threshold = value;
            out.putLong(0, threshold);
            context.emit(CHANGED, context.shard(), out, 0, 8);
        }

        @Override
        public void writeSnapshot(final SnapshotWriter out) throws java.io.IOException
        {
            out.writeLong(threshold);
            out.writeInt(counts.size());
            for (final Long2LongHashMap.EntryIterator it = counts.entrySet().iterator(); it.hasNext(); )
            {
                it.next();
                out.writeLong(it.getLongKey());
                out.writeLong(it.getLongValue());
            }
        }

        @Override
        public void readSnapshot(final SnapshotReader in)
        {
            threshold = in.readLong();
            counts.clear();
            for (int i = in.readInt(); i > 0; i--)
            {
                counts.put(in.readLong(), in.readLong());
            }
        }
    }

    /** Inputs: key, or -threshold for a control event. */
    private static List<Long> inputs()
    {
        final List<Long> inputs = new ArrayList<>();
        for (int i = 0; i < 600; i++)
        {
            if (i == 200)
            {
                inputs.add(-3L);
            }
            if (i == 400)
            {
                inputs.add(-7L);
            }
            inputs.add((long)(i * 7 % KEYS));
        }
        return inputs;
    }

    private static byte[] longBytes(final long value)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[8]);
        bytes.putLong(0, value);
        return bytes.byteArray();
    }

    /** Sorted, duplicates kept: a doubled output shows. */
    private static List<String> sorted(final Collection<String> described)
    {
        final List<String> list = new ArrayList<>(described);
        Collections.sort(list);
        return list;
    }

    private static List<String> expected(final int shards)
    {
        final List<String> described = new ArrayList<>();
        try (TestDriver driver = TestDriver.create(new EngineContext().shardCount(shards).handlers(shard -> new ThresholdRule())))
        {
            for (final long input : inputs())
            {
                if (input < 0)
                {
                    driver.control(longBytes(-input));
                }
                else
                {
                    driver.pipe(input, longBytes(input));
                }
            }
            for (final TestDriver.Record record : driver.outputs())
            {
                described.add(EngineTestSupport.describe(record));
            }
        }
        return sorted(described);
    }

    private static void publish(final EventPublisher publisher, final List<Long> inputs)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[8]);
        for (final long input : inputs)
        {
            bytes.putLong(0, Math.abs(input));
            if (input < 0)
            {
                publisher.publishControl(bytes, 0, 8);
            }
            else
            {
                publisher.publish(input, bytes, 0, 8);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void shouldApplyAControlEventOnEveryShardAtOnePoint(final Topology topology)
    {
        final Queue<String> described = new ConcurrentLinkedQueue<>();   // the listener runs on 3 shard threads when pipelined
        final EngineContext ctx = EngineTestSupport.context(dir).topology(topology).shardCount(3).handlers(shard -> new ThresholdRule())
            .outputListener(output -> described.add(EngineTestSupport.describe(output)));
        try (Engine engine = new Engine(ctx).start())
        {
            publish(engine.newPublisher(1), inputs());
        }
        assertEquals(expected(3), sorted(described), "live, as on the test driver, ids included");
        final long changes = described.stream().filter(line -> line.split(" ")[1].equals(String.valueOf(CHANGED))).count();
        assertEquals(6, changes, "two control events, each on each of the 3 shards");
        final Set<String> positions = new TreeSet<>();
        described.stream().filter(line -> line.split(" ")[1].equals(String.valueOf(CHANGED)))
            .forEach(line -> positions.add(line.split(":")[0]));
        assertEquals(2, positions.size(), "every shard applies a control event at its one position: " + positions);
    }

    @Test
    void shouldApplyControlEventsAgainAfterRecoveryByReplayOrFromASnapshot()
    {
        final List<Long> inputs = inputs();
        for (final boolean snapshot : new boolean[] {false, true})
        {
            final Path engineDir = dir.resolve("snapshot-" + snapshot);
            final Queue<String> described = new ConcurrentLinkedQueue<>();
            final EngineContext first = EngineTestSupport.context(engineDir).shardCount(3).handlers(shard -> new ThresholdRule())
                .snapshotOnClose(snapshot).outputListener(output -> described.add(EngineTestSupport.describe(output)));
            try (Engine engine = new Engine(first).start())
            {
                publish(engine.newPublisher(1), inputs.subList(0, 300));   // the first control event only
            }
            final Queue<String> fresh = new ConcurrentLinkedQueue<>();
            final EngineContext second = EngineTestSupport.context(engineDir).shardCount(3).handlers(shard -> new ThresholdRule())
                .outputListener(output ->
                {
                    if (!output.isReplay())
                    {
                        fresh.add(EngineTestSupport.describe(output));
                    }
                });
            try (Engine engine = new Engine(second).start())
            {
                publish(engine.newPublisher(1), inputs.subList(300, inputs.size()));
            }
            described.addAll(fresh);
            assertEquals(expected(3), sorted(described), snapshot ? "restarted from the snapshot at close" : "restarted by replaying the journal");
        }
    }

    @Test
    void shouldDeadLetterAControlEventItsHandlerRefuses()
    {
        try (TestDriver driver = TestDriver.create(new EngineContext().shardCount(2).handlers(shard -> new ThresholdRule())))
        {
            driver.control(longBytes(0));
            assertEquals(2, driver.outputs().size(), "one dead letter per shard");
            for (final TestDriver.Record record : driver.outputs())
            {
                assertEquals(Output.DEAD_LETTER, record.type());
                assertTrue(DeadLetter.reason(record).contains("a threshold must be 1 or more"), DeadLetter.reason(record));
            }
            driver.pipe(1, longBytes(1));
            driver.control(longBytes(1));
            driver.pipe(1, longBytes(1));
            assertEquals(ALERT, driver.outputs().get(driver.outputs().size() - 1).type(), "threshold 1: every event alerts");
        }
    }
}
