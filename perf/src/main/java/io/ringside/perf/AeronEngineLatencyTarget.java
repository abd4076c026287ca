package io.ringside.perf;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.ringside.engine.Engine;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngress;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.ingest.aeron.AeronOutputSubscriber;
import io.ringside.ingest.aeron.AeronSender;
import io.ringside.ingest.aeron.AeronSink;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import io.ringside.ingest.aeron.MessageDecoder;
import io.ringside.perf.fraud.AeronChannels;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The round trip over Aeron as a {@link LatencyTarget}: the publisher thread sends each event with an {@link AeronSender}
 * (IPC, or UDP on 127.0.0.1, through an embedded media driver) to an {@link AeronIngress}, which claims a ring slot; the
 * engine journals it (page-cache) and its one shard decides (an output carrying the event's bytes); the {@link AeronSink}
 * publishes the decision once the event is durable, on the compact thread (the egress thread when the publication is
 * back-pressured, or with {@code --inline-delivery off} or a pipelined topology), and the receiver thread's
 * {@link AeronOutputSubscriber} records its latency from the event's intended send time. Ingress, sink retries and
 * receiver back off to 100 us parks; the journaler and shard wait with the harness's strategy, the egress with
 * {@code --egress-wait} (the same by default; {@link WaitStrategy#BACKOFF_BLOCKING} adds the bare ping-pong's spins and
 * yields before the doorbell). With the ingress on the engine's compact thread, that thread polls Aeron
 * before the ring each cycle and, idle, backs off to {@link io.ringside.engine.EngineContext#DEFAULT_COMPACT_DUTY_PARK_NS}
 * parks.
 * <p>
 * Where the time goes: the publisher stamps each event when it is offered ({@value #SENT_NS_OFFSET}), the shard when it
 * decides ({@value #DECIDED_NS_OFFSET}), and the receiver splits each measured round trip into the way in (offered to
 * decided: Aeron, the ingress's wake-up, the ring, the journal append, the handler) and the way out (decided to received:
 * the durable position, the sink's offer (after the egress's wake-up when the egress offers it), Aeron, the receiver's wake-up),
 * in {@link #summary()}.
 */
final class AeronEngineLatencyTarget implements LatencyTarget
{
    /** The publisher's nanotime when it offered the event (after the key at 16). */
    static final int SENT_NS_OFFSET = 24;
    /** The shard's nanotime when it decided. */
    static final int DECIDED_NS_OFFSET = 32;

    private final String name;
    private final Path directory;
    private final EmbeddedMediaDriver driver;
    private final Aeron aeron;
    private final Engine engine;
    private final AeronSink sink;
    private final AeronIngress ingress;
    private final AeronSender sender;
    private final AeronOutputSubscriber decisions;
    private final AeronLatencyReceiver receiver;
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[LatencyEventDescriptor.LENGTH]);
    private final RingFullWaiter fullBuffer = new RingFullWaiter("aeron sender");
    /** Receiver thread; read after close. */
    private final Histogram wayIn = new Histogram(IntendedLatencyRecorder.HIGHEST_NS, 3);
    private final Histogram wayOut = new Histogram(IntendedLatencyRecorder.HIGHEST_NS, 3);
    private long published;

    /**
     * @param placement where the ingress runs ({@link AeronIngressContext#placement}); the target is named by where it went:
     *                  {@code aeron-MODE-engine-compact} on the engine's compact thread, {@code aeron-MODE-engine} on its own.
     */
    AeronEngineLatencyTarget(final String mode, final Topology topology, final WaitStrategy wait, final WaitStrategy egressWait,
        final boolean inlineDelivery, final int ringSize, final AeronIngressContext.Placement placement)
    {
        final AeronChannels channels = AeronChannels.of(mode);
        directory = BenchmarkFiles.createScratchDirectory("ringside-latency-aeron-");
        driver = EmbeddedMediaDriver.launch();
        aeron = driver.connect();
        sink = new AeronSink(aeron, channels.decisions(), AeronChannels.DECISION_STREAM_ID);
        engine = new Engine(EngineLatencyTarget.context(directory, topology, wait, ringSize)
            .maxEventLength(LatencyEventDescriptor.LENGTH)
            .egressWait(egressWait)
            .inlineDelivery(inlineDelivery)
            .addSink(sink)
            .handlers(shard -> new Decider())).start();
        ingress = new AeronIngress(new AeronIngressContext().aeron(aeron).channel(channels.events()).ackChannel(channels.acks())
            .decoder(MessageDecoder.fixedLength(LatencyEventDescriptor.LENGTH, 16, ByteOrder.nativeOrder())).placement(placement),
            engine).start();
        name = "aeron-" + mode + "-engine" + (ingress.placement() == AeronIngressContext.Placement.COMPACT ? "-compact" : "");
        decisions = new AeronOutputSubscriber(aeron, channels.decisions(), AeronChannels.DECISION_STREAM_ID,
            (position, shard, ordinal, type, key, buffer, offset, length) -> onDecision(buffer, offset));
        receiver = new AeronLatencyReceiver(name, r -> decisions.poll(64)).start();
        sender = new AeronSender(aeron, channels.events(), AeronIngressContext.DEFAULT_STREAM_ID, channels.acks(),
            AeronIngressContext.DEFAULT_ACK_STREAM_ID, 0, 1 << 16, LatencyEventDescriptor.LENGTH);
        sender.awaitResume(30_000, new SleepingMillisIdleStrategy(1));
    }

    private void onDecision(final DirectBuffer buffer, final int offset)
    {
        final long nowNs = System.nanoTime();
        receiver.onDecision(buffer, offset);
        if (buffer.getLong(offset + LatencyEventDescriptor.PHASE_OFFSET) == LatencyEventDescriptor.MEASURED)
        {
            final long decidedNs = buffer.getLong(offset + DECIDED_NS_OFFSET);
            wayIn.recordValue(Math.min(IntendedLatencyRecorder.HIGHEST_NS, Math.max(0, decidedNs - buffer.getLong(offset + SENT_NS_OFFSET))));
            wayOut.recordValue(Math.min(IntendedLatencyRecorder.HIGHEST_NS, Math.max(0, nowNs - decidedNs)));
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void publish(final long intendedNs, final long phase)
    {
        event.putLong(LatencyEventDescriptor.INTENDED_NS_OFFSET, intendedNs);
        event.putLong(LatencyEventDescriptor.PHASE_OFFSET, phase);
        event.putLong(16, LatencyEventDescriptor.KEY, ByteOrder.nativeOrder());
        event.putLong(SENT_NS_OFFSET, System.nanoTime());
        while (sender.offer(event, 0, LatencyEventDescriptor.LENGTH) < 0)
        {
            fullBuffer.idle();
        }
        fullBuffer.reset();
        if ((++published & 63) == 0)
        {
            sender.doWork();   // acknowledgements: they free the sender's buffer
        }
    }

    @Override
    public void close()
    {
        try
        {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (receiver.received() < published && System.nanoTime() < deadline)
            {
                if (sender.doWork() == 0)
                {
                    LockSupport.parkNanos(100_000);
                }
            }
            receiver.await(published, 1_000);
        }
        finally
        {
            try
            {
                CloseHelper.closeAll(receiver, ingress, sender);
                engine.close();
            }
            finally
            {
                CloseHelper.closeAll(decisions, aeron, driver);
                BenchmarkFiles.deleteRecursively(directory);
            }
        }
    }

    @Override
    public IntendedLatencyRecorder recorder()
    {
        return receiver.recorder();
    }

    @Override
    public String summary()
    {
        final Histogram inEngine = engine.latencyHistogram();
        return String.format(Locale.ROOT, "in the engine (ring claim to the shard's decision, warm-up included): p50 %.1f, p99 %.1f, " +
            "p99.9 %.1f us; way in (offered to decided) p50 %.1f, p99 %.1f us; way out (decided to received) p50 %.1f, p99 %.1f us; " +
            "sender back-pressured %,d times; ingress ring-full aborts %,d; decisions published on the compact thread %,d of %,d " +
            "(refused there %,d times)", inEngine.getValueAtPercentile(50) / 1e3,
            inEngine.getValueAtPercentile(99) / 1e3, inEngine.getValueAtPercentile(99.9) / 1e3, wayIn.getValueAtPercentile(50) / 1e3,
            wayIn.getValueAtPercentile(99) / 1e3, wayOut.getValueAtPercentile(50) / 1e3, wayOut.getValueAtPercentile(99) / 1e3,
            sender.backPressured(), ingress.ringFull(), sink.sentInline(), sink.sent(), sink.refusedInline());
    }

    /**
     * The one shard: decides each event by emitting its bytes, stamped with the time of the decision. Shard thread.
     */
    private static final class Decider implements ShardHandler
    {
        private final UnsafeBuffer decision = new UnsafeBuffer(new byte[LatencyEventDescriptor.LENGTH]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            decision.putBytes(0, event.buffer(), event.offset(), LatencyEventDescriptor.LENGTH);
            decision.putLong(DECIDED_NS_OFFSET, System.nanoTime());
            context.emit(0, event.key(), decision, 0, LatencyEventDescriptor.LENGTH);
        }
    }
}
