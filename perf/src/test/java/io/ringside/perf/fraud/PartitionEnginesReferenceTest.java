package io.ringside.perf.fraud;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Why one engine per partition may stand in for one engine over the whole topic (issue 13): each partition's events
 * through a single-source {@link PlainJavaFraudVelocity} of its own (its own watermark closes its windows, its own
 * end of input) give, over all partitions, the same per-kind counts and checksums as {@link SeveralSourcesReference}
 * (lateness per partition, windows closed by the minimum): a card's events all sit in one partition, an event the
 * minimum would still let into a closed window is late against its own partition's watermark anyway, and a duplicate
 * comes well within the ten-minute dedup horizon of either watermark.
 */
class PartitionEnginesReferenceTest
{
    @Test
    void onePerPartitionGivesTheSeveralSourcesOutputs()
    {
        for (final int partitions : new int[] {3, 8})
        {
            assertEquals(SeveralSourcesReference.expected(13, 200_000, 20_000, partitions).toString(), perPartition(13, 200_000, 20_000,
                partitions).toString(), partitions + " partitions");
        }
    }

    private static ChecksumReport perPartition(final long seed, final long events, final long cards, final int partitions)
    {
        final ChecksumReport report = new ChecksumReport();
        final PlainJavaFraudVelocity[] engines = new PlainJavaFraudVelocity[partitions];
        for (int p = 0; p < partitions; p++)
        {
            engines[p] = new PlainJavaFraudVelocity(report, 1 << 12, 1 << 14);
        }
        final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final byte[] key = new byte[8];
        while (generator.next(event, 0))
        {
            engines[SeveralSourcesReference.partitionOf(FraudEvent.cardId(event, 0), key, partitions)].onEvent(event, 0);
        }
        for (final PlainJavaFraudVelocity engine : engines)
        {
            engine.endOfInput();
        }
        return report;
    }
}
