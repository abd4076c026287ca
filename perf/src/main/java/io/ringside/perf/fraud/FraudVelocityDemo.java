package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import com.sun.management.OperatingSystemMXBean;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.sink.FileSink;
import io.ringside.perf.cli.CheckedCommand;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./ringside demo}: the fraud-velocity workload (shared/workload.md) end to end on the embedded default:
 * the generator publishes into the engine (journal on, in a temporary directory unless {@code --journal}), the
 * shards run {@link FraudVelocityShard}, progress is printed every second, then one checksum line per output kind,
 * the throughput and the ingress-to-decision latency percentiles. A refusal of the engine or the journal (a directory
 * left by another layout, a damaged journal) ends it in one line on standard error and exit code 1.
 */
@Command(name = "demo", description = {"Runs the fraud-velocity workload (shared/workload.md) through the engine and prints one line " +
    "per output kind: KIND count=<n> checksum=<16 hex digits>, then the throughput and the ingress-to-decision latency."})
public final class FraudVelocityDemo extends CheckedCommand
{
    private static final int SOURCE_ID = 1;

    @Mixin
    DemoOptions options;

    @Override
    protected void check()
    {
        options.check();
    }

    @Override
    protected void run() throws IOException
    {
        final boolean temporary = options.journal == null;
        final Path dir = temporary ? Files.createTempDirectory("ringside-demo-") : options.journal;
        try
        {
            if (options.group != null)
            {
                runGroup(options, dir);
            }
            else if (options.kafka != null && options.workload == 2)
            {
                runKafkaV2(options, dir);
            }
            else if (options.kafka != null)
            {
                runKafka(options, dir);
            }
            else if (options.workload == 2)
            {
                FraudV2Demo.run(options, dir);
            }
            else if (options.aeron != null)
            {
                AeronFraudDemo.run(options, dir);
            }
            else
            {
                run(options, dir);
            }
        }
        finally
        {
            if (temporary)
            {
                deleteTree(dir);
            }
        }
    }

    private static void printBanner(final DemoOptions options, final Path dir)
    {
        System.out.printf(Locale.ROOT, "Ringside fraud-velocity demo: %,d events, %,d cards, seed %d, %d shard(s), %s, wait %s, state %s%s%n" +
            "engine directory %s (watch it with: ./ringside stat %s)%n",
            options.events, options.cards, options.seed, options.shards, options.topology.name().toLowerCase(Locale.ROOT),
            options.wait.name().toLowerCase(Locale.ROOT).replace('_', '-'), options.chronicle ? "chronicle map" : "on-heap",
            options.rate > 0 ? String.format(Locale.ROOT, ", %,d events/s", options.rate) : "", dir, dir);
    }

    private static void run(final DemoOptions options, final Path dir) throws IOException
    {
        printBanner(options, dir);
        ChecksumReport plainReport = null;
        long plainNs = 0;
        long plainCpuNs = 0;
        if (options.compare)
        {
            plainReport = new ChecksumReport();
            final long cpuBefore = processCpuNs();
            plainNs = PlainJavaMain.runPlain(new WorkloadGenerator(options.seed, options.events, options.cards), plainReport);
            plainCpuNs = processCpuNs() - cpuBefore;
            System.out.printf(Locale.ROOT, "plain java (FastPlainFraudVelocity, hand-written for speed: one thread, no ring or journal, " +
                "open addressing over flat arrays, pane lists merged into hopping windows, a timer wheel): %,d events in %.2f s = " +
                "%,.0f events/s, %.2f s of process cpu%n", options.events, plainNs / 1e9, options.events / (plainNs / 1e9), plainCpuNs / 1e9);
            System.gc();
        }
        final long engineCpuBefore = processCpuNs();
        final List<ChecksumReport> reports = new ArrayList<>();
        final List<FraudVelocityPipeline> pipelines = new ArrayList<>();
        final int cardsPerShard = (int)Math.min(1 << 30, options.cards / options.shards + 1024);
        final int idsPerShard = (int)Math.min(1 << 30, Math.min(options.events, 6_000_000) / options.shards + 1024);
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
            .closeTimeoutMs(600_000) // the end of input flushes every open window of a million cards: allow minutes on a loaded box
            .snapshotEveryEvents(options.chronicle ? options.snapshotEvery : 0)
            .multiProducer(false)
            .handlersId(FraudVelocityPipeline.HANDLERS_ID)
            .snapshotReplica(options.snapshotReplica ? shard -> FraudVelocityPipeline.forWorkload(shard, options.shards, options.events, options.cards) : null)
            .handlers(shard ->
            {
                synchronized (reports)
                {
                    if (options.chronicle)
                    {
                        final FraudVelocityPipeline pipeline = FraudVelocityPipeline.forWorkload(shard, options.shards, options.events, options.cards);
                        pipelines.add(pipeline);
                        reports.add(pipeline.report());
                        return pipeline;
                    }
                    final FraudVelocityShard handler = new FraudVelocityShard(cardsPerShard, idsPerShard);
                    reports.add(handler.report());
                    return handler;
                }
            });
        if (options.output != null)
        {
            ctx.addSink(new FileSink(options.output, new FraudOutputFormat()));
        }

        final WorkloadGenerator generator = new WorkloadGenerator(options.seed, options.events, options.cards);
        final long startNs = System.nanoTime();
        final Engine engine = new Engine(ctx).start();
        final long resumeAt = engine.journaledOffset(SOURCE_ID, 0) + 1;
        final long liveStartNs = System.nanoTime();
        Histogram warmUp = null;
        if (!engine.recovery().isFresh())
        {
            System.out.println("recovered: " + engine.recovery());
            System.out.printf(Locale.ROOT, "resuming the generator at event %,d of %,d%n", resumeAt, options.events);
        }
        try
        {
            final long warmUpEndNs = options.warmUpS > 0 ? liveStartNs + TimeUnit.SECONDS.toNanos(options.warmUpS) : Long.MAX_VALUE;
            warmUp = publishAll(generator, engine, options, resumeAt, startNs, liveStartNs, warmUpEndNs);
        }
        finally
        {
            try
            {
                engine.close();
            }
            finally
            {
                for (final FraudVelocityPipeline pipeline : pipelines)
                {
                    pipeline.close();
                }
            }
        }
        final Histogram latency = engine.latencyHistogram();
        final long elapsedNs = System.nanoTime() - startNs;
        final long engineCpuNs = processCpuNs() - engineCpuBefore;

        final ChecksumReport report = new ChecksumReport();
        for (final ChecksumReport shardReport : reports)
        {
            report.add(shardReport);
        }
        printFigures(engine, options, report, resumeAt, startNs, liveStartNs, elapsedNs, engineCpuNs, latency, warmUp, plainReport, plainNs,
            plainCpuNs);
    }

    private static void runKafka(final DemoOptions options, final Path dir) throws IOException
    {
        System.out.printf(Locale.ROOT, "Ringside fraud-velocity demo from Kafka: topic %s on %s%s, %d shard(s), %s, state %s%n" +
            "engine directory %s (watch it with: ./ringside stat %s)%n", options.topic, options.kafka,
            options.outputTopic != null ? ", outputs to " + options.outputTopic : "", options.shards,
            options.topology.name().toLowerCase(Locale.ROOT), options.chronicle ? "chronicle map" : "on-heap", dir, dir);
        final KafkaFraudVelocity.Result result = kafkaRun(() -> KafkaFraudVelocity.run(dir, options.kafka, options.topic,
            options.outputTopic, options.shards, options.topology, options.chronicle, options.cards, options.snapshotEvery,
            options.durability, recovery ->
            {
                System.out.println("recovered: " + recovery);
                System.out.println("resuming each partition after its last journaled offset");
            }, new KafkaProgress()));
        printKafkaResult(result, options, "");
        System.out.println("compare with the lines ./ringside produce printed for this topic (per-partition lateness)");
    }

    private static void runGroup(final DemoOptions options, final Path dir) throws IOException
    {
        System.out.printf(Locale.ROOT, "Ringside fraud-velocity demo, member of consumer group %s: topic %s on %s, outputs to %s, " +
            "engines under %s (one per owned partition)%n", options.group, options.topic, options.kafka, options.outputTopic, dir);
        kafkaRun(() ->
        {
            KafkaFraudGroup.run(dir, options.kafka, options.topic, options.outputTopic, options.group, options.events, options.cards,
                options.untilIdleS, options.publishSnapshots, options.publishEvery, options.standby, System.out::println);
            return null;
        });
    }

    private static void runKafkaV2(final DemoOptions options, final Path dir) throws IOException
    {
        final String profilesTopic = options.profilesTopic != null ? options.profilesTopic : KafkaProduce.profilesTopicOf(options.topic);
        System.out.printf(Locale.ROOT, "Ringside fraud demo, workload v2, from Kafka: transactions and captures from %s, profiles from %s " +
            "(a table source), on %s%s, %d shard(s), %s%nengine directory %s (watch it with: ./ringside stat %s)%n", options.topic, profilesTopic,
            options.kafka, options.outputTopic != null ? ", outputs to " + options.outputTopic : "", options.shards,
            options.topology.name().toLowerCase(Locale.ROOT), dir, dir);
        final KafkaFraudVelocity.Result result = kafkaRun(() -> KafkaFraudV2.run(dir, options.kafka, options.topic, profilesTopic,
            options.outputTopic, options.shards, options.topology, options.events, options.cards, options.snapshotEvery,
            options.durability, recovery ->
            {
                System.out.println("recovered: " + recovery);
                System.out.println("resuming each partition of both topics after its last journaled offset");
            }, new KafkaProgress()));
        printKafkaResult(result, options, "both topics, ");
        System.out.println("profiles are as of arrival: these checksums are the journal's order's (./ringside replay " + dir +
            " recomputes them), not a function of the topics alone");
    }

    /**
     * Says whether the checksums equal the plain-Java implementation's for the same events: at the standard size and
     * seed 42, those the build packs from {@code .ci/} (what {@code .ci/run} checks); at any other size, only
     * {@code --compare} computes them.
     *
     * @return the line to print.
     */
    static String referenceCheck(final DemoOptions options, final ChecksumReport report)
    {
        final boolean v2 = report.kinds() > OutputKind.V1_COUNT;
        final String name = v2 ? "standard-v2-seed42.checksums" : "standard-seed42.checksums";
        if (options.seed != 42 || options.events != WorkloadSize.STANDARD.events() || options.cards != WorkloadSize.STANDARD.cards())
        {
            return "checksums: not the standard size and seed 42, so no stored reference; --compare runs the plain-Java " +
                "implementation on the same events";
        }
        try (InputStream in = FraudVelocityDemo.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                return "checksums: the reference " + name + " is not in this build";
            }
            final String expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return expected.equals(report.toString().strip()) ?
                "checksums: all " + expected.lines().count() + " equal the plain-Java implementation's (standard size, seed 42)" :
                "checksums: DIFFER from the plain-Java implementation's (standard size, seed 42; .ci/" + name + ")";
        }
        catch (final IOException ex)
        {
            return "checksums: the reference " + name + " could not be read: " + ex.getMessage();
        }
    }

    /**
     * What a generator-fed demo run prints once its engine is closed, for either workload: the checksums, the throughput
     * (whole and live), the latency (and without the warm-up, when taken), the snapshots and, with {@code --compare}, the
     * engine against the plain-Java implementation.
     *
     * @param warmUp      the latency histogram at the end of the warm-up, or null.
     * @param plainReport the plain-Java implementation's checksums, or null without {@code --compare}.
     */
    static void printFigures(final Engine engine, final DemoOptions options, final ChecksumReport report, final long resumeAt,
        final long startNs, final long liveStartNs, final long elapsedNs, final long engineCpuNs, final Histogram latency,
        final Histogram warmUp, final ChecksumReport plainReport, final long plainNs, final long plainCpuNs)
    {
        report.print(System.out);
        System.out.println(referenceCheck(options, report));
        final long live = Math.max(0, options.events - resumeAt);
        final long liveNs = elapsedNs - (liveStartNs - startNs);
        System.out.printf(Locale.ROOT, "throughput: %,d events in %.2f s = %,.0f events/s (journal %s, generator included%s); " +
            "live, after the %.2f s start-up (state allocated and faulted in%s): %,.0f events/s%n",
            live, elapsedNs / 1e9, live / (elapsedNs / 1e9), options.durability.toString().toLowerCase(Locale.ROOT),
            resumeAt > 0 ? String.format(Locale.ROOT, "; recovery replayed %,d events at %,.0f events/s", engine.recovery().replayedEvents(),
                engine.recovery().replayRate()) : "", (liveStartNs - startNs) / 1e9, resumeAt > 0 ? ", recovery" : "", live / (liveNs / 1e9));
        System.out.printf(Locale.ROOT, "ingress-to-decision latency (us%s): p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f over %,d events%n",
            options.rate > 0 ? "" : "; unpaced, so it includes the wait in a full ring: --rate measures it at a given load",
            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3,
            latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3, latency.getTotalCount());
        if (warmUp != null)
        {
            final Histogram steady = latency.copy();
            steady.subtract(warmUp);
            System.out.printf(Locale.ROOT, "  without the first %d s (warm-up): p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f over %,d events%n",
                options.warmUpS, steady.getValueAtPercentile(50) / 1e3, steady.getValueAtPercentile(90) / 1e3,
                steady.getValueAtPercentile(99) / 1e3, steady.getValueAtPercentile(99.9) / 1e3, steady.getMaxValue() / 1e3,
                steady.getTotalCount());
        }
        if (engine.counters().snapshots() > 0)
        {
            System.out.printf(Locale.ROOT, "snapshots: %d taken, the newest %,.1f MB, longest shard pause %.1f ms%s%n",
                engine.counters().snapshots(), engine.counters().snapshotBytes() / 1e6, engine.counters().snapshotPauseMaxNs() / 1e6,
                options.snapshotReplica ? String.format(Locale.ROOT, " (written by the replica: its last took %.1f ms)",
                engine.counters().replicaWriteNs() / 1e6) : "");
        }
        if (options.output != null)
        {
            System.out.println("outputs written to " + options.output);
        }
        if (plainReport != null)
        {
            final double engineRate = options.events / (elapsedNs / 1e9);
            final double plainRate = options.events / (plainNs / 1e9);
            System.out.printf(Locale.ROOT, "compare: engine %,.0f events/s, plain java %,.0f events/s: engine at %.1f%% of plain java; checksums %s%n",
                engineRate, plainRate, 100 * engineRate / plainRate, plainReport.equals(report) ? "equal" : "DIFFER");
            System.out.printf(Locale.ROOT, "compare, per second of process cpu (all threads, less sensitive to a busy machine): engine %,.0f events, " +
                "plain java %,.0f events: engine at %.1f%%%n", options.events / (engineCpuNs / 1e9), options.events / (plainCpuNs / 1e9),
                100.0 * plainCpuNs / engineCpuNs);
        }
    }

    /**
     * The demo's publishing loop, for either workload's generator: its events from {@code resumeAt} (where the journal
     * stands) to its end, at {@code options.rate} if set, a progress line a second, then the end of input.
     *
     * @param warmUpEndNs when to take the latency histogram of the warm-up ({@code Long.MAX_VALUE}: never).
     * @return that histogram, or null if the run ended before it.
     */
    static Histogram publishAll(final GeneratorBase generator, final Engine engine, final DemoOptions options, final long resumeAt,
        final long startNs, final long liveStartNs, final long warmUpEndNs)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final EventPublisher publisher = engine.newPublisher(SOURCE_ID);
        final Progress progress = new Progress(engine, options.shards);
        long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
        final double periodNs = options.rate > 0 ? 1e9 / options.rate : 0;
        Histogram warmUp = null;
        generator.skipTo(Math.min(resumeAt, generator.events()));
        long published = generator.index();
        while (generator.next(event, 0))
        {
            if (periodNs > 0)
            {
                final long dueNs = liveStartNs + (long)((published - resumeAt) * periodNs);
                long now;
                while ((now = System.nanoTime()) < dueNs)
                {
                    LockSupport.parkNanos(Math.min(dueNs - now, 1_000_000));
                }
            }
            publisher.publish(FraudEvent.cardId(event, 0), 0, generator.index() - 1, 0, event, 0, FraudEvent.LENGTH);
            published++;
            if ((published & 4095) == 0)
            {
                final long now = System.nanoTime();
                if (warmUp == null && now >= warmUpEndNs)
                {
                    warmUp = engine.latencyHistogram();
                }
                if (now >= nextProgressNs)
                {
                    progress.print(published);
                    nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
        }
        publisher.endOfInput();
        return warmUp;
    }

    /** A Kafka run of the demo, which may throw anything its clients throw. */
    private interface KafkaRun
    {
        KafkaFraudVelocity.Result run() throws Exception;
    }

    /**
     * @throws IOException for what the Kafka clients throw that is neither an I/O error nor a runtime exception.
     */
    private static KafkaFraudVelocity.Result kafkaRun(final KafkaRun run) throws IOException
    {
        try
        {
            return run.run();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IOException(ex);
        }
    }

    private static void printKafkaResult(final KafkaFraudVelocity.Result result, final DemoOptions options, final String topics)
    {
        result.report().print(System.out);
        System.out.printf(Locale.ROOT, "throughput: %,d events in %.2f s = %,.0f events/s (Kafka consume to decision, %soutputs %s%s)%n",
            result.events(), result.elapsedNs() / 1e9, result.events() / (result.elapsedNs() / 1e9), topics,
            options.outputTopic != null ? "to " + options.outputTopic : "not sent",
            result.recovery().isFresh() ? "" : String.format(Locale.ROOT, "; recovery replayed %,d events, the sink dropped %,d outputs already " +
                "in the topic", result.recovery().replayedEvents(), result.sinkDropped()));
    }

    /**
     * Prints a line of the events a Kafka run has processed, each time it is told (about once a second).
     */
    private static final class KafkaProgress implements LongConsumer
    {
        private long lastCount;
        private long lastNs = System.nanoTime();

        @Override
        public void accept(final long processed)
        {
            final long now = System.nanoTime();
            System.out.printf(Locale.ROOT, "  %,12d events processed  %,10.0f events/s%n", processed, (processed - lastCount) / ((now - lastNs) / 1e9));
            lastCount = processed;
            lastNs = now;
        }
    }

    /**
     * Prints one progress line a second: events/s, ring fill, per-shard lag. Publisher thread only.
     */
    static final class Progress
    {
        private final Engine engine;
        private final int shards;
        private final int ringSize;
        private long lastPublished;
        private long lastNs = System.nanoTime();

        Progress(final Engine engine, final int shards)
        {
            this.engine = engine;
            this.shards = shards;
            this.ringSize = engine.context().ringSize();
        }

        void print(final long published)
        {
            final long now = System.nanoTime();
            final StringBuilder line = new StringBuilder(128);
            line.append(String.format(Locale.ROOT, "  %,12d events  %,10.0f events/s  ring %3d%% full  lag",
                published, (published - lastPublished) / ((now - lastNs) / 1e9), 100 - 100 * engine.ringFreeSlots() / ringSize));
            for (int shard = 0; shard < shards; shard++)
            {
                line.append(' ').append(shard).append(':').append(engine.lag(shard));
            }
            System.out.println(line);
            lastPublished = published;
            lastNs = now;
        }
    }

    static long processCpuNs()
    {
        return ((OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
