package io.ringside.engine;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shard hears every watermark move at the same point of the stream, so a handler that closes what the
 * watermark has passed gives the same results (at the same journal positions) for any topology and shard count.
 */
class EngineWatermarkCallbackTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long DELAY_MS = 1_000;

    @TempDir
    Path dir;

    /** Holds each event back until the watermark passes its time + 1 s, then emits it with that watermark. */
    static final class Closer implements ShardHandler
    {
        private final Deque<long[]> pending = new ArrayDeque<>();
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[24]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            pending.add(new long[] {event.key(), event.eventTime()});
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context)
        {
            final int count = pending.size();
            for (int i = 0; i < count; i++)
            {
                final long[] item = pending.poll();
                if (item[1] + DELAY_MS <= watermark)
                {
                    out.putLong(0, item[0]);
                    out.putLong(8, item[1]);
                    out.putLong(16, watermark);
                    context.emit(1, item[0], out, 0, 24);
                }
                else
                {
                    pending.add(item);
                }
            }
        }
    }

    @Test
    void shouldCloseTheSameThingsAtTheSamePositionsForEveryTopologyAndShardCount()
    {
        List<String> expected = null;
        for (final Topology topology : Topology.values())
        {
            for (final int shards : new int[] {1, 2, 4})
            {
                final List<String> results = new CopyOnWriteArrayList<>();
                final Set<String> ids = new HashSet<>();
                final EngineContext ctx = EngineTestSupport.context(dir.resolve(topology + "-" + shards))
                    .topology(topology)
                    .shardCount(shards)
                    .eventTime((buffer, offset, length) -> buffer.getLong(offset))
                    .maxOutOfOrdernessMs(500)
                    .handlers(shard -> new Closer())
                    .outputListener(output ->
                    {
                        final long key = output.buffer().getLong(output.offset());
                        final long time = output.buffer().getLong(output.offset() + 8);
                        final long watermark = output.buffer().getLong(output.offset() + 16);
                        assertTrue(time + DELAY_MS <= watermark);
                        results.add(key + "@" + time + " closed by " + watermark + " at " + output.position());
                        synchronized (ids)
                        {
                            assertTrue(ids.add(output.position() + "/" + output.shard() + "/" + output.ordinal()), "ids are unique");
                        }
                    });
                final SplittableRandom random = new SplittableRandom(7);
                final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
                try (Engine engine = new Engine(ctx).start())
                {
                    final EventPublisher publisher = engine.newPublisher(1);
                    for (int i = 0; i < 2_000; i++)
                    {
                        event.putLong(0, T0 + i * 10L - random.nextLong(400));
                        publisher.publish(random.nextLong(50), event, 0, 8);
                    }
                    publisher.endOfInput();
                }
                assertEquals(2_000, results.size(), topology + " x" + shards + ": every event closed once");
                final List<String> sorted = new ArrayList<>(results);
                sorted.sort(null);
                if (expected == null)
                {
                    expected = sorted;
                    assertTrue(sorted.stream().anyMatch(r -> r.contains("closed by " + Long.MAX_VALUE)),
                        "the end of input closes what is left");
                }
                assertEquals(expected, sorted, topology + " with " + shards + " shard(s)");
            }
        }
    }
}
