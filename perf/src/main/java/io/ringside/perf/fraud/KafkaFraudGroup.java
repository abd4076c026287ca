package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.KafkaGroupIngress;
import io.ringside.ingest.KafkaIngressContext;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.ingest.PartitionOutputIds;
import io.ringside.ingest.PublishedSnapshots;
import io.ringside.ingest.RecordDecoder;

/**
 * Workload v1 read by one member of a consumer group ({@link KafkaGroupIngress}): each partition it owns runs in its
 * own one-shard engine under {@code DIR/p-<n>} with the on-heap {@link FraudVelocityShard}, sized for its share of the
 * cards, the partition's own watermark (workload.md, "Several sources": lateness per partition; windows close by the
 * partition's watermark, which gives the same window contents), outputs to the output topic exactly once across owners.
 * With a shared directory, each engine snapshots its state every {@code publishEvery} records and the member publishes
 * it there ({@link PublishedSnapshots}); a partition's new owner starts from the newest one. With {@code standby}, it also tails the partitions it does
 * not own, to take them over without a rebuild. Used by {@code ./ringside demo --kafka B --topic T --output-topic T2 --group G --journal DIR}. Caller's thread.
 */
public final class KafkaFraudGroup
{
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    private KafkaFraudGroup()
    {
    }

    /**
     * Runs the member until {@code untilIdleS} seconds pass with every owned partition ended (or none owned) and no
     * record read, or forever if {@code untilIdleS} is 0 (until killed; a JVM shutdown hands the partitions over cleanly).
     *
     * @param shared       where the partitions' snapshots are published and read, or null: none (a new owner rebuilds from Kafka).
     * @param publishEvery with {@code shared}: a snapshot of a partition's engine every this many of its records.
     * @param standby      keep a warm standby of every partition the member does not own ({@link KafkaGroupIngress#standbys}).
     * @param log          told each line the member prints (time-stamped).
     */
    public static void run(final Path dir, final String bootstrap, final String topic, final String outputTopic, final String group,
        final long events, final long cards, final long untilIdleS, final Path shared, final long publishEvery, final boolean standby,
        final Consumer<String> log)
        throws Exception
    {
        final int partitions = KafkaFraudVelocity.partitionCount(bootstrap, topic);
        LocalKafkaBroker.createTopic(bootstrap, outputTopic, partitions);
        final int cardsPerPartition = (int)Math.min(1 << 24, 2 * cards / partitions + 1_024);
        final int idsPerPartition = (int)(Math.min(events, FraudVelocityRules.DEDUP_HORIZON_MS * WorkloadGenerator.EVENTS_PER_MS * 11 / 10) /
            partitions + 1_024);
        final Consumer<String> stamped = line -> log.accept(LocalTime.now().format(CLOCK) + " " + line);
        final KafkaGroupIngress.PartitionEngines engines = (partition, directory, sink, seed) -> new Engine(new EngineContext()
            .handlersId(FraudVelocityPipeline.HANDLERS_ID + "/partition")
            .directory(directory)
            .topology(Topology.COMPACT)
            .shardCount(1)
            .ringSize(4_096)
            .segmentSize(16 << 20)
            .waitStrategy(WaitStrategy.BLOCKING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(KafkaFraudVelocity.SOURCE_ID, 1)
            .snapshotEveryEvents(shared == null ? 0 : publishEvery)
            .snapshotOnClose(false)
            .seedSnapshot(seed)
            .recordLatency(false)
            // the end of input's flush of a loaded partition through a transaction per egress batch can take long
            .closeTimeoutMs(120_000)
            .addSink(sink)
            .handlers(shard -> PartitionOutputIds.wrap(FraudVelocityShard.snapshotted(cardsPerPartition, idsPerPartition)))).start();
        final KafkaIngressContext ctx = new KafkaIngressContext().bootstrapServers(bootstrap).topic(topic).groupId(group)
            .sourceId(KafkaFraudVelocity.SOURCE_ID).decoder(RecordDecoder.fixedLength(FraudEvent.LENGTH));
        final KafkaGroupIngress member = new KafkaGroupIngress(ctx, dir, outputTopic, new FraudOutputFormat(), engines, stamped);
        if (shared != null)
        {
            member.publishSnapshots(new PublishedSnapshots(shared, group, topic));
        }
        if (standby)
        {
            member.standbys();
        }
        final Thread handOver = new Thread(member::close, "ringside-group-hand-over");
        Runtime.getRuntime().addShutdownHook(handOver);
        member.start();
        long nextStatusNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long lastPublished = 0;
        try
        {
            while (untilIdleS == 0 || !member.allEnded() || System.currentTimeMillis() - member.lastActivityMs() < untilIdleS * 1_000)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                if (member.failure() != null)
                {
                    throw new IllegalStateException("the group member failed (its partitions go to the other members once it has " +
                        "left): " + member.failure(), member.failure());
                }
                if (System.nanoTime() >= nextStatusNs)
                {
                    final long published = member.published();
                    stamped.accept(String.format(Locale.ROOT, "owns %s; %,d records read in the last 5 s (%,d in all, rebuilds included)%s",
                        member.ownedPartitions(), published - lastPublished, published, shared == null ? "" :
                        String.format(Locale.ROOT, "; %,d snapshots published", member.snapshotsPublished())));
                    lastPublished = published;
                    nextStatusNs += TimeUnit.SECONDS.toNanos(5);
                }
            }
            final double seconds = Math.max(1, member.readingMs()) / 1e3;
            stamped.accept(String.format(Locale.ROOT, "idle for %d s with every owned partition ended: leaving the group; %,d records " +
                "read (rebuilds included) in %.2f s from the first to the last = %,.0f records/s", untilIdleS, member.published(),
                seconds, member.published() / seconds));
        }
        finally
        {
            member.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(handOver);
            }
            catch (final IllegalStateException ignored)
            {
                // the JVM is shutting down: the hook runs (closing twice is harmless)
            }
        }
    }
}
