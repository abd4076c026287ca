package io.ringside.perf.fraud;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ringside.engine.Topology;
import io.ringside.ingest.KafkaSink;
import io.ringside.ingest.KafkaTopicDump;
import io.ringside.ingest.LocalKafkaBroker;
import io.ringside.journal.DurabilityPolicy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workload v2 over a real broker, profiles from their own compacted topic (issue 12): produced by
 * {@link KafkaProduce#produceV2} into a 3-partition topic and its compacted profile topic, read by two Kafka ingresses
 * into one engine ({@link KafkaFraudV2}), outputs sent by the Kafka sink. The output topic, read with read_committed,
 * holds exactly the outputs of {@link PlainJavaFraudV2} fed the engine's journal in its order (the profile table is as
 * of arrival, so the journal's order is the one to compare with), each once; {@code ./ringside replay DIR} prints the
 * same checksums.
 */
class KafkaFraudV2Test
{
    private static final int PARTITIONS = 3;
    private static final long EVENTS = 40_000;
    private static final long CARDS = 2_500;
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
    void shouldDeliverExactlyTheOutputsOfTheJournalsOrderWithProfilesFromTheirOwnCompactedTopic() throws Exception
    {
        final String bootstrap = broker.bootstrapServers();
        final long[] split = KafkaProduce.produceV2(bootstrap, "v2", KafkaProduce.profilesTopicOf("v2"), PARTITIONS, 42, EVENTS, CARDS);
        assertEquals(EVENTS, split[0] + split[1]);
        assertTrue(split[1] > 500, "about 3% of the events are profiles: " + split[1]);
        assertEquals("compact", topicConfig(bootstrap, "v2-profiles", "cleanup.policy"));
        assertEquals(PARTITIONS, KafkaFraudVelocity.partitionCount(bootstrap, "v2-profiles"));

        final Path engineDir = dir.resolve("engine");
        final KafkaFraudVelocity.Result result = KafkaFraudV2.run(engineDir, bootstrap, "v2", "v2-profiles", "v2-out", 2, Topology.COMPACT,
            EVENTS, CARDS, 0, DurabilityPolicy.PAGE_CACHE, null, null);
        assertEquals(EVENTS, result.events());

        final List<String> expected = new ArrayList<>();
        final ChecksumReport expectedReport = JournalOrderReference.outputs(engineDir, PARTITIONS, expected);
        assertEquals(expectedReport.toString(), result.report().toString(), "the engine's checksums against the journal-order reference");
        assertTrue(expectedReport.count(OutputKind.OVERLIMIT) > 0 && expectedReport.count(OutputKind.ABROAD) > 0,
            "profiles took effect: " + expectedReport);

        final List<String> actual = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        KafkaTopicDump.read(bootstrap, "v2-out", 10_000, record ->
        {
            actual.add(new String(record.value(), StandardCharsets.US_ASCII));
            final ByteBuffer id = ByteBuffer.wrap(record.headers().lastHeader(KafkaSink.ID_HEADER).value());
            ids.add(id.getLong(0) + "/" + id.getInt(8) + "/" + id.getInt(12) + "/" + id.getLong(16));
        });
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra " + LineMultisets.head(extra));
        assertEquals(expected.size(), actual.size());
        assertEquals(actual.size(), ids.size(), "every output id once");

        // ./ringside replay DIR declares the sources the demo did (DIR/kafka-v2-sources.properties): the same 14 lines
        final Path replayLog = dir.resolve("replay.log");
        final Process replay = ChildJvm.startCommand(replayLog, "replay", engineDir.toString(), "--output", dir.resolve("replay.txt").toString());
        try
        {
            assertTrue(replay.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the replay did not finish");
            assertEquals(0, replay.exitValue(), () -> CrashRecoveryTest.readQuietly(replayLog));
        }
        finally
        {
            replay.destroyForcibly().waitFor();
        }
        final String replayed = java.nio.file.Files.readString(replayLog);
        for (final String line : expectedReport.lines())
        {
            assertTrue(replayed.contains(line), () -> "the replay printed no '" + line + "':\n" + replayed);
        }
        System.out.printf("%,d events (%,d profiles from the compacted topic), %,d outputs in the topic, each once:%n%s", EVENTS, split[1],
            actual.size(), expectedReport);
    }

    static String topicConfig(final String bootstrap, final String topic, final String name) throws Exception
    {
        final java.util.Properties props = new java.util.Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props))
        {
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(name).value();
        }
    }
}
