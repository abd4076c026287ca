package io.ringside.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import io.ringside.perf.cli.CheckedCommand;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
@Command(name = "kafka-bench", description = {"On one broker (its own, started in a temporary directory, unless --kafka): Kafka " +
    "consume-to-decision throughput (a bare kafka-clients loop, then a KafkaIngress into an engine with a trivial handler, then into " +
    "the fraud-velocity shard), and produce-to-decision latency at a fixed rate, from intended send times."})
public final class KafkaBench extends CheckedCommand
{
    @Option(names = "--events", paramLabel = "N", description = "events of the throughput phases (default 2,000,000)")
    private long events = 2_000_000;

    @Option(names = "--partitions", paramLabel = "P", description = "the topics' partitions (default 4)")
    private int partitions = 4;

    @Option(names = "--rounds", paramLabel = "R", description = "rounds of each phase (default 2)")
    private int rounds = 2;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "events per second of the latency phase (default 10,000)")
    private long rate = 10_000;

    @Option(names = "--seconds", paramLabel = "S", description = "seconds of the latency phase (default 10)")
    private long seconds = 10;

    @Option(names = "--kafka", paramLabel = "B", description = "a running broker's bootstrap servers (default: start one)")
    private String kafka;

    @Option(names = "--only", paramLabel = "throughput|latency", description = "run only this phase (default both)")
    private String only;

    @Option(names = "--consumer", paramLabel = "k=v", description = "a kafka-clients setting over the ingress's consumer defaults " +
        "(both the bare loop's and the ingress's); repeatable")
    private List<String> consumerSettings = new ArrayList<>();

    @Option(names = "--producer", paramLabel = "k=v", description = "a kafka-clients setting over the latency producer's defaults " +
        "(linger.ms=0, acks=1); repeatable")
    private List<String> producerSettings = new ArrayList<>();

    /** From --consumer and --producer, by {@link #check()}. */
    private final Properties consumerOverrides = new Properties();
    private final Properties producerOverrides = new Properties();

    @Option(names = "--poll-ms", paramLabel = "MS", description = "the ingress's poll timeout (and the bare loop's); default the " +
        "ingress's")
    private long pollMs = -1;

    @Override
    protected void check()
    {
        if (events < 1 || partitions < 1 || rounds < 1 || rate < 1 || seconds < 1)
        {
            throw new IllegalArgumentException("--events, --partitions, --rounds, --rate and --seconds must be at least 1, got " +
                (events < 1 ? "--events " + events : partitions < 1 ? "--partitions " + partitions : rounds < 1 ? "--rounds " + rounds :
                rate < 1 ? "--rate " + rate : "--seconds " + seconds));
        }
        if (only != null && !only.equals("throughput") && !only.equals("latency"))
        {
            throw new IllegalArgumentException("--only takes throughput or latency, not '" + only + "'");
        }
        put("--consumer", consumerSettings, consumerOverrides);
        put("--producer", producerSettings, producerOverrides);
    }

    private static void put(final String flag, final List<String> settings, final Properties props)
    {
        for (final String setting : settings)
        {
            final int eq = setting.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException(flag + " takes name=value, not '" + setting + "'");
            }
            props.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
    }

    @Override
    protected void run() throws Exception
    {
        final boolean throughput = only == null || only.equals("throughput");
        final boolean latency = only == null || only.equals("latency");
        String bootstrap = kafka;
        LocalKafkaBroker broker = null;
        final Path work = Files.createTempDirectory("ringside-kafka-bench-");
        try
        {
            if (bootstrap == null)
            {
                broker = LocalKafkaBroker.start(work.resolve("broker"));
                bootstrap = broker.bootstrapServers();
            }
            final Settings settings = new Settings(bootstrap, consumerOverrides, producerOverrides, pollMs > 0 ? pollMs : DEFAULT_POLL_MS);
            System.out.println("consumer overrides " + consumerOverrides + ", producer overrides " + producerOverrides + ", poll " +
                settings.pollMs() + " ms");
            if (throughput)
            {
                final String topic = "bench-" + System.currentTimeMillis();
                KafkaProduce.produce(bootstrap, topic, partitions, 42, events, 100_000);
                System.out.printf(Locale.ROOT, "broker %s, topic %s: %,d events of 48 bytes in %d partitions%n", bootstrap, topic, events, partitions);
                double bestBare = 0;
                double bestTrivial = 0;
                double bestFraud = 0;
                for (int round = 0; round < rounds; round++)
                {
                    final CpuMeter cpu = new CpuMeter(broker);
                    final double bare = bare(settings, topic, events);
                    final String bareCpu = cpu.perRecord(events);
                    final double trivial = engine(settings, topic, events, partitions, work.resolve("trivial-" + round), false);
                    final String trivialCpu = cpu.perRecord(events);
                    final double fraud = engine(settings, topic, events, partitions, work.resolve("fraud-" + round), true);
                    final String fraudCpu = cpu.perRecord(events);
                    System.out.printf(Locale.ROOT, "round %d, CPU per record (this JVM + broker): bare %s; trivial %s; fraud %s%n", round,
                        bareCpu, trivialCpu, fraudCpu);
                    System.out.printf(Locale.ROOT, "round %d: bare consumer %,.0f/s; ingress + engine (trivial handler) %,.0f/s = %.0f%%; " +
                        "ingress + engine (fraud-velocity, on-heap) %,.0f/s = %.0f%%%n", round, bare, trivial, 100 * trivial / bare, fraud,
                        100 * fraud / bare);
                    bestBare = Math.max(bestBare, bare);
                    bestTrivial = Math.max(bestTrivial, trivial);
                    bestFraud = Math.max(bestFraud, fraud);
                }
                System.out.printf(Locale.ROOT, "best of %d rounds (the least disturbed by other load): bare consumer %,.0f/s; trivial handler " +
                    "%,.0f/s = %.0f%%; fraud-velocity on-heap %,.0f/s = %.0f%%%n", rounds, bestBare, bestTrivial, 100 * bestTrivial / bestBare,
                    bestFraud, 100 * bestFraud / bestBare);
            }
            if (latency)
            {
                for (int round = 0; round < rounds; round++)
                {
                    latency(settings, partitions, rate, seconds, work.resolve("latency-" + round), true);
                    latency(settings, partitions, rate, seconds, work.resolve("latency-engine-" + round), false);
                }
            }
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

    /**
     * CPU time of this JVM and of the broker (when the bench started it) between calls: where a phase's cycles went, on a
     * machine whose cores the consumer, the engine's threads and the broker share.
     */
    private static final class CpuMeter
    {
        private final ProcessHandle broker;
        private long selfNs;
        private long brokerNs;

        CpuMeter(final LocalKafkaBroker broker) throws IOException
        {
            this.broker = broker == null ? null : broker.process().orElse(null);
            selfNs = cpuNs(ProcessHandle.current());
            brokerNs = cpuNs(this.broker);
        }

        private static long cpuNs(final ProcessHandle process)
        {
            return process == null ? -1 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        }

        /** "S + B ns": nanoseconds of CPU per record since the last call, this JVM's then the broker's ("?" unknown). */
        String perRecord(final long records)
        {
            final long self = cpuNs(ProcessHandle.current());
            final long brokerNow = cpuNs(broker);
            final String text = String.format(Locale.ROOT, "%s + %s ns", perRecord(self, selfNs, records), perRecord(brokerNow, brokerNs, records));
            selfNs = self;
            brokerNs = brokerNow;
            return text;
        }

        private static String perRecord(final long now, final long before, final long records)
        {
            return now < 0 || before < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (now - before) / (double)records);
        }
    }

    /** The CPU time of the live threads that this phase started (the engine's and the ingress's), in ns per record. */
    private static String threadCpuPerRecord(final long records)
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final StringBuilder text = new StringBuilder();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            final long ns = threads.getThreadCpuTime(thread.getId());
            if (thread.getName().startsWith("ringside") && ns > 0)
            {
                text.append(String.format(Locale.ROOT, "%s%s %.0f", text.length() == 0 ? "" : ", ", thread.getName(), ns / (double)records));
            }
        }
        return text.toString();
    }

    private static final long DEFAULT_POLL_MS = new KafkaIngressContext().pollTimeoutMs();

    /** The broker, the overrides of the command line and the poll timeout. */
    private record Settings(String bootstrap, Properties consumer, Properties producer, long pollMs)
    {
    }

    /** The ingress's consumer defaults (KafkaIngress#onStart), then the overrides: for the bare loops. */
    private static Properties consumerProperties(final Settings settings)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(KafkaIngress.consumerDefaults());
        props.putAll(settings.consumer());
        return props;
    }

    private static KafkaIngressContext ingressContext(final Settings settings, final String topic)
    {
        final KafkaIngressContext ctx = new KafkaIngressContext().bootstrapServers(settings.bootstrap()).topic(topic)
            .decoder(RecordDecoder.fixedLength(FraudEvent.LENGTH)).pollTimeoutMs(settings.pollMs());
        settings.consumer().forEach((name, value) -> ctx.consumerProperty((String)name, value));
        return ctx;
    }

    private static double bare(final Settings settings, final String topic, final long events)
    {
        final long startNs = System.nanoTime();
        long count = 0;
        long checksum = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(settings), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> tps.add(new TopicPartition(topic, info.partition())));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (count < events)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(settings.pollMs())))
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

    private static double engine(final Settings settings, final String topic, final long events, final int partitions, final Path dir,
        final boolean fraud) throws Exception
    {
        final AtomicLong keys = new AtomicLong();
        final EngineContext ctx = new EngineContext().directory(dir).maxEventLength(FraudEvent.LENGTH).waitStrategy(WaitStrategy.BLOCKING)
            .eventTime(FraudVelocityShard.EVENT_TIME).maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS).expectSource(1, partitions)
            .recordLatency(false)
            .handlers(shard -> fraud ? new FraudVelocityShard(1 << 17, 1 << 20) : (ShardHandler)(event, context) -> keys.lazySet(event.key()));
        try (Engine engine = new Engine(ctx).start())
        {
            // timed from the ingress's start, as the bare loop is from its consumer's creation: the engine's own start-up
            // (journal segment, counters file, threads) is not consumption
            final long startNs = System.nanoTime();
            try (KafkaIngress ingress = new KafkaIngress(ingressContext(settings, topic).groupId("bench-" + dir.getFileName()), engine).start())
            {
                while (engine.counters().processed() < events && ingress.deadLetterFailure() == null)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                final double rate = events / ((System.nanoTime() - startNs) / 1e9);
                System.out.println("  " + (fraud ? "fraud" : "trivial") + ", CPU per record by thread: " + threadCpuPerRecord(events));
                return rate;
            }
        }
    }

    /**
     * Produce-to-decision latency at a fixed rate: into a bare consumer loop ({@code bare}: the floor kafka-clients and the
     * broker set with these settings) or through the ingress into an engine whose handler records it.
     */
    private static void latency(final Settings settings, final int partitions, final long rate, final long seconds, final Path dir,
        final boolean bare) throws Exception
    {
        final String topic = "latency-" + System.nanoTime();
        LocalKafkaBroker.createTopic(settings.bootstrap(), topic, partitions);
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long warmupEvents = rate * 3;
        final long total = rate * (seconds + 3);
        // per event: when the producer's callback said acknowledged, and when the consumer side had it (System.nanoTime)
        final long[] ackedNs = new long[(int)total];
        final long[] decidedNs = new long[(int)total];
        final long[] intendedAt = new long[(int)total];
        final AtomicLong received = new AtomicLong();
        Engine engine = null;
        KafkaIngress ingress = null;
        Thread bareLoop = null;
        final AtomicBoolean stop = new AtomicBoolean();
        try
        {
            if (bare)
            {
                bareLoop = startBareLoop(settings, topic, stop, histogram, warmupEvents, decidedNs, received);
            }
            else
            {
                final EngineContext ctx = new EngineContext().directory(dir).maxEventLength(FraudEvent.LENGTH).waitStrategy(WaitStrategy.BLOCKING)
                    .handlers(shard -> (event, context) ->
                    {
                        final long intendedNs = event.buffer().getLong(event.offset());
                        final long now = System.nanoTime();
                        final long index = event.buffer().getLong(event.offset() + 8);
                        if (event.sourceOffset() >= 0 && index >= warmupEvents)
                        {
                            histogram.recordValue(Math.min(now - intendedNs, histogram.getHighestTrackableValue()));
                        }
                        if (index >= 0 && index < total)
                        {
                            decidedNs[(int)index] = now;
                        }
                        received.incrementAndGet();
                    });
                engine = new Engine(ctx).start();
                ingress = new KafkaIngress(ingressContext(settings, topic), engine).start();
            }
            produceAtRate(settings, topic, rate, intendedAt, ackedNs);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < total && System.nanoTime() < deadline && (ingress == null || ingress.deadLetterFailure() == null))
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        finally
        {
            stop.set(true);
            if (bareLoop != null)
            {
                bareLoop.join();
            }
            if (ingress != null)
            {
                ingress.close();
            }
            if (engine != null)
            {
                engine.close();
            }
        }
        printLatency(histogram, intendedAt, ackedNs, decidedNs, warmupEvents, rate, seconds, bare);
    }

    /**
     * A consumer loop on its own thread that records, per event, when it was consumed (and its latency after warm-up).
     */
    private static Thread startBareLoop(final Settings settings, final String topic, final AtomicBoolean stop, final Histogram histogram,
        final long warmupEvents, final long[] decidedNs, final AtomicLong received)
    {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(settings), new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
        final List<TopicPartition> tps = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(info -> tps.add(new TopicPartition(topic, info.partition())));
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        final Thread bareLoop = new Thread(() ->
        {
            try (consumer)
            {
                while (!stop.get())
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(settings.pollMs())))
                    {
                        final ByteBuffer v = ByteBuffer.wrap(record.value()).order(ByteOrder.nativeOrder());
                        final long now = System.nanoTime();
                        if (v.getLong(8) >= warmupEvents)
                        {
                            histogram.recordValue(Math.min(now - v.getLong(0), histogram.getHighestTrackableValue()));
                        }
                        decidedNs[(int)v.getLong(8)] = now;
                        received.incrementAndGet();
                    }
                }
            }
        }, "bare-latency-consumer");
        bareLoop.start();
        return bareLoop;
    }

    /**
     * Produces {@code intendedAt.length} events at a fixed rate, each stamped with its intended send time and index; records
     * the intended time and when the producer's callback said acknowledged.
     */
    private static void produceAtRate(final Settings settings, final String topic, final long rate, final long[] intendedAt,
        final long[] ackedNs)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.putAll(settings.producer());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final ByteBuffer key = ByteBuffer.allocate(8);
            final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            final double periodNs = 1e9 / rate;
            for (long i = 0; i < intendedAt.length; i++)
            {
                final long intendedNs = startNs + (long)(i * periodNs);
                long now;
                while ((now = System.nanoTime()) < intendedNs)
                {
                    LockSupport.parkNanos(Math.min(intendedNs - now, 50_000));
                }
                final byte[] value = new byte[FraudEvent.LENGTH];
                final ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
                v.putLong(0, intendedNs).putLong(8, i);
                final int index = (int)i;
                intendedAt[index] = intendedNs;
                producer.send(new ProducerRecord<>(topic, key.putLong(0, i % 1000).array().clone(), value), (metadata, error) ->
                    ackedNs[index] = System.nanoTime());
            }
            producer.flush();
        }
    }

    private static void printLatency(final Histogram histogram, final long[] intendedAt, final long[] ackedNs, final long[] decidedNs,
        final long warmupEvents, final long rate, final long seconds, final boolean bare)
    {
        final Histogram acks = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram afterAck = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = (int)warmupEvents; i < intendedAt.length; i++)
        {
            final long intendedNs = intendedAt[i];
            if (ackedNs[i] != 0 && decidedNs[i] != 0)
            {
                acks.recordValue(Math.min(Math.max(0, ackedNs[i] - intendedNs), acks.getHighestTrackableValue()));
                afterAck.recordValue(Math.min(Math.max(0, decidedNs[i] - ackedNs[i]), afterAck.getHighestTrackableValue()));
            }
        }
        {
            System.out.printf(Locale.ROOT, "produce-to-%s latency at %,d events/s over %d s (after 3 s warm-up; us): p50 %.0f, p90 %.0f, " +
                "p99 %.0f, p99.9 %.0f, max %.0f over %,d events%n", bare ? "bare-consumer" : "decision (ingress + engine, journal page-cache)",
                rate, seconds, histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
                histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3,
                histogram.getTotalCount());
            System.out.printf(Locale.ROOT, "  split per event: produce-to-acknowledged (producer callback) p50 %.0f, p90 %.0f, p99 %.0f, max %.0f; " +
                "acknowledged-to-%s (0 if before) p50 %.0f, p90 %.0f, p99 %.0f, max %.0f%n",
                acks.getValueAtPercentile(50) / 1e3, acks.getValueAtPercentile(90) / 1e3, acks.getValueAtPercentile(99) / 1e3,
                acks.getMaxValue() / 1e3, bare ? "consumed" : "decided", afterAck.getValueAtPercentile(50) / 1e3,
                afterAck.getValueAtPercentile(90) / 1e3, afterAck.getValueAtPercentile(99) / 1e3, afterAck.getMaxValue() / 1e3);
        }
    }
}
