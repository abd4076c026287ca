package io.ringside.perf;

import java.nio.file.Path;
import java.util.Locale;

import com.lmax.disruptor.Sequence;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;

/**
 * The engine the hop benchmarks drive: one shard, a single-producer ring, journal
 * {@link DurabilityPolicy#PAGE_CACHE} in a new scratch directory under {@code java.io.tmpdir}, and a handler
 * that stores the sequence number each event carries (its first 8 bytes) into a padded {@link Sequence}.
 * The journaler and shard threads wait with the given strategy; the egress thread keeps the engine's
 * default (sleeping): with no sinks it is not on the path, and busy-spinning it would only take a core away
 * (as {@link EngineContext#waitStrategy} would, which sets it too).
 * <p>
 * <b>Thread safety:</b> start, publish and stop from the benchmark thread; {@link #seen()} from any thread.
 */
final class HopEngine
{
    /** Bytes per event. */
    static final int EVENT_LENGTH = 48;
    /** The key of every event. */
    static final long KEY = 42;

    private final Path directory;
    private final SequenceHandler handler = new SequenceHandler();
    private final Engine engine;
    private final EventPublisher publisher;

    /**
     * Starts an engine.
     *
     * @param topology {@code compact} or {@code pipelined}.
     * @param wait     a {@link WaitStrategy#parse(String)} name.
     * @param ringSize slots in the ring.
     */
    HopEngine(final String topology, final String wait, final int ringSize)
    {
        final WaitStrategy waitStrategy = WaitStrategy.parse(wait);
        directory = BenchmarkFiles.createScratchDirectory("ringside-hop-");
        Engine started = null;
        try
        {
            started = new Engine(new EngineContext()
                .directory(directory)
                .topology(Topology.valueOf(topology.toUpperCase(Locale.ROOT)))
                .shardCount(1)
                .journalerWait(waitStrategy)
                .shardWait(waitStrategy)
                .multiProducer(false)
                .ringSize(ringSize)
                .durability(DurabilityPolicy.PAGE_CACHE)
                .handlers(shard -> handler)).start();
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

    EventPublisher publisher()
    {
        return publisher;
    }

    /**
     * @return the sequence number of the last event the handler saw (-1 before the first).
     */
    Sequence seen()
    {
        return handler.seen;
    }

    /**
     * Closes the engine (draining what is in flight) and deletes its directory.
     */
    void stop()
    {
        BenchmarkFiles.closeAndDelete(directory, engine);
    }

    /**
     * Stores the sequence number in each event into {@link #seen} with a release store. Shard thread.
     */
    static final class SequenceHandler implements ShardHandler
    {
        final Sequence seen = new Sequence();

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            seen.set(event.buffer().getLong(event.offset()));
        }
    }
}
