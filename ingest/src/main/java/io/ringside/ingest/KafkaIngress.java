package io.ringside.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

import io.ringside.engine.Engine;
import io.ringside.engine.EventPublisher;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads a set of a topic's partitions (assign, no group membership) and publishes their records into an engine.
 * <ul>
 * <li><b>Resume.</b> Each partition starts at {@link Engine#journaledOffset} + 1: the journal, not Kafka, says where.</li>
 * <li><b>Hot path.</b> Each record is checked by the {@link RecordDecoder} and copied into a claimed ring slot with
 * its partition, offset and timestamp: nothing allocates per record beyond what kafka-clients does.</li>
 * <li><b>Backpressure.</b> When the ring is full, every partition is sought back to its first unpublished record
 * and paused; the thread keeps polling (so a group member would keep its membership) and resumes when a quarter of
 * the ring is free.</li>
 * <li><b>Dead letters.</b> A record the decoder refuses goes to the dead-letter topic, same key and value, with
 * headers {@code ringside.reason}, {@code ringside.source.topic}, {@code ringside.source.partition},
 * {@code ringside.source.offset}; it is counted and the rest goes on.</li>
 * <li><b>Offsets.</b> Every {@link KafkaIngressContext#commitIntervalMs}, the offsets of what the journal holds are
 * committed to the group (for lag tools only).</li>
 * <li><b>Counters.</b> Records published, dead-lettered, ring-full pauses and each partition's lag, in the engine's
 * counters file ({@code ./ringside stat DIR}).</li>
 * </ul>
 * <b>Threads:</b> an {@link Agent} on its own thread ({@link #start()}); {@link #close()} from any thread.
 */
public final class KafkaIngress implements Agent, AutoCloseable
{
    public static final String REASON_HEADER = "ringside.reason";
    public static final String TOPIC_HEADER = "ringside.source.topic";
    public static final String PARTITION_HEADER = "ringside.source.partition";
    public static final String OFFSET_HEADER = "ringside.source.offset";

    private final KafkaIngressContext ctx;
    private final Engine engine;
    private final EventPublisher publisher;
    private final AtomicCounter publishedCounter;
    private final AtomicCounter deadLetteredCounter;
    private final AtomicCounter pausesCounter;
    private AtomicCounter[] lagCounters;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private List<TopicPartition> owned;
    private TopicPartition[] byPartition;
    private long[] nextOffset;
    private long[] publishedSequence;
    private long[] committedOffset;
    private long[] endOffset;
    private boolean paused;
    private boolean ended;
    private int resumeFreeSlots;
    private long nextCommitMs;
    private long published;
    private long maxPollGapMs;
    private long lastPollMs;
    private volatile boolean reachedEnd;
    private volatile Throwable deadLetterFailure;
    private AgentRunner runner;

    /**
     * @param engine a started engine; its ring must be multi-producer if anything else publishes into it.
     */
    public KafkaIngress(final KafkaIngressContext ctx, final Engine engine)
    {
        this.ctx = ctx.conclude();
        this.engine = engine;
        this.publisher = engine.newPublisher(ctx.sourceId());
        final String name = "kafka " + ctx.topic();
        this.publishedCounter = engine.counters().newCounter(name + " records published");
        this.deadLetteredCounter = engine.counters().newCounter(name + " records dead-lettered");
        this.pausesCounter = engine.counters().newCounter(name + " pauses (ring full)");
    }

    /**
     * Starts the ingress on its own thread, {@code ringside-kafka-<topic>}.
     *
     * @return this.
     */
    public KafkaIngress start()
    {
        // an error is never swallowed: it goes to the engine's error log (./ringside stat DIR --errors) and standard error
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), error ->
        {
            engine.counters().recordError(error);
            System.err.println("ringside kafka ingress " + ctx.topic() + ": " + error);
        }, null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public String roleName()
    {
        return "ringside-kafka-" + ctx.topic();
    }

    /**
     * @return the consumer settings the ingress uses unless its context overrides them (tuning.md says why).
     */
    public static Properties consumerDefaults()
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        return props;
    }

    @Override
    public void onStart()
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, ctx.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(consumerDefaults());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, roleName());
        props.putAll(ctx.consumerProperties());
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());

        final Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: the dead-letter topic is often created by its first letter, and a second request
        // accepted before a first one the new partition refused would leave the first retried until it expires
        // (KAFKA-15591). Dead letters are rare; their order and delivery matter more than their rate.
        producerProps.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, roleName() + "-dlq");
        deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

        final List<PartitionInfo> infos = consumer.partitionsFor(ctx.topic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty())
        {
            throw new IllegalStateException("topic " + ctx.topic() + " has no partitions (does it exist?)");
        }
        final int count = infos.size();
        final int[] mine = ctx.partitions() != null ? ctx.partitions() : java.util.stream.IntStream.range(0, count).toArray();
        byPartition = new TopicPartition[count];
        nextOffset = new long[count];
        publishedSequence = new long[count];
        committedOffset = new long[count];
        endOffset = new long[count];
        lagCounters = new AtomicCounter[count];
        owned = new ArrayList<>(mine.length);
        for (final int p : mine)
        {
            if (p < 0 || p >= count)
            {
                throw new IllegalArgumentException("topic " + ctx.topic() + " has partitions 0 to " + (count - 1) + ", not " + p);
            }
            byPartition[p] = new TopicPartition(ctx.topic(), p);
            owned.add(byPartition[p]);
            lagCounters[p] = engine.counters().newCounter("kafka " + ctx.topic() + "/" + p + " lag");
        }
        consumer.assign(owned);
        final Map<TopicPartition, Long> beginning = consumer.beginningOffsets(owned);
        final Map<TopicPartition, Long> ends = consumer.endOffsets(owned);
        for (final TopicPartition tp : owned)
        {
            final int p = tp.partition();
            final long journaled = engine.journaledOffset(ctx.sourceId(), p);
            final long start = journaled >= 0 ? journaled + 1 : beginning.get(tp);
            consumer.seek(tp, start);
            nextOffset[p] = start;
            committedOffset[p] = start;
            publishedSequence[p] = -1;
            endOffset[p] = ends.get(tp);
        }
        resumeFreeSlots = ctx.resumeFreeSlots() > 0 ? ctx.resumeFreeSlots() : Math.max(1, engine.context().ringSize() / 4);
        nextCommitMs = System.currentTimeMillis() + ctx.commitIntervalMs();
        lastPollMs = System.currentTimeMillis();
        checkEnd();
    }

    @Override
    public int doWork()
    {
        if (ended)
        {
            return 0;
        }
        if (paused && engine.ringFreeSlots() >= resumeFreeSlots)
        {
            consumer.resume(owned);
            paused = false;
        }
        final ConsumerRecords<byte[], byte[]> records = consumer.poll(paused ? Duration.ofMillis(1) : Duration.ofMillis(ctx.pollTimeoutMs()));
        final long nowMs = System.currentTimeMillis();
        maxPollGapMs = Math.max(maxPollGapMs, nowMs - lastPollMs);
        lastPollMs = nowMs;
        int work = 0;
        try
        {
            for (final ConsumerRecord<byte[], byte[]> record : records)
            {
                if (!offer(record))
                {
                    publisher.wake();
                    pauseAll();
                    break;
                }
                work++;
            }
        }
        catch (final RuntimeException ex)
        {
            // the consumer's position is past the whole batch: go back to the first record not published, so that
            // nothing is skipped (the error goes to the error handler; the next poll tries that record again)
            publisher.wake();
            for (final TopicPartition tp : owned)
            {
                consumer.seek(tp, nextOffset[tp.partition()]);
            }
            throw ex;
        }
        if (work > 0)
        {
            publisher.wake(); // once per poll: a wake per record would make a sleeping consumer ping-pong with this thread
        }
        if (nowMs >= nextCommitMs)
        {
            commitJournaled(false);
            updateLag();
            nextCommitMs = nowMs + ctx.commitIntervalMs();
        }
        if (ctx.stopAtEndOffsets() && !paused)
        {
            checkEnd();
        }
        return work;
    }

    private boolean offer(final ConsumerRecord<byte[], byte[]> record)
    {
        final int p = record.partition();
        final byte[] key = record.key();
        final byte[] value = record.value();
        final String reason = ctx.decoder().check(key, value);
        if (reason != null)
        {
            deadLetter(record, reason);
        }
        else
        {
            if (!publisher.tryClaim(ctx.decoder().key(key, value), value.length))
            {
                return false;
            }
            publisher.buffer().putBytes(0, value);
            publisher.partition(p).sourceOffset(record.offset()).timestamp(record.timestamp());
            publisher.commitQuietly();
            publishedSequence[p] = publisher.lastSequence();
            publishedCounter.incrementRelease();
            published++;
        }
        nextOffset[p] = record.offset() + 1;
        return true;
    }

    private void pauseAll()
    {
        for (final TopicPartition tp : owned)
        {
            consumer.seek(tp, nextOffset[tp.partition()]);
        }
        consumer.pause(owned);
        paused = true;
        pausesCounter.incrementRelease();
    }

    private void deadLetter(final ConsumerRecord<byte[], byte[]> record, final String reason)
    {
        final ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(ctx.deadLetterTopic(), null, record.timestamp(), record.key(), record.value());
        letter.headers()
            .add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
            .add(TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8))
            .add(PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
            .add(OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        deadLetters.send(letter, (metadata, error) ->
        {
            if (error != null)
            {
                deadLetterFailure = error;
            }
        });
        deadLetteredCounter.incrementRelease();
    }

    private void checkEnd()
    {
        if (!ctx.stopAtEndOffsets() || ended)
        {
            return;
        }
        for (final TopicPartition tp : owned)
        {
            if (consumer.position(tp) < endOffset[tp.partition()])
            {
                return;
            }
        }
        ended = true;
        if (ctx.endOfInputAtEnd())
        {
            publisher.endOfInput();
        }
        reachedEnd = true;
    }

    /**
     * Commits, per partition, the offset after the last record the journal holds (never beyond what is journaled).
     */
    private void commitJournaled(final boolean sync)
    {
        final long journaled = engine.journaledSequence();
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        for (final TopicPartition tp : owned)
        {
            final int p = tp.partition();
            if (publishedSequence[p] >= 0 && publishedSequence[p] <= journaled && committedOffset[p] < nextOffset[p])
            {
                if (offsets == null)
                {
                    offsets = new HashMap<>();
                }
                offsets.put(tp, new OffsetAndMetadata(nextOffset[p]));
                committedOffset[p] = nextOffset[p];
            }
        }
        if (offsets != null)
        {
            if (sync)
            {
                consumer.commitSync(offsets);
            }
            else
            {
                consumer.commitAsync(offsets, null);
            }
        }
    }

    private void updateLag()
    {
        for (final TopicPartition tp : owned)
        {
            final OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent())
            {
                lagCounters[tp.partition()].setRelease(lag.getAsLong() + (consumer.position(tp) - nextOffset[tp.partition()]));
            }
        }
    }

    @Override
    public void onClose()
    {
        try
        {
            if (consumer != null)
            {
                try
                {
                    commitJournaled(true);
                }
                catch (final RuntimeException ex)
                {
                    // lag tools only: the journal says where to resume
                }
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }
        finally
        {
            if (deadLetters != null)
            {
                deadLetters.close(Duration.ofSeconds(10));
            }
            publisher.close();   // frees the source id: another ingress may take it over in this engine
        }
    }

    /**
     * @return true once every owned partition was read up to its end offset at start (with stopAtEndOffsets). Any thread.
     */
    public boolean reachedEnd()
    {
        return reachedEnd;
    }

    /**
     * @return events published into the ring. Read from another thread: approximate.
     */
    public long published()
    {
        return published;
    }

    public long deadLettered()
    {
        return deadLetteredCounter.get();
    }

    public long pauses()
    {
        return pausesCounter.get();
    }

    /**
     * @return the longest time between two polls so far, ms (a group member is evicted past max.poll.interval.ms).
     */
    public long maxPollGapMs()
    {
        return maxPollGapMs;
    }

    /**
     * @return the first failure to send a dead letter, or null.
     */
    public Throwable deadLetterFailure()
    {
        return deadLetterFailure;
    }

    /**
     * Stops the thread (at most one poll timeout later), commits the journaled offsets and closes the clients.
     */
    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
    }
}
