package io.ringside.ingest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import io.ringside.engine.sink.FileSink;
import io.ringside.engine.Output;
import io.ringside.engine.OutputSink;
import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends outputs to a Kafka topic exactly once, without transactions:
 * <ul>
 * <li>Each record carries its output id in the header {@value #ID_HEADER}: journal position (int64), shard (int32),
 * ordinal (int32), then the engine's journal id (int64), big-endian (24 bytes). Key: the output's key, 8 bytes big-endian; partition: Kafka's default partitioner of
 * that key; value: the output formatted as a line of the {@link FileSink} (by the same formatter), without the line end.</li>
 * <li>The producer is idempotent with acks=all: within a partition, this sink's records land in the order sent,
 * once each, retries included. A shard's ids increase, so in each partition the last record of a shard is its
 * highest id there.</li>
 * <li>At {@link #onStart(long)} (called by the engine's start, before recovery replays any output), the sink reads
 * each partition back from its end until it has seen the last record of every shard (or the start, or a record of
 * another journal: an earlier engine's, whose outputs all precede this journal's), and remembers, per (partition,
 * shard), the highest id of this journal delivered. An output whose id is at or below
 * that of its own partition and shard is a replay (the engine re-emits outputs after a restart) and is dropped.
 * Tracking per partition, not per shard alone, matters: after a crash one partition may hold a shard's later outputs
 * while another lost its earlier, unacknowledged ones.</li>
 * <li>A send that fails for good (after the producer's retries) leaves a hole that must not be skipped: the sink
 * then fails every further call, the engine keeps offering the output, and a restart of the sink (reading the tail
 * back) resends from the hole.</li>
 * </ul>
 * Limits: an old process's request still queued in the broker when the new sink reads the tail back could land
 * after it (a window of milliseconds that transactions with a fixed transactional.id would close by fencing).
 * <b>Thread:</b> {@link #onStart} on the engine's starting thread, then the engine's egress thread (every other
 * {@link OutputSink} call); {@link #open()} on any thread before the engine starts.
 */
public final class KafkaSink implements OutputSink
{
    public static final String ID_HEADER = "ringside.id";
    private static final int READ_BACK_CHUNK = 1_024;
    private static final int ID_LENGTH = 24;

    private final String bootstrapServers;
    private final String topic;
    private final int shardCount;
    private final FileSink.OutputFormatter formatter;
    private final Properties producerOverrides = new Properties();
    private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
    private final byte[] keyBytes = new byte[8];
    private KafkaProducer<byte[], byte[]> producer;
    private int partitions;
    /** [partition][shard]: the highest delivered id found on open, or -1 / -1. */
    private long[][] lastPosition;
    private int[][] lastOrdinal;
    private long journalId;
    private boolean started;
    private long sent;
    private long dropped;
    private volatile Throwable failure;

    /**
     * @param shardCount the engine's shard count.
     * @param formatter  formats each output (as the file sink would), e.g. {@link FileSink#DEFAULT_FORMAT}.
     */
    public KafkaSink(final String bootstrapServers, final String topic, final int shardCount, final FileSink.OutputFormatter formatter)
    {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.shardCount = shardCount;
        this.formatter = formatter;
    }

    /**
     * @return this, with a producer setting that wins over the defaults (linger.ms, batch.size, ...).
     */
    public KafkaSink producerProperty(final String name, final Object value)
    {
        producerOverrides.put(name, value);
        return this;
    }

    /**
     * Connects the producer and learns the topic's partition count (optional: {@link #onStart} does it if not done),
     * to fail before the engine starts if the broker or topic is missing.
     *
     * @return this.
     */
    public KafkaSink open()
    {
        if (producer != null)
        {
            return this;
        }
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "ringside-sink-" + topic);
        props.putAll(producerOverrides);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        partitions = producer.partitionsFor(topic).size();
        lastPosition = new long[partitions][shardCount];
        lastOrdinal = new int[partitions][shardCount];
        for (int p = 0; p < partitions; p++)
        {
            Arrays.fill(lastPosition[p], -1);
            Arrays.fill(lastOrdinal[p], -1);
        }
        return this;
    }

    /**
     * Reads back the topic's tail to learn the last output of this journal delivered per partition and shard: every
     * output the engine offers at or below it is dropped. Called by the engine's start, before recovery replays
     * outputs; once per sink.
     */
    @Override
    public void onStart(final long journalId)
    {
        if (started)
        {
            throw new IllegalStateException("a KafkaSink starts once: build a new one for a new engine");
        }
        started = true;
        this.journalId = journalId;
        open();
        readBack();
    }

    private void readBack()
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            for (int p = 0; p < partitions; p++)
            {
                final TopicPartition tp = new TopicPartition(topic, p);
                consumer.assign(List.of(tp));
                final long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
                final long end = consumer.endOffsets(List.of(tp)).get(tp);
                long to = end;
                int chunk = READ_BACK_CHUNK;
                boolean foreign = false;
                while (to > begin && !allShardsFound(p) && !foreign)
                {
                    final long from = Math.max(begin, to - chunk);
                    consumer.seek(tp, from);
                    while (consumer.position(tp) < to)
                    {
                        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                        {
                            if (record.offset() < to && !remember(p, record.headers().lastHeader(ID_HEADER)))
                            {
                                foreign = true;
                            }
                        }
                    }
                    to = from;
                    chunk = (int)Math.min(1 << 20, chunk * 2L);
                }
            }
        }
    }

    private boolean allShardsFound(final int partition)
    {
        for (int s = 0; s < shardCount; s++)
        {
            if (lastPosition[partition][s] < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return false if the record is not one of this journal's (written by an earlier engine, or by something else).
     */
    private boolean remember(final int partition, final Header header)
    {
        if (header == null || header.value().length != ID_LENGTH)
        {
            return false;
        }
        final java.nio.ByteBuffer id = java.nio.ByteBuffer.wrap(header.value());
        if (id.getLong(16) != journalId)
        {
            return false;
        }
        final long position = id.getLong(0);
        final int shard = id.getInt(8);
        final int ordinal = id.getInt(12);
        if (shard >= 0 && shard < shardCount && isAfter(position, ordinal, lastPosition[partition][shard], lastOrdinal[partition][shard]))
        {
            lastPosition[partition][shard] = position;
            lastOrdinal[partition][shard] = ordinal;
        }
        return true;
    }

    private static boolean isAfter(final long position, final int ordinal, final long lastPosition, final int lastOrdinal)
    {
        return position > lastPosition || (position == lastPosition && ordinal > lastOrdinal);
    }

    @Override
    public void onOutput(final Output output) throws Exception
    {
        checkFailure();
        if (!started)
        {
            throw new IllegalStateException("onStart was not called: add the sink to the EngineContext");
        }
        final long key = output.key();
        for (int i = 0; i < 8; i++)
        {
            keyBytes[i] = (byte)(key >>> (56 - 8 * i));
        }
        final int partition = BuiltInPartitioner.partitionForKey(keyBytes, partitions);
        final int shard = output.shard();
        if (lastPosition[partition][shard] >= 0)
        {
            if (!isAfter(output.position(), output.ordinal(), lastPosition[partition][shard], lastOrdinal[partition][shard]))
            {
                dropped++;
                return;
            }
            lastPosition[partition][shard] = -1;   // past the replayed prefix: ids only increase from here
        }
        final int length = formatter.format(output, line, 0);
        final byte[] value = new byte[length];
        line.getBytes(0, value);
        final byte[] id = new byte[ID_LENGTH];
        final java.nio.ByteBuffer idBuffer = java.nio.ByteBuffer.wrap(id);
        idBuffer.putLong(0, output.position()).putInt(8, shard).putInt(12, output.ordinal()).putLong(16, journalId);
        final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null, keyBytes.clone(), value);
        record.headers().add(ID_HEADER, id);
        producer.send(record, (metadata, error) ->
        {
            if (error != null && failure == null)
            {
                failure = error;
            }
        });
        sent++;
    }

    private void checkFailure() throws Exception
    {
        final Throwable error = failure;
        if (error != null)
        {
            throw new IllegalStateException("a send to " + topic + " failed: this sink stops here, restart it to resend from the hole", error);
        }
    }

    @Override
    public void flush() throws Exception
    {
        checkFailure();
    }

    /**
     * Waits until every output sent is acknowledged, then closes the producer.
     */
    @Override
    public void close() throws Exception
    {
        if (producer != null)
        {
            producer.flush();
            producer.close(Duration.ofSeconds(10));
            checkFailure();
        }
    }

    /**
     * @return outputs sent so far (egress thread).
     */
    public long sent()
    {
        return sent;
    }

    /**
     * @return replayed outputs dropped because the topic already held them (egress thread).
     */
    public long dropped()
    {
        return dropped;
    }
}
