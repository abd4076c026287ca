package io.ringside.perf.fraud;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/**
 * The expected outputs of the workload read from a P-partition Kafka topic keyed by card (workload.md, "Several
 * sources"): {@link PlainJavaFraudVelocity} fed in generator order, each event judged late against its own partition's
 * watermark, windows closed by the minimum over the partitions (held back until every partition has spoken, as an
 * engine that expects the topic's partitions does). The partition of an event is Kafka's default partitioner of its
 * card id as 8 bytes big-endian. Single thread.
 */
public final class SeveralSourcesReference
{
    private SeveralSourcesReference()
    {
    }

    /**
     * @return the partition Kafka's default partitioner gives a record keyed by {@code cardId} (8 bytes, big-endian).
     */
    public static int partitionOf(final long cardId, final byte[] scratch, final int partitions)
    {
        KafkaKeys.putLong(scratch, cardId);
        return BuiltInPartitioner.partitionForKey(scratch, partitions);
    }

    public static ChecksumReport expected(final long seed, final long events, final long cards, final int partitions)
    {
        final ChecksumReport report = new ChecksumReport();
        expected(seed, events, cards, partitions, report);
        return report;
    }

    /**
     * Runs the reference, handing every output to {@code outputs} (e.g. to collect the lines).
     */
    public static void expected(final long seed, final long events, final long cards, final int partitions, final OutputRecordSink outputs)
    {
        final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
        final int expectedIds = (int)Math.min(events, FraudVelocityRules.DEDUP_HORIZON_MS * WorkloadGenerator.EVENTS_PER_MS * 11 / 10);
        final PlainJavaFraudVelocity rules = new PlainJavaFraudVelocity(outputs, (int)Math.min(cards, 1 << 24), expectedIds);
        final long[] sourceWatermark = new long[partitions];
        Arrays.fill(sourceWatermark, Long.MIN_VALUE);
        final boolean[] spoken = new boolean[partitions];
        int silent = partitions;
        final byte[] key = new byte[8];
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            final long cardId = FraudEvent.cardId(event, 0);
            final long time = FraudEvent.eventTimeMs(event, 0);
            final int p = partitionOf(cardId, key, partitions);
            rules.onEvent(FraudEvent.eventId(event, 0), cardId, FraudEvent.amountCents(event, 0), time, FraudEvent.country(event, 0),
                sourceWatermark[p]);
            if (!spoken[p])
            {
                spoken[p] = true;
                silent--;
            }
            sourceWatermark[p] = Math.max(sourceWatermark[p], time - FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS);
            if (silent == 0)
            {
                long min = Long.MAX_VALUE;
                for (final long w : sourceWatermark)
                {
                    min = Math.min(min, w);
                }
                rules.onWatermark(min);
            }
        }
        rules.endOfInput();
    }
}
