package io.ringside.ingest;

import java.util.Map;
import java.util.Properties;

/**
 * The configuration of one {@link KafkaIngress}: the broker, the topic and which of its partitions this ingress
 * owns, the engine source id its events carry, the decoder, and the dead-letter topic. Validated once by
 * {@link #conclude()}. Not thread-safe: configure, then hand to one ingress.
 */
public final class KafkaIngressContext
{
    private String bootstrapServers;
    private String topic;
    private int sourceId = 1;
    private int[] partitions;
    private RecordDecoder decoder;
    private String deadLetterTopic;
    private String groupId;
    private boolean stopAtEndOffsets;
    private boolean endOfInputAtEnd;
    private long pollTimeoutMs = 100;
    private long commitIntervalMs = 1_000;
    private int resumeFreeSlots = -1;
    private final Properties consumerProperties = new Properties();
    private boolean concluded;

    /** @param bootstrapServers host:port[,host:port]. */
    public KafkaIngressContext bootstrapServers(final String bootstrapServers)
    {
        this.bootstrapServers = bootstrapServers;
        return this;
    }

    public String bootstrapServers()
    {
        return bootstrapServers;
    }

    public KafkaIngressContext topic(final String topic)
    {
        this.topic = topic;
        return this;
    }

    public String topic()
    {
        return topic;
    }

    /** @param sourceId the engine source id of this topic's events (default 1): one per topic. */
    public KafkaIngressContext sourceId(final int sourceId)
    {
        this.sourceId = sourceId;
        return this;
    }

    public int sourceId()
    {
        return sourceId;
    }

    /** @param partitions the partitions this ingress owns (assign); default all of the topic's. */
    public KafkaIngressContext partitions(final int... partitions)
    {
        this.partitions = partitions.clone();
        return this;
    }

    public int[] partitions()
    {
        return partitions;
    }

    public KafkaIngressContext decoder(final RecordDecoder decoder)
    {
        this.decoder = decoder;
        return this;
    }

    public RecordDecoder decoder()
    {
        return decoder;
    }

    /** @param topic where records that fail to decode go (default {@code <topic>.dlq}). */
    public KafkaIngressContext deadLetterTopic(final String topic)
    {
        this.deadLetterTopic = topic;
        return this;
    }

    public String deadLetterTopic()
    {
        return deadLetterTopic;
    }

    /** @param groupId the group whose committed offsets lag tools read (default {@code ringside-<topic>}); no membership. */
    public KafkaIngressContext groupId(final String groupId)
    {
        this.groupId = groupId;
        return this;
    }

    public String groupId()
    {
        return groupId;
    }

    /**
     * @param stop read only up to the end offsets the partitions had when the ingress started (a bounded input).
     * @return this.
     */
    public KafkaIngressContext stopAtEndOffsets(final boolean stop)
    {
        this.stopAtEndOffsets = stop;
        return this;
    }

    public boolean stopAtEndOffsets()
    {
        return stopAtEndOffsets;
    }

    /**
     * @param end with {@link #stopAtEndOffsets}, publish the engine's end of input once every owned partition is read
     *            (only for an ingress that is the engine's only input).
     * @return this.
     */
    public KafkaIngressContext endOfInputAtEnd(final boolean end)
    {
        this.endOfInputAtEnd = end;
        return this;
    }

    public boolean endOfInputAtEnd()
    {
        return endOfInputAtEnd;
    }

    /** @param ms the longest a poll blocks while the ring has room (default 100). */
    public KafkaIngressContext pollTimeoutMs(final long ms)
    {
        this.pollTimeoutMs = ms;
        return this;
    }

    public long pollTimeoutMs()
    {
        return pollTimeoutMs;
    }

    /** @param ms how often journaled offsets are committed to Kafka, for lag tools (default 1000). */
    public KafkaIngressContext commitIntervalMs(final long ms)
    {
        this.commitIntervalMs = ms;
        return this;
    }

    public long commitIntervalMs()
    {
        return commitIntervalMs;
    }

    /** @param slots free ring slots needed to resume paused partitions (default a quarter of the ring). */
    public KafkaIngressContext resumeFreeSlots(final int slots)
    {
        this.resumeFreeSlots = slots;
        return this;
    }

    public int resumeFreeSlots()
    {
        return resumeFreeSlots;
    }

    /**
     * @param name  a kafka-clients consumer setting (fetch.min.bytes, max.poll.records, ...); wins over the defaults.
     * @param value its value.
     * @return this.
     */
    public KafkaIngressContext consumerProperty(final String name, final Object value)
    {
        consumerProperties.put(name, value);
        return this;
    }

    public Map<Object, Object> consumerProperties()
    {
        return consumerProperties;
    }

    /**
     * @return this, validated, with defaults filled in.
     * @throws IllegalArgumentException naming what is missing or wrong.
     */
    public KafkaIngressContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrap servers are not set");
        require(topic != null && !topic.isBlank(), "topic is not set");
        require(decoder != null, "no record decoder: e.g. RecordDecoder.fixedLength(48)");
        require(sourceId >= 0, "source id must not be negative, was " + sourceId);
        require(pollTimeoutMs >= 1 && commitIntervalMs >= 1, "poll timeout and commit interval must be at least 1 ms");
        require(!endOfInputAtEnd || stopAtEndOffsets, "endOfInputAtEnd needs stopAtEndOffsets");
        if (deadLetterTopic == null)
        {
            deadLetterTopic = topic + ".dlq";
        }
        if (groupId == null)
        {
            groupId = "ringside-" + topic;
        }
        concluded = true;
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
