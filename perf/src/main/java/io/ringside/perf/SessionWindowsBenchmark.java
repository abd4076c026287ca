package io.ringside.perf;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.SessionWindows;
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
 * One event into session windows (30 s gap, merging), with count and sum, in the fraud-velocity workload's shape: 1 M cards,
 * half the traffic on a hot 1%, 10,000 events per second of event time, out of order by up to 2 s, 5 s of allowed
 * lateness; windows close as the watermark moves (their cost is in the score, amortized over the events).
 * <pre>
 * ./ringside bench SessionWindowsBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionWindowsBenchmark
{
    private static final long T0 = 1_700_000_000_000L;
    private static final int CARDS = 1_000_000;

    private SessionWindows windows;
    private SplittableRandom random;
    private final long[] values = new long[2];
    private long i;
    private long watermark = Long.MIN_VALUE;
    private WindowListener listener;

    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        windows = new SessionWindows("bench", 30_000, 5_000, 4, CARDS, Aggregates.count(), Aggregates.sum());
        random = new SplittableRandom(42);
        listener = (key, window) -> blackhole.consume(window.result(1));
    }

    @Benchmark
    public long add()
    {
        final long n = i++;
        final long card = random.nextInt(2) == 0 ? random.nextLong(CARDS / 100) : random.nextLong(CARDS);
        final long time = T0 + n / 10 - random.nextLong(2_000);
        values[1] = 100 + random.nextLong(10_000);
        long count = 0;
        if (watermark == Long.MIN_VALUE || time > watermark - 5_000)
        {
            windows.add(card, time, values);
            count = 1;
        }
        if (time - 2_000 > watermark)
        {
            watermark = time - 2_000;
            windows.close(watermark, listener);
        }
        return count;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        windows.close();
    }
}
