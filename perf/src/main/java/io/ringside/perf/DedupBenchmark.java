package io.ringside.perf;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.state.Dedup;
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

/**
 * One dedup check per event, in the fraud-velocity workload's shape: 10,000 events per second of event time,
 * out of order by up to 2 s, about 1% re-sent within the last 1,000 events; a 10-minute TTL in 1-minute
 * buckets, expired as the watermark moves. Each op checks one event.
 * <pre>
 * ./ringside bench DedupBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DedupBenchmark
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TTL_MS = 600_000;
    private static final int HISTORY = 1_024;

    private Dedup dedup;
    private SplittableRandom random;
    private final long[] recentIds = new long[HISTORY];
    private final long[] recentTimes = new long[HISTORY];
    private long i;
    private long maxTime = Long.MIN_VALUE;

    @Setup(Level.Trial)
    public void setUp()
    {
        dedup = new Dedup("bench", TTL_MS, 60_000, 700_000);
        random = new SplittableRandom(42);
    }

    @Benchmark
    public boolean check()
    {
        final long n = i++;
        final long id;
        final long time;
        if (n >= HISTORY && random.nextInt(100) == 0)
        {
            final int back = (int)((n - 1 - random.nextInt(1_000)) % HISTORY);
            id = recentIds[back];
            time = recentTimes[back];
        }
        else
        {
            id = n + 1;
            time = T0 + n / 10 - random.nextLong(2_000);
        }
        recentIds[(int)(n % HISTORY)] = id;
        recentTimes[(int)(n % HISTORY)] = time;
        final boolean duplicate = dedup.isDuplicate(id, time);
        if (time - 2_000 > maxTime)
        {
            maxTime = time - 2_000;
            if ((n & 1023) == 0)
            {
                dedup.expire(maxTime);
            }
        }
        return duplicate;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        dedup.close();
    }
}
