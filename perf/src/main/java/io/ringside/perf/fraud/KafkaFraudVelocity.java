package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineRecovery;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.KafkaIngress;
import io.ringside.ingest.KafkaIngressContext;
import io.ringside.ingest.KafkaSink;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.ingest.RecordDecoder;
import io.ringside.journal.DurabilityPolicy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The fraud-velocity workload read from a Kafka topic (bounded: up to the end offsets at start, then end of input) by
 * a {@link KafkaIngress}, through an engine whose shards run {@link FraudVelocityShard} (on-heap) or
 * {@link FraudVelocityPipeline} (Chronicle Map), outputs optionally to a topic by a {@link KafkaSink} in the file sink's
 * line format ({@link FraudOutputFormat}). Used by {@code ./ringside demo --kafka} and the end-to-end tests. Caller's thread.
 */
public final class KafkaFraudVelocity
{
    static final int SOURCE_ID = 1;

    /**
     * What a run gave.
     *
     * @param report      the checksums of the whole run: restored from the snapshot and the journal after a restart.
     * @param events      events this process read from Kafka (after a restart: from the journaled offsets + 1 on).
     * @param sinkDropped replayed outputs the Kafka sink found already in the output topic.
     */
    public record Result(ChecksumReport report, long events, long elapsedNs, long sinkDropped, EngineRecovery recovery)
    {
    }

    private KafkaFraudVelocity()
    {
    }

    /**
     * With an output topic: creates it (with the input's partition count) if missing, and adds to {@code ctx} a sink
     * writing each output to it in the file sink's line format, exactly once (the sink reads the topic's tail back at
     * the engine's start, before recovery replays outputs).
     *
     * @return the sink, or null without an output topic.
     */
    static KafkaSink addOutputSink(final EngineContext ctx, final String bootstrap, final String outputTopic, final int partitions,
        final int shards) throws Exception
    {
        if (outputTopic == null)
        {
            return null;
        }
        LocalKafkaBroker.createTopic(bootstrap, outputTopic, partitions);
        final KafkaSink sink = new KafkaSink(bootstrap, outputTopic, shards, new FraudOutputFormat()).open();
        ctx.addSink(sink);
        return sink;
    }

    /**
     * @param outputTopic null for no sink; created with the input's partition count if missing.
     * @param progress    called about once a second with the events published so far (may be null).
     */
    public static Result run(final Path dir, final String bootstrap, final String topic, final String outputTopic, final int shards,
        final Topology topology, final boolean chronicle, final long expectedCards, final java.util.function.LongConsumer progress) throws Exception
    {
        return run(dir, bootstrap, topic, outputTopic, shards, topology, chronicle, expectedCards, 0, DurabilityPolicy.PAGE_CACHE, null, progress);
    }

    /**
     * A run on an engine directory that may hold an earlier run's journal (killed or not): the engine recovers (newest
     * snapshot, then the journal after it), the ingress resumes each partition after its last journaled offset, and
     * the sink drops the replayed outputs the output topic already holds.
     *
     * @param snapshotEvery with chronicle state, a snapshot every N events (0: only at close); ignored on-heap (the
     *                      whole journal is replayed).
     * @param recovered     told the recovery report when the directory held an earlier run (may be null).
     */
    public static Result run(final Path dir, final String bootstrap, final String topic, final String outputTopic, final int shards,
        final Topology topology, final boolean chronicle, final long expectedCards, final long snapshotEvery,
        final DurabilityPolicy durability, final Consumer<EngineRecovery> recovered, final java.util.function.LongConsumer progress)
        throws Exception
    {
        final int partitions = partitionCount(bootstrap, topic);
        final List<ChecksumReport> reports = new ArrayList<>();
        final List<FraudVelocityPipeline> pipelines = new ArrayList<>();
        final int cardsPerShard = (int)Math.min(1 << 30, expectedCards / shards + 1024);
        final EngineContext ctx = new EngineContext()
            .handlersId(FraudVelocityPipeline.HANDLERS_ID)
            .directory(dir)
            .topology(topology)
            .shardCount(shards)
            .waitStrategy(WaitStrategy.BLOCKING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(SOURCE_ID, partitions)
            .durability(durability)
            .snapshotEveryEvents(chronicle ? snapshotEvery : 0)
            .handlers(shard ->
            {
                synchronized (reports)
                {
                    if (chronicle)
                    {
                        final FraudVelocityPipeline pipeline = new FraudVelocityPipeline(shard, cardsPerShard, 600_000 / shards + 1_024);
                        pipelines.add(pipeline);
                        reports.add(pipeline.report());
                        return pipeline;
                    }
                    final FraudVelocityShard handler = new FraudVelocityShard(cardsPerShard, 6_000_000 / shards + 1024);
                    reports.add(handler.report());
                    return handler;
                }
            });
        final KafkaSink sink = KafkaFraudVelocity.addOutputSink(ctx, bootstrap, outputTopic, partitions, shards);
        final long startNs = System.nanoTime();
        final Engine engine;
        try
        {
            engine = new Engine(ctx).start();
        }
        catch (final RuntimeException ex)
        {
            closeAll(pipelines);
            throw ex;
        }
        if (recovered != null && !engine.recovery().isFresh())
        {
            recovered.accept(engine.recovery());
        }
        long published = 0;
        try
        {
            try (KafkaIngress ingress = new KafkaIngress(new KafkaIngressContext().bootstrapServers(bootstrap).topic(topic).sourceId(SOURCE_ID)
                .decoder(RecordDecoder.fixedLength(FraudEvent.LENGTH)).stopAtEndOffsets(true).endOfInputAtEnd(true), engine).start())
            {
                long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
                while (!ingress.reachedEnd())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    if (progress != null && System.nanoTime() >= nextProgressNs)
                    {
                        progress.accept(engine.counters().processed());
                        nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                    }
                }
                published = ingress.published();
            }
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
        final long elapsedNs = System.nanoTime() - startNs;
        final ChecksumReport report = new ChecksumReport();
        for (final ChecksumReport shardReport : reports)
        {
            report.add(shardReport);
        }
        return new Result(report, published, elapsedNs, sink == null ? 0 : sink.dropped(), engine.recovery());
    }

    private static void closeAll(final List<FraudVelocityPipeline> pipelines)
    {
        for (final FraudVelocityPipeline pipeline : pipelines)
        {
            pipeline.close();
        }
    }

    /**
     * @return the topic's partition count.
     */
    public static int partitionCount(final String bootstrap, final String topic)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            final var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty())
            {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrap);
            }
            return infos.size();
        }
    }
}
