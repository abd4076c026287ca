package io.ringside.perf;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngress;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.ingest.aeron.AeronSender;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import io.ringside.ingest.aeron.MessageDecoder;
import io.ringside.journal.DurabilityPolicy;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
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
 * The Aeron ingress path in steady state: an {@link AeronSender} (the benchmark thread) offers 48-byte events over
 * {@code aeron:ipc} through an embedded media driver to an {@link AeronIngress} (its own thread, or with
 * {@code -p ingressOn=compact} the engine's compact thread), which checks each one,
 * claims a ring slot and copies it in; the engine journals it (page-cache) and a one-shard handler reads it; the
 * ingress acknowledges what the journal holds and the sender frees its buffer. Everything runs in this JVM, so
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is what the whole path (sender, driver, ingress, ring, journal, shard, the
 * acknowledgements) allocates per event: 0 when nothing does. Set up once per trial (start-up allocation is outside the
 * measurement); the score counts events the sender accepted, {@value #BATCH} per invocation.
 * <pre>
 * ./ringside bench AeronIngressBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AeronIngressBenchmark
{
    public static final int BATCH = 1_000;
    private static final int EVENT_LENGTH = 48;

    /** The journaler's and shard's wait strategy. */
    @Param("blocking")
    public String wait;

    /** Where the ingress runs ({@link AeronIngressContext.Placement}): {@code thread}, its own; {@code compact}, the engine's compact thread. */
    @Param({"thread", "compact"})
    public String ingressOn;

    private Path directory;
    private EmbeddedMediaDriver driver;
    private Aeron aeron;
    private Engine engine;
    private AeronIngress ingress;
    private AeronSender sender;
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
    private long sequence;
    private long blackhole;

    @Setup(Level.Trial)
    public void start()
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-bench-aeron-");
        driver = EmbeddedMediaDriver.launch();
        aeron = driver.connect();
        engine = new Engine(new EngineContext().directory(directory).shardCount(1).waitStrategy(WaitStrategy.parse(wait))
            .multiProducer(false).durability(DurabilityPolicy.PAGE_CACHE).maxEventLength(EVENT_LENGTH)
            .handlers(shard -> (e, context) -> blackhole += e.buffer().getLong(e.offset()))).start();
        ingress = new AeronIngress(new AeronIngressContext().aeron(aeron)
            .decoder(MessageDecoder.fixedLength(EVENT_LENGTH, 8, ByteOrder.LITTLE_ENDIAN)).placement(AeronIngressContext.Placement.valueOf(ingressOn.toUpperCase(Locale.ROOT))), engine)
            .start();
        sender = new AeronSender(aeron, AeronIngressContext.IPC, AeronIngressContext.DEFAULT_STREAM_ID, AeronIngressContext.IPC,
            AeronIngressContext.DEFAULT_ACK_STREAM_ID, 0, 1 << 16, EVENT_LENGTH);
        sender.awaitResume(30_000, new SleepingMillisIdleStrategy(1));
    }

    /**
     * Offers {@value #BATCH} events, doing the sender's work (acknowledgements) while its buffer is full.
     *
     * @return the last event's sequence.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long offerBatch()
    {
        long seq = sequence;
        for (int i = 0; i < BATCH; i++)
        {
            event.putLong(0, ++seq, ByteOrder.LITTLE_ENDIAN);
            event.putLong(8, seq & 1023, ByteOrder.LITTLE_ENDIAN);
            while (sender.offer(event, 0, EVENT_LENGTH) < 0)
            {
                if (sender.doWork() == 0)
                {
                    Thread.yield();
                }
            }
        }
        sender.doWork();
        sequence = seq;
        return seq;
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        try
        {
            CloseHelper.closeAll(ingress, sender);
            engine.close();
            System.out.printf(" [ingress: %,d published, %,d ring-full aborts; sender back-pressured %,d, acknowledged %,d]%n",
                ingress.published(), ingress.ringFull(), sender.backPressured(), sender.acked() + 1);
        }
        finally
        {
            BenchmarkFiles.closeAndDelete(directory, aeron, driver);
        }
    }
}
