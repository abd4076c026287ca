package io.ringside.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.KafkaIngress;
import io.ringside.ingest.KafkaIngressContext;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.ingest.RecordDecoder;
import io.ringside.perf.fraud.FraudEvent;
import io.ringside.perf.fraud.FraudVelocityShard;
import io.ringside.perf.fraud.KafkaProduce;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./ringside kafka-bench [--events N] [--partitions P] [--rate R] [--seconds S] [--kafka B]}: on one broker (its
 * own, started in a temporary directory, unless --kafka), in one run:
 * <ol>
 * <li>consume-to-decision throughput: the workload (N events, P partitions) read by a bare kafka-clients loop that
 * does nothing with the records, then by a {@link KafkaIngress} into an engine whose handler only reads the key, then
 * into the fraud-velocity shard (on-heap), each from offset 0, with the same consumer settings;</li>
 * <li>produce-to-decision latency: a producer sends at R events/s for S seconds, each stamped with its intended send
 * time (System.nanoTime, same JVM), and the handler records now minus that (coordinated omission corrected).</li>
 * </ol>
 * Main thread, plus the engine's and the ingress's threads.
 */
public final class KafkaBench
{
    private KafkaBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        long events = 2_000_000;
        int partitions = 4;
        long rate = 10_000;
        long seconds = 10;
        String bootstrap = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--events" -> events = Long.parseLong(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Long.parseLong(args[i + 1]);
                case "--seconds" -> seconds = Long.parseLong(args[i + 1]);
                case "--kafka" -> bootstrap = args[i + 1];
                default ->
                {
                    System.err.println("usage: ringside kafka-bench [--events N] [--partitions P] [--rate R] [--seconds S] [--kafka B]");
                    System.exit(2);
                }
            }
        }
        LocalKafkaBroker broker = null;
        final Path work = Files.createTempDirectory("ringside-kafka-bench-");
        try
        {
            if (bootstrap == null)
            {
                broker = LocalKafkaBroker.start(work.resolve("broker"));
                bootstrap = broker.bootstrapServers();
            }
            final String topic = "bench-" + System.currentTimeMillis();
            KafkaProduce.produce(bootstrap, topic, partitions, 42, events, 100_000);
            System.out.printf(Locale.ROOT, "broker %s, topic %s: %,d events of 48 bytes in %d partitions%n", bootstrap, topic, events, partitions);
            for (int round = 0; round < 2; round++)
            {
                final double bare = bare(bootstrap, topic, events);
                final double trivial = engine(bootstrap, topic, events, partitions, work.resolve("trivial-" + round), false);
                final double fraud = engine(bootstrap, topic, events, partitions, work.resolve("fraud-" + round), true);
                System.out.printf(Locale.ROOT, "round %d: bare consumer %,.0f/s; ingress + engine (trivial handler) %,.0f/s = %.0f%%; " +
                    "ingress + engine (fraud-velocity, on-heap) %,.0f/s = %.0f%%%n", round, bare, trivial, 100 * trivial / bare, fraud, 100 * fraud / bare);
            }
            latency(bootstrap, partitions, rate, seconds, work.resolve("latency"));
        }
        finally
        {
            if (broker != null)
            {
                broker.close();
            }
            try (Stream<Path> paths = Files.walk(work))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The consumer settings of the ingress's defaults, for the bare loop. */
    private static Properties consumerProperties(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        return props;
    }

    private static double bare(final String bootstrap, final String topic, final long events)
    {
        final long startNs = System.nanoTime();
        long count = 0;
        long checksum = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> tps.add(new TopicPartition(topic, info.partition())));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (count < events)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
                {
                    checksum += record.offset();
                    count++;
                }
            }
        }
        if (checksum == 42)
        {
            System.out.print("");
        }
        return events / ((System.nanoTime() - startNs) / 1e9);
    }

    private static double engine(final String bootstrap, final String topic, final long events, final int partitions, final Path dir,
        final boolean fraud) throws Exception
    {
        final AtomicLong keys = new AtomicLong();
        final EngineContext ctx = new EngineContext().directory(dir).maxEventLength(FraudEvent.LENGTH).waitStrategy(WaitStrategy.BLOCKING)
            .eventTime(FraudVelocityShard.EVENT_TIME).maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS).expectSource(1, partitions)
            .recordLatency(false)
            .handlers(shard -> fraud ? new FraudVelocityShard(1 << 17, 1 << 20) : (ShardHandler)(event, context) -> keys.lazySet(event.key()));
        final long startNs = System.nanoTime();
        try (Engine engine = new Engine(ctx).start();
            KafkaIngress ingress = new KafkaIngress(new KafkaIngressContext().bootstrapServers(bootstrap).topic(topic)
                .groupId("bench-" + dir.getFileName()).decoder(RecordDecoder.fixedLength(FraudEvent.LENGTH)), engine).start())
        {
            while (engine.counters().processed() < events && ingress.deadLetterFailure() == null)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return events / ((System.nanoTime() - startNs) / 1e9);
        }
    }

    private static void latency(final String bootstrap, final int partitions, final long rate, final long seconds, final Path dir) throws Exception
    {
        final String topic = "latency-" + System.currentTimeMillis();
        LocalKafkaBroker.createTopic(bootstrap, topic, partitions);
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long warmupEvents = rate * 3;
        final EngineContext ctx = new EngineContext().directory(dir).maxEventLength(FraudEvent.LENGTH).waitStrategy(WaitStrategy.BLOCKING)
            .handlers(shard -> (event, context) ->
            {
                final long intendedNs = event.buffer().getLong(event.offset());
                if (event.sourceOffset() >= 0 && event.buffer().getLong(event.offset() + 8) >= warmupEvents)
                {
                    histogram.recordValue(Math.min(System.nanoTime() - intendedNs, histogram.getHighestTrackableValue()));
                }
            });
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        final long total = rate * (seconds + 3);
        try (Engine engine = new Engine(ctx).start();
            KafkaIngress ingress = new KafkaIngress(new KafkaIngressContext().bootstrapServers(bootstrap).topic(topic)
                .decoder(RecordDecoder.fixedLength(FraudEvent.LENGTH)).pollTimeoutMs(100), engine).start();
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final java.nio.ByteBuffer key = java.nio.ByteBuffer.allocate(8);
            final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            final double periodNs = 1e9 / rate;
            for (long i = 0; i < total; i++)
            {
                final long intendedNs = startNs + (long)(i * periodNs);
                long now;
                while ((now = System.nanoTime()) < intendedNs)
                {
                    LockSupport.parkNanos(Math.min(intendedNs - now, 50_000));
                }
                final byte[] value = new byte[FraudEvent.LENGTH];
                final java.nio.ByteBuffer v = java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.nativeOrder());
                v.putLong(0, intendedNs).putLong(8, i);
                producer.send(new ProducerRecord<>(topic, key.putLong(0, i % 1000).array().clone(), value));
            }
            producer.flush();
            while (engine.counters().processed() < total && ingress.deadLetterFailure() == null)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        System.out.printf(Locale.ROOT, "produce-to-decision latency at %,d events/s over %d s (after 3 s warm-up; producer linger.ms=0 acks=1; " +
            "journal page-cache; us): p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f, max %.0f over %,d events%n", rate, seconds,
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, histogram.getTotalCount());
    }
}
