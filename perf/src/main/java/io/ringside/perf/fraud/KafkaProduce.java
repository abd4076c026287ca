package io.ringside.perf.fraud;

import java.util.Locale;
import java.util.Properties;

import io.ringside.ingest.LocalKafkaBroker;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./ringside produce --kafka B --topic T --partitions P [--events N] [--seed S] [--cards K] [--no-expected]}:
 * creates T with P partitions if it is missing, writes the workload into it in generator order (key: the card id,
 * 8 bytes big-endian; value: the 48-byte event; Kafka's default partitioner), then prints the checksum lines an engine
 * reading the topic must give ({@link SeveralSourcesReference}). Main thread.
 */
public final class KafkaProduce
{
    static final String USAGE = "usage: ringside produce --kafka BOOTSTRAP --topic T --partitions P [--events N] [--seed S] [--cards K] [--no-expected]";

    private KafkaProduce()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        String bootstrap = null;
        String topic = null;
        int partitions = 0;
        long events = WorkloadSize.SMOKE.events();
        long cards = -1;
        long seed = 42;
        boolean expected = true;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                if (args[i].equals("--no-expected"))
                {
                    expected = false;
                    continue;
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                final String value = args[++i];
                switch (args[i - 1])
                {
                    case "--kafka" -> bootstrap = value;
                    case "--topic" -> topic = value;
                    case "--partitions" -> partitions = Integer.parseInt(value);
                    case "--events" -> events = Long.parseLong(value.replace("_", ""));
                    case "--cards" -> cards = Long.parseLong(value.replace("_", ""));
                    case "--seed" -> seed = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown flag '" + args[i - 1] + "'");
                }
            }
            if (bootstrap == null || topic == null || partitions < 1)
            {
                throw new IllegalArgumentException("--kafka, --topic and --partitions are required");
            }
            if (events < 1 || (cards != -1 && cards < WorkloadGenerator.MIN_CARDS))
            {
                throw new IllegalArgumentException(events < 1 ? "--events must be at least 1, was " + events :
                    "--cards must be at least " + WorkloadGenerator.MIN_CARDS + ", was " + cards);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ringside produce: " + ex.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (cards < 0)
        {
            cards = events <= WorkloadSize.SMOKE.events() ? WorkloadSize.SMOKE.cards() : WorkloadSize.STANDARD.cards();
        }
        final long startNs = System.nanoTime();
        produce(bootstrap, topic, partitions, seed, events, cards);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        System.out.printf(Locale.ROOT, "produced %,d events (seed %d, %,d cards) into %s in %.2f s (%,.0f/s)%n",
            events, seed, cards, topic, seconds, events / seconds);
        if (expected)
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
        LocalKafkaBroker.createTopic(bootstrap, topic, partitions);
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
