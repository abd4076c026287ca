package io.ringside.ingest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./ringside consume --kafka B --topic T --output FILE [--idle-ms MS]}: writes every record value of a topic
 * (read_committed), one per line, partition by partition in offset order, to a file: for a {@link KafkaSink}'s topic,
 * the file sink's lines. Stops at the end offsets captured at start, or after MS (default 10,000) with nothing new.
 */
public final class KafkaTopicDump
{
    private static final String USAGE = "usage: ringside consume --kafka BOOTSTRAP --topic T --output FILE [--idle-ms MS]";

    private KafkaTopicDump()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        String bootstrap = null;
        String topic = null;
        Path output = null;
        long idleMs = 10_000;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--kafka" -> bootstrap = args[i + 1];
                case "--topic" -> topic = args[i + 1];
                case "--output" -> output = Path.of(args[i + 1]);
                case "--idle-ms" -> idleMs = Long.parseLong(args[i + 1]);
                default ->
                {
                    System.err.println("ringside consume: unknown flag " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null || topic == null || output == null || args.length % 2 != 0)
        {
            System.err.println(USAGE);
            System.exit(2);
        }
        final long records = dump(bootstrap, topic, output, idleMs);
        System.out.println(records + " records from " + topic + " written to " + output);
    }

    /**
     * @return the number of records written.
     */
    public static long dump(final String bootstrap, final String topic, final Path output, final long idleMs) throws IOException
    {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16))
        {
            final IOException[] failure = {null};
            final long count = read(bootstrap, topic, idleMs, record ->
            {
                try
                {
                    out.write(record.value());
                    out.write('\n');
                }
                catch (final IOException ex)
                {
                    failure[0] = failure[0] == null ? ex : failure[0];
                }
            });
            if (failure[0] != null)
            {
                throw failure[0];
            }
            return count;
        }
    }

    /**
     * Hands every record with a value (read_committed), partition by partition in offset order, to {@code each}, up to
     * the end offsets captured at start, or until nothing new came for {@code idleMs}.
     *
     * @return the number of records handed.
     */
    public static long read(final String bootstrap, final String topic, final long idleMs,
        final Consumer<ConsumerRecord<byte[], byte[]>> each)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30)))
            {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long lastProgressMs = System.currentTimeMillis();
            while (!atEnd(consumer, partitions, end) && System.currentTimeMillis() - lastProgressMs < idleMs)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    if (record.value() != null)
                    {
                        each.accept(record);
                        count++;
                    }
                    lastProgressMs = System.currentTimeMillis();
                }
            }
        }
        return count;
    }

    private static boolean atEnd(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions, final Map<TopicPartition, Long> end)
    {
        for (final TopicPartition tp : partitions)
        {
            if (consumer.position(tp) < end.get(tp))
            {
                return false;
            }
        }
        return true;
    }
}
