package io.ringside.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.sink.FileSink;
import io.ringside.engine.Output;
import io.ringside.engine.WaitStrategy;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Kafka ingress and sink against a real broker (ingest/broker.sh, one per class, always stopped).
 */
class KafkaIngestTest
{
    private static final int VALUE_LENGTH = 16;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static LocalKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = LocalKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() throws Exception
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    @Test
    void shouldSendRecordsThatFailToDecodeToTheDeadLetterTopicAndPublishTheRest() throws Exception
    {
        final String topic = "bad-records";
        broker.createTopic(topic, 2);
        final Set<Long> bad = new HashSet<>();
        final Map<Long, String> reasons = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer())
        {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (long i = 0; i < 2_000; i++)
            {
                final byte[] key = longBytes(i % 50);
                byte[] value = value(i);
                String reason = null;
                if (i % 397 == 5)
                {
                    value = new byte[VALUE_LENGTH - 1];
                    reason = "value is not 16 bytes";
                }
                else if (i % 397 == 6)
                {
                    value = null;
                    reason = "value is not 16 bytes";
                }
                sent.add(producer.send(new ProducerRecord<>(topic, 0, key, value)));   // one partition, idempotent producer: offsets = i
                if (reason != null)
                {
                    bad.add(i);
                    reasons.put(i, reason);
                }
            }
            sent.add(producer.send(new ProducerRecord<>(topic, 1, new byte[] {1, 2, 3}, value(7))));   // offset 0 of partition 1
            awaitAcknowledged(sent);
        }
        final Map<Long, Long> seen = new ConcurrentHashMap<>();
        final EngineContext ctx = context(dir).handlers(shard -> (event, context) ->
            seen.merge(((long)event.partition() << 32) | event.sourceOffset(), event.buffer().getLong(event.offset()), (a, b) -> -1L));
        try (Engine engine = new Engine(ctx).start();
            KafkaIngress ingress = new KafkaIngress(ingressContext(topic).stopAtEndOffsets(true), engine).start())
        {
            await(ingress::reachedEnd, "the ingress to reach the end offsets");
            await(() -> engine.counters().processed() == 2_000 - bad.size(), () -> "all good records processed, got " + engine.counters().processed());
            assertEquals(bad.size() + 1, ingress.deadLettered());
            assertNull(ingress.deadLetterFailure());
        }
        assertEquals(2_000 - bad.size(), seen.size());
        for (long i = 0; i < 2_000; i++)
        {
            if (!bad.contains(i))
            {
                assertEquals(i, seen.get(i), "record " + i + ": its value, once");
            }
        }

        final List<ConsumerRecord<byte[], byte[]>> letters = readAll(topic + ".dlq", 1);
        assertEquals(bad.size() + 1, letters.size());
        final Set<Long> lettered = new HashSet<>();
        for (final ConsumerRecord<byte[], byte[]> letter : letters)
        {
            assertEquals(topic, header(letter, KafkaIngress.TOPIC_HEADER));
            final int partition = Integer.parseInt(header(letter, KafkaIngress.PARTITION_HEADER));
            final long offset = Long.parseLong(header(letter, KafkaIngress.OFFSET_HEADER));
            if (partition == 1)
            {
                assertEquals(0, offset);
                assertEquals("key is not 8 bytes", header(letter, KafkaIngress.REASON_HEADER));
                continue;
            }
            assertEquals(reasons.get(offset), header(letter, KafkaIngress.REASON_HEADER));
            lettered.add(offset);
        }
        assertEquals(bad, lettered);
    }

    @Test
    void shouldPauseOnAFullRingKeepPollingAndLoseNothing() throws Exception
    {
        final String topic = "backpressure";
        broker.createTopic(topic, 3);
        final int records = 20_000;
        produceSequence(topic, records);
        final AtomicLong handled = new AtomicLong();
        final Map<Integer, Long> lastOffset = new ConcurrentHashMap<>();
        final Set<String> disorder = ConcurrentHashMap.newKeySet();
        final EngineContext ctx = context(dir).ringSize(256).handlers(shard -> (event, context) ->
        {
            final Long before = lastOffset.put(event.partition(), event.sourceOffset());
            if (before != null && before + 1 != event.sourceOffset())
            {
                disorder.add(event.partition() + ":" + before + "->" + event.sourceOffset());
            }
            if (handled.incrementAndGet() % 64 == 0)
            {
                Thread.sleep(1);   // a slow shard: about 20,000 / 64 ms, the ring fills again and again
            }
        });
        try (Engine engine = new Engine(ctx).start();
            KafkaIngress ingress = new KafkaIngress(ingressContext(topic).stopAtEndOffsets(true)
                .consumerProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 2_000), engine).start())
        {
            await(() -> handled.get() == records, () -> "every record handled, got " + handled.get());
            assertTrue(ingress.pauses() > 10, "the ring filled and the ingress paused: " + ingress.pauses());
            assertTrue(ingress.maxPollGapMs() < 1_000, "the ingress kept polling while paused, max gap " + ingress.maxPollGapMs() + " ms");
        }
        assertEquals(Set.of(), disorder);
        assertEquals(records, handled.get());
    }

    @Test
    void shouldResumeEachPartitionAfterItsLastJournaledOffset() throws Exception
    {
        final String topic = "resume";
        broker.createTopic(topic, 2);
        produceSequence(topic, 1_000);
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        final EngineContext first = context(dir).handlers(shard -> (event, context) -> seen.add(event.buffer().getLong(event.offset())));
        try (Engine engine = new Engine(first).start();
            KafkaIngress ingress = new KafkaIngress(ingressContext(topic).stopAtEndOffsets(true), engine).start())
        {
            await(() -> seen.size() == 1_000 && ingress.reachedEnd(), () -> "the first 1,000, got " + seen.size() + " (ingress published " +
                ingress.published() + ", reached its end " + ingress.reachedEnd() + "; engine journaled " + engine.counters().journaled() +
                ", processed " + engine.counters().processed() + ", errors " + engine.counters().errors() + "; the topic's end offsets now " +
                endOffsets(topic, 2) + ")");
        }
        produceSequence(topic, 500);
        // the second engine recovers the first's 1,000 from its journal (replayed through the handler), then reads only
        // the 500 new records from Kafka: each record once
        final Set<Long> again = ConcurrentHashMap.newKeySet();
        final EngineContext second = context(dir).handlers(shard -> (event, context) -> again.add(event.buffer().getLong(event.offset())));
        try (Engine engine = new Engine(second).start();
            KafkaIngress ingress = new KafkaIngress(ingressContext(topic).stopAtEndOffsets(true), engine).start())
        {
            assertEquals(1_000, engine.recovery().replayedEvents());
            await(ingress::reachedEnd, "the second ingress to reach the end");
            await(() -> engine.counters().processed() == 1_500, () -> "1,000 replayed and 500 new, got " + engine.counters().processed());
            assertEquals(500, ingress.published(), "the ingress read only the records after the journaled offsets");
        }
        assertEquals(1_500, again.size(), "each record once");
        assertTrue(again.containsAll(seen));
        final Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("ringside-" + topic))
        {
            committed = consumer.committed(Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
        }
        long total = 0;
        for (final org.apache.kafka.clients.consumer.OffsetAndMetadata offset : committed.values())
        {
            total += offset.offset();
        }
        assertEquals(1_500, total, "committed offsets cover exactly what was journaled: " + committed);
    }

    /**
     * createTopic returns only when the broker serves every partition, not when its metadata first names a leader:
     * a write in that gap fails with NOT_LEADER_OR_FOLLOWER, and an idempotent producer with several requests in
     * flight can then lose the failed batch for good (KAFKA-15591, seen in CI as 488 of 1,000 records). A producer
     * without retries shows the gap at once.
     */
    @Test
    void shouldServeEveryPartitionOfATopicOnceCreateTopicReturns() throws Exception
    {
        final int partitions = 16;
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            for (int t = 0; t < 5; t++)
            {
                final String topic = "fresh-" + t;
                broker.createTopic(topic, partitions);
                final List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    sent.add(producer.send(new ProducerRecord<>(topic, p, longBytes(p), value(p))));
                }
                for (int p = 0; p < partitions; p++)
                {
                    try
                    {
                        assertEquals(0, sent.get(p).get(30, TimeUnit.SECONDS).offset(), topic + "-" + p);
                    }
                    catch (final ExecutionException ex)
                    {
                        fail(topic + "-" + p + " refused the first write after createTopic returned: " + ex.getCause());
                    }
                }
            }
        }
    }

    @Test
    void shouldDeliverEachOutputOnceWhenASinkRestartsOverATopicHoldingAPrefix() throws Exception
    {
        final String topic = "sink-restart";
        broker.createTopic(topic, 3);
        final int shards = 2;
        final List<TestOutput> outputs = new ArrayList<>();
        for (long position = 0; position < 3_000; position += 8)
        {
            for (int shard = 0; shard < shards; shard++)
            {
                for (int ordinal = 0; ordinal < 1 + (int)(position % 3); ordinal++)
                {
                    outputs.add(new TestOutput(position, shard, ordinal, position * 31 + shard * 7 + ordinal));
                }
            }
        }
        // a first run delivered a prefix of each shard's outputs, but in partition 1 it lost the last 40 records it had
        // sent (not acknowledged before the crash), while other partitions got later ones
        final int prefix = outputs.size() / 2;
        final long journalId = 0x5eed_1234L;
        final KafkaSink sink = new KafkaSink(broker.bootstrapServers(), topic, shards, FileSink.DEFAULT_FORMAT).open();
        try
        {
            sink.onStart(journalId);
            final List<TestOutput> lost = new ArrayList<>();
            for (int i = prefix - 1; i >= 0 && lost.size() < 40; i--)
            {
                if (partitionOf(outputs.get(i).key(), 3) == 1)
                {
                    lost.add(outputs.get(i));
                }
            }
            for (int i = 0; i < prefix; i++)
            {
                if (!lost.contains(outputs.get(i)))
                {
                    sink.onOutput(outputs.get(i));
                }
            }
        }
        finally
        {
            sink.close();
        }
        // the restarted engine replays everything from the start
        final KafkaSink restarted = new KafkaSink(broker.bootstrapServers(), topic, shards, FileSink.DEFAULT_FORMAT);
        try
        {
            restarted.onStart(journalId);
            for (final TestOutput output : outputs)
            {
                restarted.onOutput(output);
            }
            assertTrue(restarted.dropped() > prefix - 100, "the replayed prefix was dropped: " + restarted.dropped());
        }
        finally
        {
            restarted.close();
        }
        final List<ConsumerRecord<byte[], byte[]>> delivered = readAll(topic, 3);
        final Map<String, Integer> ids = new HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> record : delivered)
        {
            final ByteBuffer id = ByteBuffer.wrap(record.headers().lastHeader(KafkaSink.ID_HEADER).value());
            ids.merge(id.getLong(0) + "/" + id.getInt(8) + "/" + id.getInt(12), 1, Integer::sum);
        }
        for (final TestOutput output : outputs)
        {
            assertEquals(1, ids.getOrDefault(output.position + "/" + output.shard + "/" + output.ordinal, 0), output.toString());
        }
        assertEquals(outputs.size(), delivered.size(), "no duplicate, nothing missing");

        // an engine with another journal (a fresh directory) over the same topic: none of its outputs were delivered
        final KafkaSink other = new KafkaSink(broker.bootstrapServers(), topic, shards, FileSink.DEFAULT_FORMAT);
        try
        {
            other.onStart(journalId + 1);
            for (int i = 0; i < 100; i++)
            {
                other.onOutput(outputs.get(i));
            }
            assertEquals(0, other.dropped(), "outputs of another journal's ids are not taken for this one's");
            assertEquals(100, other.sent());
        }
        finally
        {
            other.close();
        }
    }

    static int partitionOf(final long key, final int partitions)
    {
        return org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(longBytes(key), partitions);
    }

    @Test
    void shouldSkipNoRecordWhenDecodingThrowsInTheMiddleOfAPoll() throws Exception
    {
        final String topic = "decoder-throws";
        broker.createTopic(topic, 2);
        produceSequence(topic, 600);
        final RecordDecoder fixed = RecordDecoder.fixedLength(VALUE_LENGTH);
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final RecordDecoder flaky = new RecordDecoder()
        {
            @Override
            public String check(final byte[] key, final byte[] value)
            {
                return fixed.check(key, value);
            }

            @Override
            public long key(final byte[] key, final byte[] value)
            {
                if (calls.incrementAndGet() % 150 == 0)
                {
                    throw new IllegalStateException("a decoder that fails now and then");
                }
                return fixed.key(key, value);
            }
        };
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        final AtomicLong handled = new AtomicLong();
        final EngineContext ctx = context(dir).handlers(shard -> (event, context) ->
        {
            seen.add(event.buffer().getLong(event.offset()));
            handled.incrementAndGet();
        });
        try (Engine engine = new Engine(ctx).start();
            KafkaIngress ingress = new KafkaIngress(ingressContext(topic).decoder(flaky).stopAtEndOffsets(true), engine).start())
        {
            await(() -> seen.size() == 600 && ingress.reachedEnd(), () -> "all 600 despite the decoder's errors, got " + seen.size());
            assertTrue(engine.counters().errors() == 0, "the decoder's errors are the ingress's, not a handler's");
        }
        assertEquals(600, handled.get(), "each record once: none skipped, none twice");
        assertTrue(calls.get() >= 604, "the decoder failed at least 4 times and was tried again: " + calls.get());
    }

    private KafkaIngressContext ingressContext(final String topic)
    {
        return new KafkaIngressContext().bootstrapServers(broker.bootstrapServers()).topic(topic)
            .decoder(RecordDecoder.fixedLength(VALUE_LENGTH)).pollTimeoutMs(50).commitIntervalMs(100);
    }

    private static EngineContext context(final Path dir)
    {
        return new EngineContext().directory(dir).segmentSize(1 << 20).maxEventLength(64)
            .journalerWait(WaitStrategy.BLOCKING).shardWait(WaitStrategy.BLOCKING).egressWait(WaitStrategy.SLEEPING);
    }

    /** Values unique over the whole test class: what the handlers collect must not collide. */
    private static final java.util.concurrent.atomic.AtomicLong NEXT_VALUE = new java.util.concurrent.atomic.AtomicLong();

    /** Appends {@code count} records to a topic, each value unique (a counter, not the clock), keys spread over 100. */
    private static void produceSequence(final String topic, final int count) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = producer())
        {
            final List<Future<RecordMetadata>> sent = new ArrayList<>(count);
            for (long i = 0; i < count; i++)
            {
                sent.add(producer.send(new ProducerRecord<>(topic, longBytes(i % 100), value(NEXT_VALUE.incrementAndGet()))));
            }
            awaitAcknowledged(sent);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(final String topic, final int partitions)
    {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null))
        {
            return consumer.endOffsets(topicPartitions(topic, partitions), Duration.ofSeconds(10));
        }
    }

    private static List<TopicPartition> topicPartitions(final String topic, final int partitions)
    {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    /** Every record acknowledged by the broker: a send that failed fails the test here, not as a missing record later. */
    private static void awaitAcknowledged(final List<Future<RecordMetadata>> sent) throws Exception
    {
        for (final Future<RecordMetadata> future : sent)
        {
            future.get(60, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer()
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String group)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null)
        {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(final String topic, final int partitions)
    {
        final List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null))
        {
            final List<TopicPartition> tps = topicPartitions(topic, partitions);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)))
            {
                if (System.nanoTime() > deadline)
                {
                    fail("could not read " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(all::add);
            }
        }
        return all;
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String name)
    {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static byte[] longBytes(final long value)
    {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static byte[] value(final long first)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        buffer.putLong(0, first);
        return buffer.byteArray();
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        await(condition, () -> what);
    }

    private static void await(final BooleanSupplier condition, final java.util.function.Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** An output as the engine would hand it to a sink. */
    private record TestOutput(long position, int shard, int ordinal, long key) implements Output
    {
        private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[8]);

        @Override
        public int type()
        {
            return 1;
        }

        @Override
        public boolean isReplay()
        {
            return false;
        }

        @Override
        public DirectBuffer buffer()
        {
            return PAYLOAD;
        }

        @Override
        public int offset()
        {
            return 0;
        }

        @Override
        public int length()
        {
            return 8;
        }
    }
}
