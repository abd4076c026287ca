package io.ringside.ingest.aeron;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.aeron.Aeron;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.WaitStrategy;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Aeron ingress, sender, sink and output subscriber in one JVM through a real embedded media driver (IPC, and UDP
 * on 127.0.0.1): every event once and in order, acknowledged; back pressure from a slow shard held in Aeron; a
 * malformed message dead-lettered back to its sender; an engine restarted under a running sender. The IPC cases run twice:
 * the ingress on a thread of its own, and polled by the engine's compact thread ({@link AeronIngressContext#onCompactThread}).
 */
class AeronIngressTest
{
    private static final int EVENT_LENGTH = 16;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private EmbeddedMediaDriver driver;
    private Aeron aeron;

    @BeforeEach
    void launchDriver()
    {
        driver = EmbeddedMediaDriver.launch(EmbeddedMediaDriver.uniqueDirectory(), 2_000);
        aeron = driver.connect();
    }

    @AfterEach
    void closeAll()
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(toClose.get(i));
        }
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @ParameterizedTest(name = "ingress on the compact thread: {0}")
    @ValueSource(booleans = {false, true})
    void shouldTakeEveryEventOnceInOrderAndAcknowledgeIt(final boolean onCompactThread)
    {
        runOnce(AeronIngressContext.IPC, AeronIngressContext.IPC, 20_000, onCompactThread);
    }

    @Test
    void shouldTakeEveryEventOnceOverUdp()
    {
        runOnce("aeron:udp?endpoint=127.0.0.1:24571", "aeron:udp?endpoint=127.0.0.1:24572", 5_000, false);
    }

    private void runOnce(final String channel, final String ackChannel, final int events, final boolean onCompactThread)
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir, seen, 0));
        final AeronIngress ingress = ingress(engine, channel, ackChannel, onCompactThread);
        final LongArrayList decided = new LongArrayList();
        final AeronOutputSubscriber subscriber = subscriber(decided);
        final AeronSender sender = sender(channel, ackChannel, 1024);
        assertEquals(0, sender.awaitResume(10_000, new SleepingMillisIdleStrategy(1)));
        send(sender, subscriber, 0, events);
        await(() -> work(sender, subscriber) >= 0 && sender.acked() == events - 1, () -> "every event acknowledged, acked " + sender.acked());
        await(() -> work(sender, subscriber) >= 0 && decided.size() == events, () -> "every decision, got " + decided.size());
        CloseHelper.close(ingress);
        engine.close();
        assertSequence(seen, events);
        assertSequence(decided, events);
        assertEquals(0, sender.rewinds());
    }

    @ParameterizedTest(name = "ingress on the compact thread: {0}")
    @ValueSource(booleans = {false, true})
    void shouldHoldBackPressureInAeronWhenASlowShardFillsASmallRing(final boolean onCompactThread)
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir, seen, 20_000).ringSize(64));
        final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, onCompactThread);
        final LongArrayList decided = new LongArrayList();
        final AeronOutputSubscriber subscriber = subscriber(decided);
        // a small term: the publication's window (half a term) fills while the ring is full
        final AeronSender sender = sender("aeron:ipc?term-length=65536", AeronIngressContext.IPC, 8192);
        sender.awaitResume(10_000, new SleepingMillisIdleStrategy(1));
        final int events = 8_000;
        send(sender, subscriber, 0, events);
        await(() -> work(sender, subscriber) >= 0 && decided.size() == events, () -> "every decision, got " + decided.size());
        assertTrue(ingress.ringFull() > 0, "the ingress found the ring full");
        assertTrue(sender.backPressured() > 0, "the sender saw back pressure");
        CloseHelper.close(ingress);
        engine.close();
        assertSequence(seen, events);
        assertSequence(decided, events);
        assertEquals(0, ingress.gaps());
    }

    @Test
    void shouldSendAMalformedEventBackAsADeadLetterAndGoOn()
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir, seen, 0));
        final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, false);
        final AeronOutputSubscriber subscriber = subscriber(new LongArrayList());
        final List<String> letters = new ArrayList<>();
        final AeronSender sender = sender(AeronIngressContext.IPC, AeronIngressContext.IPC, 1024)
            .deadLetterHandler((sequence, reason, buffer, offset, length) -> letters.add(sequence + " " + reason + " " + length));
        sender.awaitResume(10_000, new SleepingMillisIdleStrategy(1));
        final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH + 1]);
        for (long i = 0; i < 100; i++)
        {
            event.putLong(0, i % 7, ORDER);
            event.putLong(8, i, ORDER);
            while (sender.offer(event, 0, i == 42 ? EVENT_LENGTH + 1 : EVENT_LENGTH) < 0)
            {
                idle(work(sender, subscriber));
            }
        }
        await(() -> work(sender, subscriber) >= 0 && sender.acked() == 99 && letters.size() == 1, () -> "acked " + sender.acked() + ", letters " + letters);
        assertEquals("42 event is not 16 bytes " + (AeronMessageDescriptor.HEADER_LENGTH + EVENT_LENGTH + 1), letters.get(0));
        assertEquals(1, ingress.deadLettered());
        CloseHelper.close(ingress);
        engine.close();
        assertEquals(99, seen.size());
        assertTrue(!seen.containsLong(42));
    }

    @ParameterizedTest(name = "ingress on the compact thread: {0}")
    @ValueSource(booleans = {false, true})
    void shouldResendWhatARestartedEngineLacksAndDropWhatItHad(final boolean onCompactThread)
    {
        final LongArrayList seen = new LongArrayList();
        final LongArrayList decided = new LongArrayList();
        final AeronOutputSubscriber subscriber = subscriber(decided);
        final AeronSender sender = sender(AeronIngressContext.IPC, AeronIngressContext.IPC, 4096);
        final int events = 6_000;
        long sent = 0;
        for (int run = 0; run < 3; run++)
        {
            // no snapshot at close: the restart replays the journal and sends every output again (the subscriber drops them)
            final Engine engine = engine(context(dir, seen, 0).snapshotOnClose(false));
            final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, onCompactThread);
            if (run == 0)
            {
                assertEquals(0, sender.awaitResume(10_000, new SleepingMillisIdleStrategy(1)));
            }
            final long to = run == 2 ? events : sent + 2_000;
            send(sender, subscriber, sent, to);
            sent = to;
            if (run == 2)
            {
                await(() -> work(sender, subscriber) >= 0 && sender.acked() == events - 1, () -> "acked " + sender.acked());
                await(() -> work(sender, subscriber) >= 0 && decided.size() == events, () -> "every decision, got " + decided.size());
            }
            // closed with events in flight: the sender neither knows nor waits
            ingress.close();
            engine.close();
            toClose.remove(ingress);
            toClose.remove(engine);
        }
        // the engine drops most replayed outputs itself (it records the last delivered); the subscriber drops the rest
        assertSequence(decided, events);
    }

    private void send(final AeronSender sender, final AeronOutputSubscriber subscriber, final long from, final long to)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
        for (long i = from; i < to; i++)
        {
            event.putLong(0, i % 97, ORDER);
            event.putLong(8, i, ORDER);
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            long sequence;
            while ((sequence = sender.offer(event, 0, EVENT_LENGTH)) < 0)
            {
                idle(work(sender, subscriber));
                if (System.nanoTime() > deadline)
                {
                    fail("the sender's buffer stayed full: acked " + sender.acked() + ", next " + sender.nextSequence());
                }
            }
            assertEquals(i, sequence);
            subscriber.poll(64);
        }
    }

    private static int work(final AeronSender sender, final AeronOutputSubscriber subscriber)
    {
        return sender.doWork() + subscriber.poll(256);
    }

    private static void idle(final int work)
    {
        if (work == 0)
        {
            LockSupport.parkNanos(100_000);
        }
    }

    private static void assertSequence(final LongArrayList values, final int count)
    {
        assertEquals(count, values.size(), "how many");
        for (int i = 0; i < count; i++)
        {
            if (values.getLong(i) != i)
            {
                fail("at " + i + ": " + values.getLong(i) + " (every value once, in order)");
            }
        }
    }

    /**
     * One shard that records each event's value (its second long) and decides it: an output with the value.
     *
     * @param parkNsPerEvent a slow shard's pause per event, or 0.
     */
    private static EngineContext context(final Path dir, final LongArrayList seen, final long parkNsPerEvent)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
        return new EngineContext().directory(dir.resolve("engine")).segmentSize(1 << 20).maxEventLength(64).multiProducer(false)
            .journalerWait(WaitStrategy.BLOCKING).shardWait(WaitStrategy.BLOCKING).egressWait(WaitStrategy.SLEEPING)
            .handlers(shard -> (event, context) ->
            {
                final long value = event.buffer().getLong(event.offset() + 8, ORDER);
                synchronized (seen)
                {
                    seen.addLong(value);   // replays included
                }
                if (parkNsPerEvent > 0)
                {
                    LockSupport.parkNanos(parkNsPerEvent);
                }
                out.putLong(0, value, ORDER);
                context.emit(0, event.key(), out, 0, 8);
            });
    }

    private Engine engine(final EngineContext ctx)
    {
        ctx.addSink(new AeronSink(aeron, AeronIngressContext.IPC, 1003));
        final Engine engine = new Engine(ctx).start();
        toClose.add(engine);
        return engine;
    }

    private AeronIngress ingress(final Engine engine, final String channel, final String ackChannel, final boolean onCompactThread)
    {
        final AeronIngress ingress = new AeronIngress(new AeronIngressContext().aeron(aeron).channel(channel).ackChannel(ackChannel)
            .decoder(MessageDecoder.fixedLength(EVENT_LENGTH, 0, ORDER)).ackIntervalMs(50).onCompactThread(onCompactThread), engine).start();
        toClose.add(ingress);
        return ingress;
    }

    private AeronSender sender(final String channel, final String ackChannel, final int capacity)
    {
        final AeronSender sender = new AeronSender(aeron, channel, AeronIngressContext.DEFAULT_STREAM_ID, ackChannel,
            AeronIngressContext.DEFAULT_ACK_STREAM_ID, 0, capacity, 64);
        toClose.add(sender);
        return sender;
    }

    private AeronOutputSubscriber subscriber(final LongArrayList decided)
    {
        final AeronOutputSubscriber subscriber = new AeronOutputSubscriber(aeron, AeronIngressContext.IPC, 1003,
            (position, shard, ordinal, type, key, buffer, offset, length) -> decided.addLong(buffer.getLong(offset, ORDER)));
        toClose.add(subscriber);
        return subscriber;
    }

    private static void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
