package io.ringside.perf;

import java.nio.file.Path;
import java.util.Locale;

import io.ringside.engine.Engine;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;
import io.ringside.perf.fraud.ChecksumReport;
import io.ringside.perf.fraud.FraudEvent;
import io.ringside.perf.fraud.FraudVelocityPipeline;
import io.ringside.perf.fraud.FraudVelocityShard;
import io.ringside.perf.fraud.OutputKind;
import io.ringside.perf.fraud.WorkloadGenerator;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The engine with the real fraud-velocity pipeline as a {@link LatencyTarget}: the workload's events
 * ({@link WorkloadGenerator}, shared/workload.md) published at the harness's fixed rate into an engine
 * configured as {@code ./ringside demo} configures it by default (one shard running {@link FraudVelocityPipeline},
 * state off-heap, journal {@link DurabilityPolicy#PAGE_CACHE} in a scratch directory, the demo's event time and
 * watermark settings, one declared source, a single-producer ring), with the harness's topology, wait strategy
 * and ring size. The decision point is the return of the pipeline's {@code onEvent}; since a workload event has
 * no room for an intended send time, an {@link IntendedTimeHandler} around the pipeline keeps them.
 * <p>
 * The pipeline's state (about 1.4 GB off-heap at the standard size, several seconds to allocate and fault in)
 * and the engine are built by the constructor, before the harness starts its schedule. Each event is generated
 * into a staging buffer right after the one before it is committed, while the publisher waits for its next
 * send time, so the generator is off the measured path unless the publisher is behind. Unlike the demo, no end
 * of input is sent (the windows still open at the end are not flushed) and no snapshot is taken at close: both
 * come after the measurement and would only take time.
 */
final class FraudLatencyTarget implements LatencyTarget
{
    private static final int SOURCE_ID = 1;

    private final Path directory;
    private final IntendedLatencyRecorder recorder = new IntendedLatencyRecorder();
    private final RingFullWaiter fullRing = new RingFullWaiter("fraud");
    private final UnsafeBuffer next = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
    private final WorkloadGenerator generator;
    private final FraudVelocityPipeline pipeline;
    private final IntendedTimeHandler handler;
    private final Engine engine;
    private final EventPublisher publisher;
    private boolean hasNext;

    /**
     * @param events N, the workload's events (duplicates included): at least as many as the schedule sends.
     * @param cards  K, the workload's cards.
     * @param seed   the generator's seed.
     */
    FraudLatencyTarget(final Topology topology, final WaitStrategy wait, final int ringSize, final long events, final long cards,
        final long seed)
    {
        generator = new WorkloadGenerator(seed, events, cards);
        hasNext = generator.next(next, 0);
        directory = BenchmarkFiles.createScratchDirectory("ringside-latency-fraud-");
        FraudVelocityPipeline built = null;
        Engine started = null;
        try
        {
            built = FraudVelocityPipeline.forWorkload(0, 1, events, cards);
            final IntendedTimeHandler timed = new IntendedTimeHandler(built, recorder, 2 * ringSize);
            started = new Engine(EngineLatencyTarget.context(directory, topology, wait, ringSize)
                .maxEventLength(FraudEvent.LENGTH)
                .eventTime(FraudVelocityShard.EVENT_TIME)
                .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
                .expectSource(SOURCE_ID, 1)
                .snapshotOnClose(false)
                .handlers(shard -> timed)).start();
            publisher = started.newPublisher(SOURCE_ID);
            handler = timed;
        }
        catch (final RuntimeException ex)
        {
            if (started != null)
            {
                started.close();
            }
            if (built != null)
            {
                built.close();
            }
            BenchmarkFiles.deleteRecursively(directory);
            throw ex;
        }
        pipeline = built;
        engine = started;
    }

    @Override
    public String name()
    {
        return "fraud";
    }

    /**
     * @throws IllegalStateException also when the workload has no events left: the harness checks beforehand
     *                               that the schedule fits in it.
     */
    @Override
    public void publish(final long intendedNs, final long phase)
    {
        if (!hasNext)
        {
            throw new IllegalStateException("fraud: the workload's " + generator.events() + " events are all sent: " +
                "give more with --events, or lower the rate or the seconds");
        }
        while (!publisher.tryClaim(FraudEvent.cardId(next, 0), FraudEvent.LENGTH))
        {
            fullRing.idle();
        }
        fullRing.reset();
        publisher.buffer().putBytes(0, next, 0, FraudEvent.LENGTH);
        publisher.sourceOffset(handler.stamp(intendedNs, phase));
        publisher.commit();
        hasNext = generator.next(next, 0);
    }

    /**
     * @throws IllegalStateException if the pipeline failed on any event (dead-lettered by the engine).
     */
    @Override
    public void close()
    {
        final long errors;
        try
        {
            engine.close();
            errors = engine.counters().errors();
        }
        finally
        {
            pipeline.close();
            BenchmarkFiles.deleteRecursively(directory);
        }
        if (errors > 0)
        {
            throw new IllegalStateException("fraud: the pipeline failed on " + errors + " events: its latencies are not to be trusted");
        }
    }

    @Override
    public IntendedLatencyRecorder recorder()
    {
        return recorder;
    }

    /**
     * @return what the pipeline decided: events handled and its outputs by kind. After {@link #close()}.
     */
    @Override
    public String summary()
    {
        final ChecksumReport report = report();
        final StringBuilder line = new StringBuilder(160).append(String.format(Locale.ROOT, "%,d events decided, outputs:", handled()));
        for (final OutputKind kind : OutputKind.v1())
        {
            line.append(' ').append(kind.name().toLowerCase(Locale.ROOT)).append(' ').append(String.format(Locale.ROOT, "%,d", report.count(kind)));
        }
        return line.toString();
    }

    /**
     * @return the pipeline's counts and checksums. After {@link #close()}.
     */
    ChecksumReport report()
    {
        return pipeline.report();
    }

    /**
     * @return events whose decision was made, warm-up included. After {@link #close()}.
     */
    long handled()
    {
        return handler.handled();
    }
}
