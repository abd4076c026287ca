package io.ringside.perf.fraud;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.sink.FileSink;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code ./ringside demo --workload v2}: workload v2 (v1 plus profiles, captures and the test-charge pattern) from
 * {@link WorkloadGeneratorV2} through the engine, each shard running {@link FraudV2Pipeline}; the same flags as the v1
 * demo (journal, output, shards, topology, rate, snapshots, a resumed run on an earlier {@code --journal}), then one
 * line per output kind, fourteen, the throughput and the latency. {@code --compare} first runs
 * {@link PlainJavaFraudV2} on the same events in this JVM.
 */
final class FraudV2Demo
{
    private static final int SOURCE_ID = 1;

    private FraudV2Demo()
    {
    }

    static void run(final DemoOptions options, final Path dir) throws IOException
    {
        System.out.printf(Locale.ROOT, "Ringside fraud demo, workload v2 (profiles, captures, test charges): %,d events, %,d cards, seed %d, " +
            "%d shard(s), %s, wait %s%s%nengine directory %s (watch it with: ./ringside stat %s)%n",
            options.events, options.cards, options.seed, options.shards, options.topology.name().toLowerCase(Locale.ROOT),
            options.wait.name().toLowerCase(Locale.ROOT).replace('_', '-'),
            options.rate > 0 ? String.format(Locale.ROOT, ", %,d events/s", options.rate) : "", dir, dir);
        ChecksumReport plainReport = null;
        long plainNs = 0;
        long plainCpuNs = 0;
        if (options.compare)
        {
            plainReport = ChecksumReport.v2();
            final long cpuBefore = FraudVelocityDemo.processCpuNs();
            plainNs = runPlain(new WorkloadGeneratorV2(options.seed, options.events, options.cards), plainReport);
            plainCpuNs = FraudVelocityDemo.processCpuNs() - cpuBefore;
            System.out.printf(Locale.ROOT, "plain java (PlainJavaFraudV2: one thread, no ring or journal; v1's rules on primitive tables, " +
                "the join and the pattern on Java collections): %,d events in %.2f s = %,.0f events/s, %.2f s of process cpu%n",
                options.events, plainNs / 1e9, options.events / (plainNs / 1e9), plainCpuNs / 1e9);
            System.gc();
        }
        final long engineCpuBefore = FraudVelocityDemo.processCpuNs();
        final List<FraudV2Pipeline> pipelines = new ArrayList<>();
        final EngineContext ctx = new EngineContext()
            .directory(dir)
            .topology(options.topology)
            .shardCount(options.shards)
            .waitStrategy(options.wait)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(SOURCE_ID, 1)
            .durability(options.durability)
            .closeTimeoutMs(600_000)
            .snapshotEveryEvents(options.snapshotEvery)
            .multiProducer(false)
            .handlersId(FraudV2Pipeline.HANDLERS_ID)
            .snapshotReplica(options.snapshotReplica ? shard -> FraudV2Pipeline.forWorkload(shard, options.shards, options.events, options.cards) : null)
            .handlers(shard ->
            {
                synchronized (pipelines)
                {
                    final FraudV2Pipeline pipeline = FraudV2Pipeline.forWorkload(shard, options.shards, options.events, options.cards);
                    pipelines.add(pipeline);
                    return pipeline;
                }
            });
        if (options.output != null)
        {
            ctx.addSink(new FileSink(options.output, new FraudOutputFormat()));
        }

        final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(options.seed, options.events, options.cards);
        final long startNs = System.nanoTime();
        final Engine engine;
        try
        {
            engine = new Engine(ctx).start();
        }
        catch (final RuntimeException | Error ex)
        {
            closeAll(pipelines);
            throw ex;
        }
        final long resumeAt = engine.journaledOffset(SOURCE_ID, 0) + 1;
        final long liveStartNs = System.nanoTime();
        if (!engine.recovery().isFresh())
        {
            System.out.println("recovered: " + engine.recovery());
            System.out.printf(Locale.ROOT, "resuming the generator at event %,d of %,d%n", resumeAt, options.events);
        }
        try
        {
            FraudVelocityDemo.publishAll(generator, engine, options, resumeAt, startNs, liveStartNs, Long.MAX_VALUE);
        }
        finally
        {
            try
            {
                engine.close();
            }
            finally
            {
                closeAll(pipelines);
            }
        }
        final Histogram latency = engine.latencyHistogram();
        final long elapsedNs = System.nanoTime() - startNs;
        final long engineCpuNs = FraudVelocityDemo.processCpuNs() - engineCpuBefore;

        final ChecksumReport report = ChecksumReport.v2();
        for (final FraudV2Pipeline pipeline : pipelines)
        {
            report.add(pipeline.report());
        }
        FraudVelocityDemo.printFigures(engine, options, report, resumeAt, startNs, liveStartNs, elapsedNs, engineCpuNs, latency, null,
            plainReport, plainNs, plainCpuNs);
    }

    /**
     * Runs {@link PlainJavaFraudV2} over the generator's events into {@code report}.
     *
     * @return nanoseconds taken.
     */
    static long runPlain(final WorkloadGeneratorV2 generator, final ChecksumReport report)
    {
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2(report, (int)Math.min(1 << 24, generator.cards() + 1_024),
            (int)Math.min(1 << 24, Math.min(generator.events(), 6_000_000) + 1_024));
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final long start = System.nanoTime();
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        return System.nanoTime() - start;
    }

    private static void closeAll(final List<FraudV2Pipeline> pipelines)
    {
        synchronized (pipelines)
        {
            for (final FraudV2Pipeline pipeline : pipelines)
            {
                pipeline.close();
            }
        }
    }
}
