package io.ringside.perf.fraud;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ringside.engine.Topology;
import io.ringside.ingest.KafkaTopicDump;
import io.ringside.ingest.LocalKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The smoke workload through a real broker: produced into a 4-partition topic keyed by card, read by the Kafka
 * ingress, outputs sent by the Kafka sink. The engine's checksums, and those of the output topic read back, equal the
 * reference fed per-partition watermarks.
 */
class KafkaFraudVelocityTest
{
    private static final int PARTITIONS = 4;
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
    void shouldGiveTheReferenceChecksumsForTheSmokeWorkloadReadFromFourPartitions() throws Exception
    {
        final WorkloadSize size = WorkloadSize.SMOKE;
        KafkaProduce.produce(broker.bootstrapServers(), "smoke", PARTITIONS, 42, size.events(), size.cards());
        final ChecksumReport expected = SeveralSourcesReference.expected(42, size.events(), size.cards(), PARTITIONS);
        assertEquals(97, expected.count(OutputKind.LATE));

        final KafkaFraudVelocity.Result result = KafkaFraudVelocity.run(dir.resolve("engine"), broker.bootstrapServers(), "smoke",
            "smoke-out", 2, Topology.COMPACT, false, size.cards(), null);
        assertEquals(size.events(), result.events());
        assertEquals(expected.toString(), result.report().toString());

        final Path dump = dir.resolve("out.txt");
        KafkaTopicDump.dump(broker.bootstrapServers(), "smoke-out", dump, 10_000);
        final ChecksumReport delivered = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        final List<String> lines = Files.readAllLines(dump, StandardCharsets.US_ASCII);
        for (final String line : lines)
        {
            delivered.onOutput(OutputLine.parse(line, fields), fields);
        }
        assertEquals(expected.toString(), delivered.toString(), "the output topic holds every output once");
    }
}
