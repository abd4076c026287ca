package io.ringside.perf;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.state.WindowListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The traffic every window operator benchmark drives, in the fraud-velocity workload's shape: 1 M cards, half the
 * traffic on a hot 1%, 10,000 events per second of event time, out of order by up to 2 s, 5 s of allowed lateness
 * (late events are dropped before the operator), windows closing as the watermark moves (their cost is in the
 * score, amortized over the events). Each op is one event; each amount is counted and summed. Subclasses say which
 * operator.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class WindowOperatorBenchmark
{
    static final int CARDS = 1_000_000;
    private static final long T0 = 1_700_000_000_000L;
    private static final long LATENESS_MS = 5_000;
    private static final long OUT_OF_ORDERNESS_MS = 2_000;

    private final long[] values = new long[2];
    private SplittableRandom random;
    /** Where closed windows go: the operators that close inside add (count, global) take it there. */
    WindowListener listener;
    private long i;
    private long watermark = Long.MIN_VALUE;

    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        open();
        random = new SplittableRandom(42);
        listener = (key, window) -> blackhole.consume(window.result(1));
    }

    /**
     * Builds the operator, with count and sum aggregates.
     */
    abstract void open();

    /**
     * Adds one event's values (count, amount) to the operator.
     */
    abstract void add(long card, long time, long[] values);

    abstract void close(long watermark, WindowListener listener);

    abstract void closeOperator();

    @Benchmark
    public long add()
    {
        final long n = i++;
        final long card = random.nextInt(2) == 0 ? random.nextLong(CARDS / 100) : random.nextLong(CARDS);
        final long time = T0 + n / 10 - random.nextLong(OUT_OF_ORDERNESS_MS);
        values[1] = 100 + random.nextLong(10_000);
        long added = 0;
        if (watermark == Long.MIN_VALUE || time > watermark - LATENESS_MS)
        {
            add(card, time, values);
            added = 1;
        }
        if (time - OUT_OF_ORDERNESS_MS > watermark)
        {
            watermark = time - OUT_OF_ORDERNESS_MS;
            close(watermark, listener);
        }
        return added;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        closeOperator();
    }
}
