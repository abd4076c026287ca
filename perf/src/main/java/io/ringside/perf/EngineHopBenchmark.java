package io.ringside.perf;

import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.Sequence;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of the publish-to-handler hop through the engine, journal included ({@link DurabilityPolicy#PAGE_CACHE}),
 * for each topology and wait strategy: each operation publishes one 48-byte event and waits until the
 * handler has seen it ({@link HopEngine}). One event in flight at a time, so the score is the round trip
 * publisher -> journaler -> shard -> publisher, including the wait strategy's wake-up after idling.
 * Percentiles come from {@link Mode#SampleTime}.
 * <p>
 * While it waits, the benchmark thread spins with {@link Thread#onSpinWait()} for {@code busy-spin} and
 * {@code yielding}, and with {@link Thread#yield()} for {@code sleeping} and {@code blocking}, so that on a
 * small machine it does not hold the core the engine thread it waits for is about to need.
 * <b>On a 2-core machine</b> {@code busy-spin} oversubscribes the cores as soon as two engine threads spin
 * beside the benchmark thread: pipelined busy-spin runs the journaler, the shard and the benchmark thread on
 * 2 cores, so its figures there measure the scheduler, not the engine; and a yielding thread on a loaded
 * 2-core box can lose its core for a whole scheduler slice.
 * <p>
 * One engine per trial, in a scratch directory deleted after it (its journal holds the trial's events,
 * 104 bytes each: under 2 GB for the default iterations even at a million hops a second). Nothing is
 * allocated per event, on the publisher's side, in the engine or in the handler. Under {@code -prof gc}
 * the sample-time mode shows a small constant allocation rate (a few hundred KB/s) that is JMH's own
 * sample bookkeeping, so its B/op grows as hops get slower; {@code -bm avgt -prof gc} shows about 0.2 B/op.
 * Throughput is {@link EngineHopThroughputBenchmark}.
 * <pre>
 * ./ringside bench EngineHop -prof gc
 * ./ringside bench EngineHopBenchmark -p topology=compact -p wait=blocking,busy-spin
 * ./ringside bench EngineHopBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s     (a smoke run)
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineHopBenchmark
{
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int SPINS_BETWEEN_CLOCK_READS = 1 << 20;

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
    private Sequence seen;
    private final UnsafeBuffer event = new UnsafeBuffer(BufferUtil.allocateDirectAligned(HopEngine.EVENT_LENGTH, 64));
    private boolean yieldWhileWaiting;
    private long sequence;

    @Setup(Level.Trial)
    public void start()
    {
        final WaitStrategy waitStrategy = WaitStrategy.parse(wait);
        yieldWhileWaiting = waitStrategy == WaitStrategy.SLEEPING || waitStrategy.usesDoorbell();
        sequence = 0;
        engine = new HopEngine(topology, wait, ringSize);
        seen = engine.seen();
    }

    /**
     * Publishes one event and waits until the handler has seen it.
     *
     * @return the event's sequence number.
     */
    @Benchmark
    public long hop()
    {
        final long seq = ++sequence;
        event.putLong(0, seq);
        engine.publisher().publish(HopEngine.KEY, event, 0, HopEngine.EVENT_LENGTH);
        awaitSeen(seq);
        return seq;
    }

    private void awaitSeen(final long seq)
    {
        long stallDeadlineNs = 0;
        int spins = 0;
        while (seen.get() < seq)
        {
            if (yieldWhileWaiting)
            {
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
            if (++spins == SPINS_BETWEEN_CLOCK_READS)
            {
                spins = 0;
                final long nowNs = System.nanoTime();
                if (stallDeadlineNs == 0)
                {
                    stallDeadlineNs = nowNs + STALL_NS;
                }
                else if (nowNs - stallDeadlineNs > 0)
                {
                    throw new IllegalStateException("the handler has not seen event " + seq + " within 10 s (it last saw " +
                        seen.get() + "): the engine is stuck or failed");
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        if (engine != null)
        {
            engine.stop();
            engine = null;
        }
    }
}
