package io.ringside.perf;

import java.nio.file.Path;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;
import org.agrona.MutableDirectBuffer;

/**
 * The engine as a {@link LatencyTarget}: one shard whose handler records each event's latency from its
 * intended send time (the decision point is the handler's call), journal {@link DurabilityPolicy#PAGE_CACHE}
 * in a scratch directory, a single-producer ring. The journaler and shard threads wait with the given
 * strategy; the egress thread (no sinks: not on the path) keeps the engine's default.
 */
final class EngineLatencyTarget implements LatencyTarget
{
    private final Path directory;
    private final IntendedLatencyRecorder recorder = new IntendedLatencyRecorder();
    private final RingFullWaiter fullRing = new RingFullWaiter("engine");
    private final Engine engine;
    private final EventPublisher publisher;

    EngineLatencyTarget(final Topology topology, final WaitStrategy wait, final int ringSize)
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-latency-engine-");
        Engine started = null;
        try
        {
            started = new Engine(context(directory, topology, wait, ringSize)
                .maxEventLength(LatencyEventDescriptor.LENGTH)
                .handlers(shard -> (event, context) -> recorder.onEvent(event.buffer(), event.offset()))).start();
            publisher = started.newPublisher(1);
        }
        catch (final RuntimeException ex)
        {
            if (started != null)
            {
                started.close();
            }
            BenchmarkFiles.deleteRecursively(directory);
            throw ex;
        }
        engine = started;
    }

    /**
     * @return the harness's engine (with {@link FraudLatencyTarget}'s): one shard, {@code directory}, the topology,
     * the journaler's and shard's wait strategy and the ring size given, a single producer, journal page-cache.
     */
    static EngineContext context(final Path directory, final Topology topology, final WaitStrategy wait, final int ringSize)
    {
        return new EngineContext()
            .directory(directory)
            .topology(topology)
            .shardCount(1)
            .waitStrategy(wait)
            .multiProducer(false)
            .ringSize(ringSize)
            .durability(DurabilityPolicy.PAGE_CACHE);
    }

    @Override
    public String name()
    {
        return "engine";
    }

    @Override
    public void publish(final long intendedNs, final long phase)
    {
        while (!publisher.tryClaim(LatencyEventDescriptor.KEY, LatencyEventDescriptor.LENGTH))
        {
            fullRing.idle();
        }
        fullRing.reset();
        final MutableDirectBuffer buffer = publisher.buffer();
        buffer.putLong(LatencyEventDescriptor.INTENDED_NS_OFFSET, intendedNs);
        buffer.putLong(LatencyEventDescriptor.PHASE_OFFSET, phase);
        publisher.commit();
    }

    @Override
    public void close()
    {
        try
        {
            engine.close();
        }
        finally
        {
            BenchmarkFiles.deleteRecursively(directory);
        }
    }

    @Override
    public IntendedLatencyRecorder recorder()
    {
        return recorder;
    }
}
