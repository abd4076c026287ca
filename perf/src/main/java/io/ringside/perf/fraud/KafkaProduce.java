package io.ringside.perf.fraud;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

import io.ringside.ingest.KafkaGroupIngress;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.perf.cli.CheckedCommand;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ringside produce --kafka B --topic T --partitions P [--events N] [--seed S] [--cards K] [--no-expected]}:
 * creates T with P partitions if it is missing, writes the workload into it in generator order (key: the card id,
 * 8 bytes big-endian; value: the 48-byte event; Kafka's default partitioner), then prints the checksum lines an engine
 * reading the topic must give ({@link SeveralSourcesReference}).
 * <p>
 * With {@code --workload v2 [--profiles-topic P]}: workload v2's TXN and CAPTURE events go to T and its PROFILE events
 * (duplicates included) to a compacted topic, T + "-profiles" by default, created with cleanup.policy=compact and T's
 * partition count; both keyed by card with the same partitioner, so a card's profiles and transactions sit in
 * partitions of the same number (co-partitioned). No expected checksums then: a reader sees the two topics interleaved
 * as they arrive, and the as-of-arrival profile table makes the outputs depend on that order (README, "The fraud
 * workloads, v1 and v2"). Main thread.
 */
@Command(name = "produce", description = {"Creates topic T with P partitions if it is missing, writes the fraud-velocity workload into it " +
    "in generator order (key: the card id, 8 bytes big-endian; value: the 48-byte event), then prints the checksum lines an engine " +
    "reading the topic must give.", "With --workload v2: TXN and CAPTURE events into T, PROFILE events into a compacted topic " +
    "(--profiles-topic, default T-profiles) with as many partitions, keyed and partitioned by card like T."})
public final class KafkaProduce extends CheckedCommand
{
    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", required = true, description = "the brokers' bootstrap servers, host:port,...")
    private String bootstrap;

    @Option(names = "--topic", paramLabel = "T", required = true, description = "the topic")
    private String topic;

    @Option(names = "--partitions", paramLabel = "P", required = true, description = "its partitions, if it is created")
    private int partitions;

    @Option(names = "--events", paramLabel = "N", description = "events, duplicates included (default 100,000: the smoke size)")
    private long events = WorkloadSize.SMOKE.events();

    @Option(names = "--seed", paramLabel = "S", description = "the generator's seed (default 42)")
    private long seed = 42;

    @Option(names = "--cards", paramLabel = "K", description = "cards, at least 100 (default 10,000 for up to 100,000 events, " +
        "else 1,000,000)")
    private long cards = -1;

    @Option(names = "--workload", paramLabel = "v1|v2", description = "v1 (default) or v2 (profiles into their own compacted topic)")
    private String workloadName = "v1";

    @Option(names = "--profiles-topic", paramLabel = "P", description = "with --workload v2, the compacted topic of profiles (default T-profiles)")
    private String profilesTopic;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "with workload v1, write at about this many events per second " +
        "(default: as fast as the broker takes them)")
    private long rate;

    @Option(names = "--end-markers", description = "with workload v1, then write an end-of-input record into each partition (for " +
        "./ringside demo --group: a partition's input ends there, whoever owns it)")
    private boolean endMarkers;

    @Option(names = "--no-expected", description = "do not print the checksum lines an engine reading the topic must give")
    private boolean noExpected;

    @Override
    protected void check()
    {
        if (partitions < 1)
        {
            throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
        }
        if (events < 1 || (cards != -1 && cards < WorkloadGenerator.MIN_CARDS))
        {
            throw new IllegalArgumentException(events < 1 ? "--events must be at least 1, was " + events :
                "--cards must be at least " + WorkloadGenerator.MIN_CARDS + ", was " + cards);
        }
        if (!workloadName.equals("v1") && !workloadName.equals("v2"))
        {
            throw new IllegalArgumentException("--workload takes v1 or v2, not '" + workloadName + "'");
        }
        if (profilesTopic != null && workloadName.equals("v1"))
        {
            throw new IllegalArgumentException("--profiles-topic goes with --workload v2");
        }
        if (profilesTopic == null)
        {
            profilesTopic = profilesTopicOf(topic);
        }
        if (profilesTopic.equals(topic))
        {
            throw new IllegalArgumentException("--profiles-topic must differ from --topic");
        }
        if (rate < 0 || ((rate > 0 || endMarkers) && !workloadName.equals("v1")))
        {
            throw new IllegalArgumentException("--rate (at least 1) and --end-markers go with workload v1");
        }
        if (cards < 0)
        {
            cards = events <= WorkloadSize.SMOKE.events() ? WorkloadSize.SMOKE.cards() : WorkloadSize.STANDARD.cards();
        }
    }

    @Override
    protected void run() throws Exception
    {
        final long startNs = System.nanoTime();
        if (workloadName.equals("v2"))
        {
            final long[] split = produceV2(bootstrap, topic, profilesTopic, partitions, seed, events, cards);
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf(Locale.ROOT, "produced %,d events of workload v2 (seed %d, %,d cards) in %.2f s (%,.0f/s): %,d transactions and " +
                "captures into %s, %,d profiles into the compacted %s%n", events, seed, cards, seconds, events / seconds, split[0], topic, split[1],
                profilesTopic);
            System.out.println("the outputs depend on how a reader interleaves the two topics (the profile table is as of arrival): " +
                "./ringside demo --workload v2 prints its checksums, and ./ringside replay DIR recomputes them from its journal");
            return;
        }
        produce(bootstrap, topic, partitions, seed, events, cards, rate, endMarkers);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        System.out.printf(Locale.ROOT, "produced %,d events (seed %d, %,d cards) into %s in %.2f s (%,.0f/s)%n",
            events, seed, cards, topic, seconds, events / seconds);
        if (!noExpected)
        {
            System.out.println("expected from an engine reading " + topic + " (" + partitions + " partition(s)):");
            SeveralSourcesReference.expected(seed, events, cards, partitions).print(System.out);
        }
    }

    /**
     * @return the default name of workload v2's profile topic for transactions in {@code topic}.
     */
    public static String profilesTopicOf(final String topic)
    {
        return topic + "-profiles";
    }

    /**
     * Workload v2: creates {@code topic} and the compacted {@code profilesTopic} with {@code partitions} partitions each if
     * missing, writes PROFILE events into the second and the others into the first, in generator order, keyed by card;
     * returns once every record is acknowledged.
     *
     * @return {records into topic, records into profilesTopic}.
     */
    public static long[] produceV2(final String bootstrap, final String topic, final String profilesTopic, final int partitions,
        final long seed, final long events, final long cards) throws Exception
    {
        createTopic(bootstrap, topic, partitions, java.util.Map.of());
        createTopic(bootstrap, profilesTopic, partitions, java.util.Map.of("cleanup.policy", "compact"));
        final long[] split = new long[2];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap), new ByteArraySerializer(),
            new ByteArraySerializer()))
        {
            final WorkloadGeneratorV2 generator = new WorkloadGeneratorV2(seed, events, cards);
            final byte[] value = new byte[FraudEvent.LENGTH];
            final UnsafeBuffer event = new UnsafeBuffer(value);
            while (generator.next(event, 0))
            {
                final byte[] key = new byte[8];
                KafkaKeys.putLong(key, FraudEvent.cardId(event, 0));
                final boolean profile = FraudV2Event.type(event, 0) == FraudV2Event.PROFILE;
                producer.send(new ProducerRecord<>(profile ? profilesTopic : topic, key, value.clone()));
                split[profile ? 1 : 0]++;
            }
            producer.flush();
        }
        return split;
    }

    private static void createTopic(final String bootstrap, final String topic, final int partitions, final java.util.Map<String, String> configs)
        throws Exception
    {
        try
        {
            LocalKafkaBroker.createTopic(bootstrap, topic, partitions, configs);
        }
        catch (final TimeoutException ex)
        {
            final TimeoutException named = new TimeoutException("no answer from the brokers " + bootstrap + " about topic " + topic + " within 30 s");
            named.initCause(ex);
            throw named;
        }
    }

    private static Properties producerProperties(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return props;
    }

    /**
     * Creates the topic if missing and writes the workload into it; returns once every record is acknowledged.
     */
    public static void produce(final String bootstrap, final String topic, final int partitions, final long seed, final long events,
        final long cards) throws Exception
    {
        produce(bootstrap, topic, partitions, seed, events, cards, 0, false);
    }

    /**
     * As {@link #produce(String, String, int, long, long, long)}, paced, and with an end-of-input record per partition.
     *
     * @param rate       events per second, about (0: as fast as the broker takes them).
     * @param endMarkers then write a record with the header {@link KafkaGroupIngress#END_OF_INPUT_HEADER} (empty key and
     *                   value) into each partition.
     */
    public static void produce(final String bootstrap, final String topic, final int partitions, final long seed, final long events,
        final long cards, final long rate, final boolean endMarkers) throws Exception
    {
        produce(bootstrap, topic, partitions, seed, events, cards, 0, rate, endMarkers);
    }

    /**
     * As {@link #produce(String, String, int, long, long, long, long, boolean)}, the first {@code history} events as fast
     * as the broker takes them (a partition with a past), the rest paced.
     */
    public static void produce(final String bootstrap, final String topic, final int partitions, final long seed, final long events,
        final long cards, final long history, final long rate, final boolean endMarkers) throws Exception
    {
        createTopic(bootstrap, topic, partitions, java.util.Map.of());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap), new ByteArraySerializer(),
            new ByteArraySerializer()))
        {
            final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
            final byte[] value = new byte[FraudEvent.LENGTH];
            final UnsafeBuffer event = new UnsafeBuffer(value);
            long startNs = System.nanoTime();
            long paced = -history;
            while (generator.next(event, 0))
            {
                final byte[] key = new byte[8];
                KafkaKeys.putLong(key, FraudEvent.cardId(event, 0));
                producer.send(new ProducerRecord<>(topic, key, value.clone()));
                if (++paced == 0)
                {
                    startNs = System.nanoTime();
                }
                if (rate > 0 && paced > 0 && paced % 1_000 == 0)
                {
                    final long dueNs = startNs + paced * 1_000_000_000L / rate;
                    while (System.nanoTime() < dueNs)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(dueNs - System.nanoTime());
                    }
                }
            }
            if (endMarkers)
            {
                final int count = producer.partitionsFor(topic).size();
                for (int p = 0; p < count; p++)
                {
                    final ProducerRecord<byte[], byte[]> marker = new ProducerRecord<>(topic, p, null, new byte[0]);
                    marker.headers().add(KafkaGroupIngress.END_OF_INPUT_HEADER, new byte[0]);
                    producer.send(marker);
                }
            }
            producer.flush();
        }
    }
}
