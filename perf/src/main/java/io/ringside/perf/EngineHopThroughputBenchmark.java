package io.ringside.perf;

import java.util.concurrent.TimeUnit;

import io.ringside.engine.EventPublisher;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the engine's publish-to-handler path, journal included ({@link DurabilityPolicy#PAGE_CACHE}):
 * events per second for each topology and wait strategy, one single-producer publisher publishing 48-byte
 * events as fast as {@link EventPublisher#publish} lets it (it waits while the ring is full), one shard
 * ({@link HopEngine}). {@value #BATCH} events per invocation. The score counts published events; at most a
 * ring's worth ({@code ringSize}) is still in flight when an iteration ends, a small share of its millions.
 * <p>
 * The engine is started for each iteration in a new scratch directory and closed (drained) and deleted
 * after it, so the journal on disk holds one iteration's events at most (the engine has no retention call
 * to drop old segments while it runs). {@code -prof gc} counts the ~2.5 MB the engine allocates when it
 * starts (ring slots, histograms) within the iteration, which shows as about 1 B/op or less; nothing is
 * allocated per event. See {@link EngineHopBenchmark} for the 2-core caveats of {@code busy-spin}.
 * <pre>
 * ./ringside bench EngineHop -prof gc
 * ./ringside bench EngineHopThroughputBenchmark -p topology=pipelined
 * ./ringside bench EngineHopThroughputBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s     (a smoke run)
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineHopThroughputBenchmark
{
    /** Events per {@link #publishBatch()} invocation. */
    public static final int BATCH = 1_000;

    /** {@code compact} or {@code pipelined}. */
    @Param({"compact", "pipelined"})
    public String topology;

    /** A {@link WaitStrategy#parse(String)} name, for the journaler and shard threads. */
    @Param({"busy-spin", "yielding", "sleeping", "blocking"})
    public String wait;

    /** Slots in the ring. */
    @Param("16384")
    public int ringSize;

    private HopEngine engine;
    private EventPublisher publisher;
    private final UnsafeBuffer event = new UnsafeBuffer(BufferUtil.allocateDirectAligned(HopEngine.EVENT_LENGTH, 64));
    private long sequence;

    @Setup(Level.Iteration)
    public void start()
    {
        sequence = 0;
        engine = new HopEngine(topology, wait, ringSize);
        publisher = engine.publisher();
    }

    /**
     * Publishes {@value #BATCH} events, waiting only while the ring is full.
     *
     * @return the last sequence number published.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long publishBatch()
    {
        long seq = sequence;
        for (int i = 0; i < BATCH; i++)
        {
            event.putLong(0, ++seq);
            publisher.publish(HopEngine.KEY, event, 0, HopEngine.EVENT_LENGTH);
        }
        sequence = seq;
        return seq;
    }

    @TearDown(Level.Iteration)
    public void stop()
    {
        if (engine != null)
        {
            engine.stop();
            engine = null;
        }
    }
}
