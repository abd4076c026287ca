package io.ringside.perf.fraud;

import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineRecovery;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.KafkaIngress;
import io.ringside.ingest.KafkaIngressContext;
import io.ringside.ingest.KafkaSink;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.ingest.RecordDecoder;
import io.ringside.journal.DurabilityPolicy;

/**
 * Workload v2 read from Kafka ({@code ./ringside demo --workload v2 --kafka B --topic T [--profiles-topic P]}): the
 * transactions and captures from topic T, the profiles from their own compacted topic P (written by
 * {@code ./ringside produce --workload v2}), both bounded to their end offsets at start, through an engine whose shards
 * run {@link FraudV2Pipeline}; outputs optionally to a topic by a {@link KafkaSink}, exactly once.
 * <p>
 * <b>Two sources, two ingresses.</b> Each topic has its own {@link KafkaIngress} (its own consumer and thread) with its
 * own source id: {@link #EVENTS_SOURCE_ID} for T, {@link #PROFILES_SOURCE_ID} for P. So each topic's partitions resume
 * after their own journaled offsets, each has its own counters and dead letters, and the ingress stays the one-topic
 * class it was; one consumer subscribed to both would save a thread but mix two topics' partitions under one source id.
 * The topics are co-partitioned (same partition count, same key, same partitioner): here one engine reads every
 * partition of both, and the engine's key hash puts a card's profiles in the shard that holds its transactions; the
 * co-partitioning is what lets several engines split the partitions later, partition p of both to one engine.
 * <p>
 * <b>As of arrival.</b> The profile table is read by each transaction as it is when the transaction arrives, and
 * "arrives" is the journal's order: how the two ingress threads happened to interleave. So a run is not a function of
 * the topics alone (two runs over the same topics may differ in OVERLIMIT and ABROAD, and, through dedup across the two
 * topics, DUPLICATE), but it is a pure function of its journal: a restart replays the same order and gives the same
 * state, and {@code ./ringside replay DIR} recomputes the same checksums.
 * <p>
 * <b>Watermark.</b> The profile source is a table source ({@link EngineContext#tableSource}): its events are judged late
 * against their own partition's watermark, but it neither holds the global watermark back (it is read to its end long
 * before the transactions, and would otherwise stall every window) nor moves it. The global watermark is the minimum
 * over T's partitions, declared up front as in v1 over Kafka.
 * <p>
 * <b>End of input.</b> Neither ingress ends the input at its end offsets: once both have reached them, this class
 * publishes the one end of input from a publisher of its own ({@link #END_SOURCE_ID}, which publishes nothing else).
 * Caller's thread.
 */
public final class KafkaFraudV2
{
    static final int EVENTS_SOURCE_ID = 1;
    static final int PROFILES_SOURCE_ID = 2;
    static final int END_SOURCE_ID = 3;
    /** In the engine directory: the sources' layout, for {@code ./ringside replay DIR} ({@link #declareSources}). */
    static final String SOURCES_FILE = "kafka-v2-sources.properties";

    private KafkaFraudV2()
    {
    }

    /**
     * A run on an engine directory that may hold an earlier run's journal (killed or not): the engine recovers (newest
     * snapshot, then the journal after it), each ingress resumes each partition after its last journaled offset, and
     * the sink drops the replayed outputs the output topic already holds.
     *
     * @param outputTopic   null for no sink; created with T's partition count if missing.
     * @param snapshotEvery a snapshot every N events (0: only at close).
     * @param recovered     told the recovery report when the directory held an earlier run (may be null).
     * @param progress      called about once a second with the events processed so far (may be null).
     * @return the whole run's checksums (restored from the snapshot and the journal after a restart), the events this
     * process read from both topics, and what the sink dropped.
     */
    public static KafkaFraudVelocity.Result run(final Path dir, final String bootstrap, final String topic, final String profilesTopic,
        final String outputTopic, final int shards, final Topology topology, final long expectedEvents, final long expectedCards,
        final long snapshotEvery, final DurabilityPolicy durability, final Consumer<EngineRecovery> recovered, final LongConsumer progress)
        throws Exception
    {
        final int partitions = KafkaFraudVelocity.partitionCount(bootstrap, topic);
        final int profilePartitions = KafkaFraudVelocity.partitionCount(bootstrap, profilesTopic);
        if (profilePartitions != partitions)
        {
            throw new IllegalArgumentException("the profile topic " + profilesTopic + " has " + profilePartitions + " partitions and " + topic +
                " has " + partitions + ": co-partitioned topics have as many");
        }
        recordSources(dir, partitions);
        final List<FraudV2Pipeline> pipelines = new ArrayList<>();
        final EngineContext ctx = new EngineContext()
            .handlersId(FraudV2Pipeline.HANDLERS_ID)
            .directory(dir)
            .topology(topology)
            .shardCount(shards)
            .waitStrategy(WaitStrategy.BLOCKING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(EVENTS_SOURCE_ID, partitions)
            .tableSource(PROFILES_SOURCE_ID)   // the same in declareSources: a replay must compute the same watermarks
            .durability(durability)
            .closeTimeoutMs(600_000)
            .snapshotEveryEvents(snapshotEvery)
            .handlers(shard ->
            {
                synchronized (pipelines)
                {
                    final FraudV2Pipeline pipeline = FraudV2Pipeline.forWorkload(shard, shards, expectedEvents, expectedCards);
                    pipelines.add(pipeline);
                    return pipeline;
                }
            });
        final KafkaSink sink = KafkaFraudVelocity.addOutputSink(ctx, bootstrap, outputTopic, partitions, shards);
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
        if (recovered != null && !engine.recovery().isFresh())
        {
            recovered.accept(engine.recovery());
        }
        long published = 0;
        try
        {
            try (KafkaIngress events = new KafkaIngress(ingress(bootstrap, topic, EVENTS_SOURCE_ID, false), engine).start();
                KafkaIngress profiles = new KafkaIngress(ingress(bootstrap, profilesTopic, PROFILES_SOURCE_ID, true), engine).start())
            {
                long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
                while (!events.reachedEnd() || !profiles.reachedEnd())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    if (progress != null && System.nanoTime() >= nextProgressNs)
                    {
                        progress.accept(engine.counters().processed());
                        nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                    }
                }
                // both at their end offsets, everything they read is in the ring: the one end of input, behind it
                final EventPublisher end = engine.newPublisher(END_SOURCE_ID);
                end.endOfInput();
                end.close();
                published = events.published() + profiles.published();
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
        final ChecksumReport report = ChecksumReport.v2();
        for (final FraudV2Pipeline pipeline : pipelines)
        {
            report.add(pipeline.report());
        }
        return new KafkaFraudVelocity.Result(report, published, elapsedNs, sink == null ? 0 : sink.dropped(), engine.recovery());
    }

    /**
     * Writes the sources' layout into the engine directory (once; a restart with another partition count is refused):
     * the watermarks depend on it, and a replay of the journal must declare the same sources.
     */
    private static void recordSources(final Path dir, final int partitions) throws java.io.IOException
    {
        Files.createDirectories(dir);
        final Path file = dir.resolve(SOURCES_FILE);
        final Properties layout = new Properties();
        layout.setProperty("events.source", Integer.toString(EVENTS_SOURCE_ID));
        layout.setProperty("events.partitions", Integer.toString(partitions));
        layout.setProperty("profiles.source", Integer.toString(PROFILES_SOURCE_ID));
        final Properties recorded = readSources(dir);
        if (recorded == null)
        {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
            {
                layout.store(out, "workload v2 over Kafka: the sources whose watermarks this journal was computed with");
            }
        }
        else if (!recorded.equals(layout))
        {
            throw new IllegalStateException(dir + " holds a journal of sources " + recorded + ", not " + layout +
                " (another partition count?): the watermarks would differ; use another --journal");
        }
    }

    private static Properties readSources(final Path dir) throws java.io.IOException
    {
        final Path file = dir.resolve(SOURCES_FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        final Properties recorded = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            recorded.load(in);
        }
        return recorded;
    }

    /**
     * For a replay of an engine directory: if the v2 Kafka demo wrote it, declares its sources as the demo did (the
     * transaction topic's partitions expected, the profiles a table source) and returns true; else changes nothing.
     */
    static boolean declareSources(final EngineContext ctx, final Path dir) throws java.io.IOException
    {
        final Properties recorded = readSources(dir);
        if (recorded == null)
        {
            return false;
        }
        ctx.expectSource(Integer.parseInt(recorded.getProperty("events.source")), Integer.parseInt(recorded.getProperty("events.partitions")))
            .tableSource(Integer.parseInt(recorded.getProperty("profiles.source")));
        return true;
    }

    private static KafkaIngressContext ingress(final String bootstrap, final String topic, final int sourceId, final boolean profiles)
    {
        return new KafkaIngressContext().bootstrapServers(bootstrap).topic(topic).sourceId(sourceId).decoder(decoder(profiles))
            .stopAtEndOffsets(true).endOfInputAtEnd(false);
    }

    /**
     * @return v1's check (8-byte key, 48-byte value) and the type the topic holds: PROFILE in the profile topic, TXN or
     * CAPTURE in the other; a record of the wrong type goes to the dead-letter topic.
     */
    static RecordDecoder decoder(final boolean profiles)
    {
        final RecordDecoder fixed = RecordDecoder.fixedLength(FraudEvent.LENGTH);
        final String wrongType = profiles ? "not a PROFILE event (type 1)" : "a PROFILE event (type 1) among transactions: profiles have their own topic";
        return new RecordDecoder()
        {
            @Override
            public String check(final byte[] key, final byte[] value)
            {
                final String reason = fixed.check(key, value);
                if (reason != null)
                {
                    return reason;
                }
                final int type = (value[FraudV2Event.TYPE_OFFSET] & 0xFF) | (value[FraudV2Event.TYPE_OFFSET + 1] & 0xFF) << 8 |
                    (value[FraudV2Event.TYPE_OFFSET + 2] & 0xFF) << 16 | (value[FraudV2Event.TYPE_OFFSET + 3] & 0xFF) << 24;
                return (type == FraudV2Event.PROFILE) == profiles ? null : wrongType;
            }

            @Override
            public long key(final byte[] key, final byte[] value)
            {
                return fixed.key(key, value);
            }
        };
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
