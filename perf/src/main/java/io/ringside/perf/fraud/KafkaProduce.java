package io.ringside.perf.fraud;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

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
 * reading the topic must give ({@link SeveralSourcesReference}). Main thread.
 */
@Command(name = "produce", description = {"Creates topic T with P partitions if it is missing, writes the fraud-velocity workload into it " +
    "in generator order (key: the card id, 8 bytes big-endian; value: the 48-byte event), then prints the checksum lines an engine " +
    "reading the topic must give."})
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
        if (cards < 0)
        {
            cards = events <= WorkloadSize.SMOKE.events() ? WorkloadSize.SMOKE.cards() : WorkloadSize.STANDARD.cards();
        }
    }

    @Override
    protected void run() throws Exception
    {
        final long startNs = System.nanoTime();
        produce(bootstrap, topic, partitions, seed, events, cards);
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
     * Creates the topic if missing and writes the workload into it; returns once every record is acknowledged.
     */
    public static void produce(final String bootstrap, final String topic, final int partitions, final long seed, final long events,
        final long cards) throws Exception
    {
        try
        {
            LocalKafkaBroker.createTopic(bootstrap, topic, partitions);
        }
        catch (final TimeoutException ex)
        {
            final TimeoutException named = new TimeoutException("no answer from the brokers " + bootstrap + " about topic " + topic + " within 30 s");
            named.initCause(ex);
            throw named;
        }
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
            final byte[] value = new byte[FraudEvent.LENGTH];
            final UnsafeBuffer event = new UnsafeBuffer(value);
            while (generator.next(event, 0))
            {
                final byte[] key = new byte[8];
                KafkaKeys.putLong(key, FraudEvent.cardId(event, 0));
                producer.send(new ProducerRecord<>(topic, key, value.clone()));
            }
            producer.flush();
        }
    }
}
