package io.ringside.ingest.aeron;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.WaitStrategy;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@link AeronSink} on the compact thread ({@code InlineOutputSink}), through a real embedded media driver: decisions
 * go out on the compact thread while the subscriber keeps up; when it stops polling, the small term's window fills, the
 * inline offer is refused and the egress thread takes over (retrying, back-pressured); once the subscriber reads again the
 * egress catches up and hands back, and the compact thread publishes again. The subscriber gets every decision once, each
 * shard's in order (it drops none as seen before), across both hand-overs.
 */
class AeronInlineDeliveryTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int SHARDS = 2;

    @TempDir
    Path dir;

    @Test
    void aBackPressuredInlineOfferHandsOverToTheEgressThreadAndBackWithEveryDecisionOnceInOrder()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(EmbeddedMediaDriver.uniqueDirectory(), 2_000);
        final Aeron aeron = driver.connect();
        Engine engine = null;
        AeronOutputSubscriber subscriber = null;
        try
        {
            final LongArrayList decided = new LongArrayList();
            final long[] lastOfShard = {-1, -1};
            final int[] outOfOrder = {0};
            // a 64 KiB term: a 32 KiB window, some 500 decisions unread before the publication is back-pressured
            final String channel = "aeron:ipc?term-length=65536";
            subscriber = new AeronOutputSubscriber(aeron, channel, 1003, (position, shard, ordinal, type, key, buffer, offset, length) ->
            {
                final long value = buffer.getLong(offset, ORDER);
                if (value <= lastOfShard[shard])
                {
                    outOfOrder[0]++;
                }
                lastOfShard[shard] = value;
                decided.addLong(value);
            });
            final AeronSink sink = new AeronSink(aeron, channel, 1003);
            engine = new Engine(new EngineContext().directory(dir.resolve("engine")).segmentSize(1 << 20).maxEventLength(64)
                .shardCount(SHARDS).journalerWait(WaitStrategy.BLOCKING).egressWait(WaitStrategy.BLOCKING)
                .handlers(shard -> (event, context) -> context.emit(0, event.key(), event.buffer(), event.offset(), 8))
                .addSink(sink)).start();
            final AeronOutputSubscriber s = subscriber;
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);

            // 1: the subscriber keeps up, the compact thread publishes
            long next = 0;
            for (; next < 2_000; next++)
            {
                publish(publisher, event, next, s);
            }
            final long firstPhase = next;
            AeronIngressTest.await(() -> s.poll(256) >= 0 && decided.size() == firstPhase, () -> "the first decisions, got " + decided.size());
            assertTrue(sink.sentInline() > 0, "decisions published on the compact thread");

            // 2: the subscriber stops reading; the window fills, an inline offer is refused and the egress thread retries
            for (int i = 0; i < 3_000; i++, next++)
            {
                event.putLong(0, next, ORDER);
                if (!publisher.tryPublish(next % 97, event, 0, 8))
                {
                    break;   // the ring is full behind the waiting egress: back pressure reaches the publisher
                }
            }
            AeronIngressTest.await(() -> sink.refusedInline() > 0 && sink.backPressured() > 0,
                () -> "a refused inline offer and a back-pressured egress: refused " + sink.refusedInline() + ", back-pressured " +
                    sink.backPressured());
            final long inlineWhenRefused = sink.sentInline();

            // 3: the subscriber reads again; everything arrives, the egress catches up and hands back
            for (; next < 10_000; next++)
            {
                publish(publisher, event, next, s);
                if (next % 100 == 0)
                {
                    final long sent = next + 1;
                    AeronIngressTest.await(() -> s.poll(256) >= 0 && decided.size() == sent,
                        () -> "caught up at " + sent + ", got " + decided.size());
                }
            }
            final long all = next;
            AeronIngressTest.await(() -> s.poll(256) >= 0 && decided.size() == all, () -> "every decision, got " + decided.size());
            assertTrue(sink.sentInline() > inlineWhenRefused,
                "the compact thread published again after the egress caught up: " + inlineWhenRefused + " then " + sink.sentInline());

            engine.close();
            assertEquals(0, outOfOrder[0], "decisions out of order within a shard");
            assertEquals(0, subscriber.duplicates(), "decisions the subscriber dropped as seen (its ids out of order)");
            assertEquals(all, decided.size(), "decisions received");
            final boolean[] seen = new boolean[(int)all];
            for (int i = 0; i < decided.size(); i++)
            {
                final int value = (int)decided.getLong(i);
                if (seen[value])
                {
                    fail("decision " + value + " twice");
                }
                seen[value] = true;
            }
            assertEquals(all, sink.sent(), "decisions published");
            assertTrue(sink.sent() > sink.sentInline(), "and some on the egress thread");
        }
        finally
        {
            CloseHelper.quietCloseAll(engine, subscriber, aeron, driver);
        }
    }

    private static void publish(final EventPublisher publisher, final UnsafeBuffer event, final long value, final AeronOutputSubscriber subscriber)
    {
        event.putLong(0, value, ORDER);
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!publisher.tryPublish(value % 97, event, 0, 8))
        {
            if (subscriber.poll(256) == 0)
            {
                LockSupport.parkNanos(100_000);
            }
            if (System.nanoTime() > deadline)
            {
                fail("the ring stayed full at " + value);
            }
        }
        subscriber.poll(64);
    }
}
