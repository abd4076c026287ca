package io.ringside.perf.fraud;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
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
 * The fraud pipelines as a shard runs them, without the engine around them: {@link FraudVelocityPipeline} on workload v1's
 * events or {@link FraudV2Pipeline} on v2's, fed one after another from memory with the watermark a single source gives
 * (W = max(W, time - 2,000), {@code onWatermark} when it moves and again while {@code hasDueWork}), outputs counted and
 * dropped. The events ({@code events} of the standard size's cards) are generated once per fork, the pipeline made once
 * per fork and fed on from iteration to iteration, so that {@code -prof gc} sees only what the pipeline allocates per
 * event in steady state (the state is off-heap; the tables and timers grow only to their peak).
 * <pre>
 * ./ringside bench FraudPipelineBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:MaxDirectMemorySize=2g")
public class FraudPipelineBenchmark
{
    /** Events per {@link #onEvents()} invocation. */
    public static final int BATCH = 1_000;

    /** {@code v1} or {@code v2}. */
    @Param({"v1", "v2"})
    public String workload;

    /** Events generated: enough for every iteration at the pipeline's rate (the run fails if they run out). */
    @Param("12000000")
    public long events;

    private ShardHandler pipeline;
    private UnsafeBuffer stream;
    private long next;
    private long watermark = Long.MIN_VALUE;
    private final FlyweightEvent event = new FlyweightEvent();
    private final CountingContext context = new CountingContext();

    @Setup(Level.Trial)
    public void generate()
    {
        stream = new UnsafeBuffer(ByteBuffer.allocateDirect((int)Math.min(Integer.MAX_VALUE, events * FraudEvent.LENGTH)));
        final long cards = WorkloadSize.STANDARD.cards();
        if ("v2".equals(workload))
        {
            final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(42, events, cards);
            for (int i = 0; generator.next(stream, i * FraudEvent.LENGTH); i++)
            {
                continue;
            }
            pipeline = FraudV2Pipeline.forWorkload(0, 1, events, cards);
        }
        else
        {
            final WorkloadGenerator generator = new WorkloadGenerator(42, events, cards);
            for (int i = 0; generator.next(stream, i * FraudEvent.LENGTH); i++)
            {
                continue;
            }
            pipeline = FraudVelocityPipeline.forWorkload(0, 1, events, cards);
        }
        event.buffer = stream;
    }

    /**
     * Feeds the next {@value #BATCH} events.
     *
     * @return outputs so far.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long onEvents() throws Exception
    {
        if (next + BATCH > events)
        {
            throw new IllegalStateException("the " + events + " events ran out: raise -p events");
        }
        for (int i = 0; i < BATCH; i++)
        {
            final int offset = (int)(next++ * FraudEvent.LENGTH);
            final long time = FraudEvent.eventTimeMs(stream, offset);
            event.offset = offset;
            event.sourceWatermark = watermark;
            pipeline.onEvent(event, context);
            final long advanced = Math.max(watermark, time - FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS);
            if (advanced != watermark)
            {
                watermark = advanced;
                pipeline.onWatermark(watermark, context);
            }
            else if (pipeline.hasDueWork())
            {
                pipeline.onWatermark(watermark, context);
            }
        }
        return context.outputs;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception
    {
        ((AutoCloseable)pipeline).close();
        BufferUtil.free(stream.byteBuffer());
    }

    /** One event of the stream: its bytes and the source's watermark before it. */
    private static final class FlyweightEvent implements Event
    {
        DirectBuffer buffer;
        int offset;
        long sourceWatermark;

        public int type()
        {
            return 0;
        }

        public long key()
        {
            return FraudEvent.cardId(buffer, offset);
        }

        public int sourceId()
        {
            return 1;
        }

        public int partition()
        {
            return 0;
        }

        public long sourceOffset()
        {
            return offset / FraudEvent.LENGTH;
        }

        public long timestamp()
        {
            return 0;
        }

        public long journalPosition()
        {
            return offset;
        }

        public long eventTime()
        {
            return FraudEvent.eventTimeMs(buffer, offset);
        }

        public long sourceWatermark()
        {
            return sourceWatermark;
        }

        public long watermark()
        {
            return sourceWatermark;
        }

        public DirectBuffer buffer()
        {
            return buffer;
        }

        public int offset()
        {
            return offset;
        }

        public int length()
        {
            return FraudEvent.LENGTH;
        }
    }

    /** Counts outputs and drops them. */
    private static final class CountingContext implements ShardContext
    {
        long outputs;

        public int shard()
        {
            return 0;
        }

        public long journalPosition()
        {
            return 0;
        }

        public void emit(final int type, final long key, final DirectBuffer buffer, final int offset, final int length)
        {
            outputs++;
        }

        public void late()
        {
        }
    }
}
