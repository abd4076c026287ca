package io.ringside.perf;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.state.KeyedStore;
import org.agrona.MutableDirectBuffer;
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
 * One in-place update of a key's fixed-size entry in a {@link KeyedStore} (Chronicle Map, off-heap): acquire,
 * read-modify-write two longs, release. Keys drawn as the fraud-velocity workload draws cards: half the
 * traffic on a hot 1% of them. The base cost of every windowing and dedup operator.
 * <pre>
 * ./ringside bench KeyedStoreBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeyedStoreBenchmark
{
    @Param("1000000")
    public int keys;

    @Param({"64", "512"})
    public int entryLength;

    private KeyedStore store;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp()
    {
        store = new KeyedStore("bench", keys, entryLength);
        random = new SplittableRandom(42);
        for (long key = 0; key < keys; key++)
        {
            store.acquire(key);
            store.release();
        }
    }

    @Benchmark
    public long update()
    {
        final long key = random.nextInt(2) == 0 ? random.nextLong(keys / 100) : random.nextLong(keys);
        final MutableDirectBuffer entry = store.acquire(key);
        final long count = entry.getLong(0) + 1;
        entry.putLong(0, count);
        entry.putLong(8, entry.getLong(8) + key);
        store.release();
        return count;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }
}
