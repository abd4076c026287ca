package io.ringside.ingest;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import io.ringside.engine.sink.FileSink;
import io.ringside.engine.Output;
import io.ringside.engine.OutputSink;
import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The outputs of one input partition's engine, sent to a Kafka topic exactly once across the partition's owners
 * (the classic one-producer-per-input-partition transactions):
 * <ul>
 * <li><b>Ids.</b> Each record carries in the header {@value #ID_HEADER} the output's id from the partition's own offsets:
 * input partition (int32), source offset of its cause (int64), ordinal (int32), big-endian (16 bytes); any owner
 * computes the same id for the same output ({@link PartitionOutputIds}). Key, partition and value as
 * {@link KafkaSink}'s.</li>
 * <li><b>Fencing.</b> The producer's transactional.id is {@link #transactionalId}(group, topic, partition): the new
 * owner's {@link #open()} (initTransactions) aborts what the old owner left open and fences it; its later sends and
 * commits fail, and this sink then drops its outputs (the new owner makes them).</li>
 * <li><b>Atomic progress.</b> At each {@link #flush()} (the end of an egress batch) the outputs sent since the last one
 * are committed in one transaction with the input partition's consumer offset of group {@code groupId}, whose
 * metadata names the last output id delivered ({@link Delivered#format}). A new owner reads it back
 * ({@link #delivered(Delivered)}) and drops every output at or below it while it rebuilds the partition's state.</li>
 * <li><b>End of input.</b> {@link #endOfInput(long)} before the engine's close: the close commits the offset with the
 * end mark, and later owners have nothing to do for the partition.</li>
 * </ul>
 * A failed commit (other than fencing) fails the sink for good: the engine keeps offering the output and the owner
 * must rebuild the partition (outputs of an aborted transaction are not resent by the engine).
 * <b>Threads:</b> {@link #open()} and {@link #delivered} on the owner's thread before the engine starts; then the engine's
 * egress thread.
 */
public final class KafkaPartitionSink implements OutputSink
{
    public static final String ID_HEADER = "ringside.partition.id";
    private static final int ID_LENGTH = 16;

    /**
     * What the partition's owners delivered so far, as committed with the group's offset.
     *
     * @param offset  source offset of the last output's cause, -1 if none.
     * @param ordinal that output's ordinal, -1 if none.
     * @param ended   the end of input's outputs were delivered: nothing is left to do.
     */
    public record Delivered(long offset, int ordinal, boolean ended)
    {
        public static final Delivered NOTHING = new Delivered(-1, -1, false);

        /**
         * @return what an offset's metadata says (NOTHING for none or foreign metadata).
         */
        public static Delivered parse(final OffsetAndMetadata committed)
        {
            if (committed == null || committed.metadata() == null || !committed.metadata().startsWith("ringside:"))
            {
                return NOTHING;
            }
            final String[] parts = committed.metadata().substring("ringside:".length()).split(":");
            return new Delivered(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), parts.length > 2 && "end".equals(parts[2]));
        }

        public String format()
        {
            return "ringside:" + offset + ":" + ordinal + (ended ? ":end" : "");
        }

        /**
         * @return whether the output (offset, ordinal) is at or below this one.
         */
        public boolean covers(final long causeOffset, final int causeOrdinal)
        {
            return causeOffset < offset || (causeOffset == offset && causeOrdinal <= ordinal);
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final String groupId;
    private final TopicPartition input;
    private final FileSink.OutputFormatter formatter;
    private final Properties producerOverrides = new Properties();
    private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
    private final byte[] keyBytes = new byte[8];
    private final PartitionOutputIds.Unwrapped unwrapped = new PartitionOutputIds.Unwrapped();
    private KafkaProducer<byte[], byte[]> producer;
    private int partitions;
    private Delivered delivered = Delivered.NOTHING;
    private volatile Delivered committed = Delivered.NOTHING;
    private boolean inTransaction;
    private long lastOffset = -1;
    private int lastOrdinal = -1;
    private volatile long endOffset = -1;
    private volatile boolean fenced;
    private volatile Throwable failure;
    private volatile long sent;
    private volatile long suppressed;
    private volatile long committedTransactions;
    private volatile long lastSentOffset = -1;

    /**
     * @param topic     the output topic.
     * @param groupId   the consumer group whose offset of {@code input} is committed with the outputs.
     * @param input     the input partition whose outputs this sink sends.
     * @param formatter formats each output (as the file sink would).
     */
    public KafkaPartitionSink(final String bootstrapServers, final String topic, final String groupId, final TopicPartition input,
        final FileSink.OutputFormatter formatter)
    {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.groupId = groupId;
        this.input = input;
        this.formatter = formatter;
    }

    /**
     * @return the transactional.id of the owner of (group, input topic, partition): the same for every owner.
     */
    public static String transactionalId(final String groupId, final String inputTopic, final int partition)
    {
        return "ringside-" + groupId + "-" + inputTopic + "-" + partition;
    }

    /**
     * @return this, with a producer setting that wins over the defaults.
     */
    public KafkaPartitionSink producerProperty(final String name, final Object value)
    {
        producerOverrides.put(name, value);
        return this;
    }

    /**
     * Creates the transactional producer and initializes its transactions: waits for the previous owner's open
     * transaction to be aborted and fences that owner. Read the group's committed offset of the partition only after.
     *
     * @return this.
     */
    public KafkaPartitionSink open()
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(groupId, input.topic(), input.partition()));
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "ringside-sink-" + input);
        props.putAll(producerOverrides);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        partitions = producer.partitionsFor(topic).size();
        producer.initTransactions();
        return this;
    }

    /**
     * Sets what earlier owners delivered (from the group's committed offset of the partition, read after {@link #open()}):
     * outputs at or below it are dropped.
     */
    public void delivered(final Delivered delivered)
    {
        this.delivered = delivered;
        this.committed = delivered;
        this.lastOffset = delivered.offset();
        this.lastOrdinal = delivered.ordinal();
    }

    /**
     * The partition's input ends at {@code endOffset} (exclusive) and the engine was told: the close that follows
     * commits the end mark. Call before the engine's close.
     */
    public void endOfInput(final long endOffset)
    {
        this.endOffset = endOffset;
    }

    @Override
    public void onOutput(final Output output) throws Exception
    {
        checkFailure();
        final PartitionOutputIds.Unwrapped out = unwrapped.wrap(output);
        final long cause = out.sourceOffset();
        final int ordinal = out.ordinal();
        if (fenced)
        {
            return;   // a new owner took the partition over: it makes this output
        }
        if (delivered.covers(cause, ordinal))
        {
            suppressed++;
            return;
        }
        final long key = out.key();
        for (int i = 0; i < 8; i++)
        {
            keyBytes[i] = (byte)(key >>> (56 - 8 * i));
        }
        final int partition = BuiltInPartitioner.partitionForKey(keyBytes, partitions);
        final int length = formatter.format(out, line, 0);
        final byte[] value = new byte[length];
        line.getBytes(0, value);
        final byte[] id = new byte[ID_LENGTH];
        ByteBuffer.wrap(id).putInt(0, input.partition()).putLong(4, cause).putInt(12, ordinal);
        final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null, keyBytes.clone(), value);
        record.headers().add(ID_HEADER, id);
        try
        {
            if (!inTransaction)
            {
                producer.beginTransaction();
                inTransaction = true;
            }
            producer.send(record, (metadata, error) ->
            {
                if (error != null)
                {
                    remember(error);
                }
            });
        }
        catch (final KafkaException ex)
        {
            onError(ex);
            return;
        }
        lastOffset = cause;
        lastOrdinal = ordinal;
        lastSentOffset = cause;
        sent++;
    }

    /**
     * Commits the open transaction: the outputs sent since the last one and the partition's offset with the last id.
     */
    @Override
    public void flush() throws Exception
    {
        checkFailure();
        if (inTransaction && !fenced)
        {
            commit(false);
        }
    }

    // ConsumerGroupMetadata(groupId): the classic transactions' fencing by transactional.id, without the generation check of
    // KIP-447, which a cooperative rebalance of the other partitions would fail while this one stays (deprecated since 3.x)
    @SuppressWarnings("removal")
    private void commit(final boolean end)
    {
        try
        {
            if (!inTransaction)
            {
                producer.beginTransaction();
                inTransaction = true;
            }
            final Delivered now = new Delivered(lastOffset, lastOrdinal, end);
            final long next = end ? endOffset : Math.max(0, lastOffset);
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(next, now.format())), new ConsumerGroupMetadata(groupId));
            producer.commitTransaction();
            inTransaction = false;
            committed = now;
            committedTransactions++;
        }
        catch (final KafkaException ex)
        {
            onError(ex);
            return;
        }
    }

    /**
     * Fenced: this owner is a zombie, it stops sending (quietly: the new owner makes its outputs). Anything else fails
     * the sink (rethrown).
     */
    private void onError(final KafkaException error)
    {
        if (!remember(error))
        {
            throw error;
        }
    }

    /**
     * @return true if the error is a fencing one (remembered as fenced), false if it is remembered as the failure.
     */
    private boolean remember(final Throwable error)
    {
        if (isFencing(error))
        {
            fenced = true;
            return true;
        }
        if (failure == null && !fenced)
        {
            failure = error;
        }
        return false;
    }

    /**
     * @return whether the error says a newer producer of the same transactional.id took over (this one is a zombie).
     */
    private static boolean isFencing(final Throwable error)
    {
        for (Throwable e = error; e != null; e = e.getCause())
        {
            if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException)
            {
                return true;
            }
        }
        return false;
    }

    private void checkFailure()
    {
        final Throwable error = failure;
        if (error != null)
        {
            throw new IllegalStateException("a transaction of the outputs of " + input + " failed: the partition must be rebuilt " +
                "(its owner drops it and takes it again)", error);
        }
    }

    /**
     * Commits what is open (a clean hand-over: the outputs delivered are a prefix of the partition's, in order, whether or
     * not the engine drained) and closes the producer; after {@link #endOfInput} the producer stays open for
     * {@link #commitEnd()} or {@link #abandon()}: only the owner knows whether the engine drained, and the end mark must
     * not be committed unless it did (the end of input's own outputs would be lost).
     */
    @Override
    public void close() throws Exception
    {
        if (producer == null)
        {
            return;
        }
        try
        {
            if (!fenced && failure == null && inTransaction)
            {
                commit(false);
            }
        }
        finally
        {
            if (endOffset < 0)
            {
                producer.close(Duration.ofSeconds(10));
                producer = null;
            }
        }
    }

    /**
     * The engine drained after {@link #endOfInput}: commits the end mark (later owners skip the partition) and closes the
     * producer.
     *
     * @return false if it could not (fenced or failed): the partition is not ended for the group.
     */
    public boolean commitEnd()
    {
        try
        {
            if (!fenced && failure == null)
            {
                commit(true);
            }
            return !fenced && failure == null;
        }
        catch (final KafkaException ex)
        {
            return false;
        }
        finally
        {
            abandon();
        }
    }

    /**
     * Closes the producer without committing what is open (its outputs are aborted; the next owner makes them again).
     */
    public void abandon()
    {
        if (producer != null)
        {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    /**
     * @return the first failure, or null (any thread).
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * @return true once a new owner fenced this one.
     */
    public boolean fenced()
    {
        return fenced;
    }

    /**
     * @return outputs sent (any thread, approximate).
     */
    public long sent()
    {
        return sent;
    }

    /**
     * @return outputs dropped because an earlier owner delivered them (any thread, approximate).
     */
    public long suppressed()
    {
        return suppressed;
    }

    /**
     * @return the source offset of the last output sent by this owner, -1 before the first (any thread).
     */
    public long lastSentOffset()
    {
        return lastSentOffset;
    }

    public long committedTransactions()
    {
        return committedTransactions;
    }

    /**
     * @return what the group's offset says was delivered as of this sink's last committed transaction (what earlier owners
     * delivered before the first): every output up to it is in the output topic (any thread).
     */
    public Delivered committed()
    {
        return committed;
    }

    /**
     * @return what earlier owners delivered, as read at the start.
     */
    public Delivered delivered()
    {
        return delivered;
    }

    /**
     * @return an id header's value as partition:offset:ordinal.
     */
    public static String idText(final byte[] id)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(id);
        return buffer.getInt(0) + ":" + buffer.getLong(4) + ":" + buffer.getInt(12);
    }
}
