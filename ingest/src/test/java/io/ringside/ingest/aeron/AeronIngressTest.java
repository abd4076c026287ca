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
import io.ringside.engine.ShardHandler;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngressContext.Placement;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Aeron ingress, sender, sink and output subscriber in one JVM through a real embedded media driver (IPC, and UDP
 * on 127.0.0.1): every event once and in order, acknowledged; back pressure from a slow shard held in Aeron; a
 * malformed message dead-lettered back to its sender; an engine restarted under a running sender. The IPC cases run twice:
 * the ingress on a thread of its own, and polled by the engine's compact thread ({@link AeronIngressContext#placement}).
 * The default placement: the compact thread of a compact engine, a thread of its own on a pipelined one, with the same
 * decisions; the compact thread of a pipelined engine refused.
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

    @ParameterizedTest(name = "ingress placement: {0}")
    @EnumSource(names = {"THREAD", "COMPACT"})
    void shouldTakeEveryEventOnceInOrderAndAcknowledgeIt(final Placement placement)
    {
        runOnce(AeronIngressContext.IPC, AeronIngressContext.IPC, 20_000, placement);
    }

    @Test
    void shouldTakeEveryEventOnceOverUdp()
    {
        runOnce("aeron:udp?endpoint=127.0.0.1:24571", "aeron:udp?endpoint=127.0.0.1:24572", 5_000, Placement.THREAD);
    }

    private void runOnce(final String channel, final String ackChannel, final int events, final Placement placement)
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir, seen, 0));
        final AeronIngress ingress = ingress(engine, channel, ackChannel, placement);
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

    @ParameterizedTest(name = "ingress placement: {0}")
    @EnumSource(names = {"THREAD", "COMPACT"})
    void shouldHoldBackPressureInAeronWhenASlowShardFillsASmallRing(final Placement placement)
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir, seen, 20_000).ringSize(64));
        final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, placement);
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
        final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, Placement.THREAD);
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

    @ParameterizedTest(name = "ingress placement: {0}")
    @EnumSource(names = {"THREAD", "COMPACT"})
    void shouldResendWhatARestartedEngineLacksAndDropWhatItHad(final Placement placement)
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
            final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, placement);
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

    @Test
    void aPipelinedEngineTakesTheDefaultIngressOnAThreadOfItsOwnAndDecidesAsACompactOne()
    {
        final int events = 10_000;
        final LongArrayList[] compact = decideWithTheDefaultPlacement(Topology.COMPACT, events, Placement.COMPACT);
        final LongArrayList[] pipelined = decideWithTheDefaultPlacement(Topology.PIPELINED, events, Placement.THREAD);
        assertEquals(events, compact[0].size() + compact[1].size(), "every decision");
        assertTrue(compact[0].size() > 0 && compact[1].size() > 0, "both shards decided");
        for (int shard = 0; shard < 2; shard++)
        {
            assertEquals(compact[shard], pipelined[shard], "shard " + shard + "'s decisions, in order");
        }
    }

    /**
     * Sends {@code events} to a fresh two-shard engine of this topology through an ingress with the default placement.
     *
     * @return each shard's decisions as the subscriber read them.
     */
    private LongArrayList[] decideWithTheDefaultPlacement(final Topology topology, final int events, final Placement expected)
    {
        final LongArrayList seen = new LongArrayList();
        final Engine engine = engine(context(dir.resolve(topology.name()), seen, 0).topology(topology).shardCount(2));
        final AeronIngress ingress = new AeronIngress(ingressContext(), engine);
        toClose.add(ingress);
        ingress.start();
        assertEquals(Placement.AUTO, ingressContext().placement(), "AUTO by default");
        assertEquals(expected, ingress.placement(), () -> topology + ": " + ingress.describePlacement());
        final LongArrayList[] decided = {new LongArrayList(), new LongArrayList()};
        final AeronOutputSubscriber subscriber = new AeronOutputSubscriber(aeron, AeronIngressContext.IPC, 1003,
            (position, shard, ordinal, type, key, buffer, offset, length) -> decided[shard].addLong(buffer.getLong(offset, ORDER)));
        toClose.add(subscriber);
        final AeronSender sender = sender(AeronIngressContext.IPC, AeronIngressContext.IPC, 1024);
        assertEquals(0, sender.awaitResume(10_000, new SleepingMillisIdleStrategy(1)));
        send(sender, subscriber, 0, events);
        await(() -> work(sender, subscriber) >= 0 && sender.acked() == events - 1, () -> "every event acknowledged, acked " + sender.acked());
        await(() -> work(sender, subscriber) >= 0 && decided[0].size() + decided[1].size() == events,
            () -> "every decision, got " + (decided[0].size() + decided[1].size()));
        // the next engine's decisions start at journal position 0 again: a fresh subscriber, sender and ingress for it
        for (final AutoCloseable closeable : List.of(sender, subscriber, ingress, engine))
        {
            CloseHelper.close(closeable);
            toClose.remove(closeable);
        }
        assertEquals(events, seen.size(), "each event handled once");
        return decided;
    }

    @Test
    void shouldRefuseTheCompactThreadOfAPipelinedEngineNamingTheCauseAndTheFix()
    {
        final Engine engine = engine(context(dir, new LongArrayList(), 0).topology(Topology.PIPELINED));
        assertFalse(engine.runsCompactDuties());
        final AeronIngress refused = new AeronIngress(ingressContext().placement(Placement.COMPACT), engine);
        toClose.add(refused);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, refused::start);
        assertTrue(ex.getMessage().contains("this engine has none (its topology is pipelined"), ex.getMessage());
        assertTrue(ex.getMessage().contains("use placement AUTO (the default: its own thread on such an engine) or THREAD, or " +
            "EngineContext.topology(COMPACT)"), ex.getMessage());
        assertNull(refused.placement(), "not started");
        refused.close();
        toClose.remove(refused);
        // what it opened is let go: the single-producer ring's publisher and the source id are free for the next ingress
        final AeronIngress ingress = ingress(engine, AeronIngressContext.IPC, AeronIngressContext.IPC, Placement.AUTO);
        assertEquals(Placement.THREAD, ingress.placement());
        assertEquals("its own thread ringside-aeron-" + AeronIngressContext.DEFAULT_STREAM_ID + " (placement auto, pipelined topology)",
            ingress.describePlacement());
        assertThrows(IllegalStateException.class, ingress::start, "started once");
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
        return new EngineContext().directory(dir.resolve("engine")).segmentSize(1 << 20).maxEventLength(64).multiProducer(false)
            .journalerWait(WaitStrategy.BLOCKING).shardWait(WaitStrategy.BLOCKING).egressWait(WaitStrategy.SLEEPING)
            .handlers(shard -> decider(seen, parkNsPerEvent));
    }

    /**
     * A shard's handler: its own output buffer (pipelined shards run on threads of their own).
     */
    private static ShardHandler decider(final LongArrayList seen, final long parkNsPerEvent)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
        return (event, context) ->
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
        };
    }

    private Engine engine(final EngineContext ctx)
    {
        ctx.addSink(new AeronSink(aeron, AeronIngressContext.IPC, 1003));
        final Engine engine = new Engine(ctx).start();
        toClose.add(engine);
        return engine;
    }

    private AeronIngress ingress(final Engine engine, final String channel, final String ackChannel, final Placement placement)
    {
        final AeronIngress ingress = new AeronIngress(ingressContext().channel(channel).ackChannel(ackChannel).placement(placement), engine);
        toClose.add(ingress);
        return ingress.start();
    }

    /**
     * @return the context the tests' ingresses start from: the defaults (IPC, placement AUTO) but for a faster acknowledgement.
     */
    private AeronIngressContext ingressContext()
    {
        return new AeronIngressContext().aeron(aeron).decoder(MessageDecoder.fixedLength(EVENT_LENGTH, 0, ORDER)).ackIntervalMs(50);
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

    /**
     * Waits, 1 ms at a time, until the condition holds; fails naming what after 60 s. Shared by the Aeron tests.
     */
    static void await(final BooleanSupplier condition, final Supplier<String> what)
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
