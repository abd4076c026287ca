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
 * Copies a topic to a file, as {@code ./ringside consume} does: every record value (read_committed), one per line,
 * partition by partition in offset order; for a {@link KafkaSink}'s topic, the file sink's lines. Stops at the end
 * offsets captured at start, or once nothing new came for a while.
 */
public final class KafkaTopicDump
{
    private KafkaTopicDump()
    {
    }

    /**
     * Writes every record value of {@code topic}, one per line, to {@code output} (created or truncated), up to the end
     * offsets captured at start, or until nothing new came for {@code idleMs}.
     *
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
