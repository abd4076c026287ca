package io.ringside.perf.fraud;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ringside.ingest.KafkaGroupIngress;
import io.ringside.ingest.KafkaPartitionSink;
import io.ringside.ingest.KafkaTopicDump;
import io.ringside.ingest.LocalKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The proof of issue 13 on a real broker: workload v1 (200,000 events, 20,000 cards: about a minute on a busy 2-core
 * machine) is written at 4,000 events/s into an 8-partition topic, then an end-of-input record per partition, while
 * members of one consumer group ({@code ./ringside demo --group}, child JVMs, each its own directory) come and go:
 * one alone (the producer starts once it has joined), then three, one of them killed with SIGKILL at a random moment, a new one started, then one stopped
 * (SIGTERM: a clean hand-over), leaving two. The output topic read with read_committed holds exactly the outputs of
 * {@link SeveralSourcesReference} (the same lines, per-kind counts and checksums), every output id once.
 * <p>
 * The members publish their partitions' snapshots in a shared directory ({@code --publish-snapshots}, every
 * {@value #PUBLISH_EVERY} records of a partition), and the killed member is killed only once it has published one. Right
 * after the kill, the published snapshots of one of its partitions are damaged: its new owner must refuse them (naming
 * the file) and rebuild it from Kafka, while the new owners of its other partitions start from their published
 * snapshots; it prints the time from the kill to the first decision both ways. The member started after the kill keeps
 * warm standbys ({@code --standby}) of the partitions it does not own, so that the clean stop that follows may move
 * partitions to it through them (the group decides where they go).
 */
class KafkaGroupFailoverTest
{
    /** The suite's size; {@code -Dringside.failover.events=1000000 -Dringside.failover.cards=100000} is the full proof. */
    private static final long EVENTS = Long.getLong("ringside.failover.events", 200_000);
    private static final long CARDS = Long.getLong("ringside.failover.cards", 20_000);
    private static final long SEED = 13;
    private static final int PARTITIONS = 8;
    /** Events written per second ({@code -Dringside.failover.rate}). */
    private static final long RATE = Long.getLong("ringside.failover.rate", 4_000);
    private static final String GROUP = "fraud-group";
    private static final int PUBLISH_EVERY = 1_000;
    private static final Pattern OWNS = Pattern.compile("^(\\S+) owns partitions \\[([0-9, ]*)\\]", Pattern.MULTILINE);
    private static final Pattern TAKEN = Pattern.compile("^(\\S+) partition ([0-9]+): taken; (.*)$", Pattern.MULTILINE);
    private static final Pattern FIRST = Pattern.compile("^(\\S+) partition ([0-9]+): first decision sent ([0-9,]+) ms after taking it.*" +
        "; ([0-9,]+) outputs of earlier owners dropped", Pattern.MULTILINE);

    @Test
    void membersComingAndGoingDeliverEveryOutputExactlyOnce(@TempDir final Path tmp) throws Exception
    {
        final LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("broker"));
        final List<Process> members = new ArrayList<>();
        Thread producer = null;
        try
        {
            final String bootstrap = broker.bootstrapServers();
            LocalKafkaBroker.createTopic(bootstrap, "group-in", PARTITIONS);
            LocalKafkaBroker.createTopic(bootstrap, "group-out", PARTITIONS);
            final AtomicReference<Throwable> produceError = new AtomicReference<>();
            producer = new Thread(() ->
            {
                try
                {
                    KafkaProduce.produce(bootstrap, "group-in", PARTITIONS, SEED, EVENTS, CARDS, RATE, true);
                }
                catch (final Throwable ex)
                {
                    produceError.set(ex);
                }
            }, "test-producer");
            run(bootstrap, tmp, members, produceError, producer);
        }
        finally
        {
            for (final Process member : members)
            {
                member.destroyForcibly().waitFor();
            }
            if (producer != null)
            {
                producer.join(TimeUnit.SECONDS.toMillis(120));
            }
            broker.close();
        }
    }

    private static void run(final String bootstrap, final Path tmp, final List<Process> members, final AtomicReference<Throwable> produceError,
        final Thread producer) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        final List<Path> logs = new ArrayList<>();
        start(bootstrap, tmp, members, logs);
        awaitLog(logs.get(0), members.get(0), "owns partitions [", 180);
        final long produceStartNs = System.nanoTime();
        producer.start();
        awaitLog(logs.get(0), members.get(0), "first decision sent", 180);
        start(bootstrap, tmp, members, logs);
        start(bootstrap, tmp, members, logs);
        awaitLog(logs.get(1), members.get(1), "taken;", 180);
        awaitLog(logs.get(2), members.get(2), "taken;", 180);
        // SIGKILL one of the three that has published a snapshot, at a random moment
        final int victim = publisher(logs, members, random);
        final long delayMs = random.nextLong(3_000);
        Thread.sleep(delayMs);
        final LocalTime killedAt = LocalTime.now();
        final long killNs = System.nanoTime();
        members.get(victim).destroyForcibly().waitFor();
        final String victimLog = Files.readString(logs.get(victim));
        final Set<Integer> orphaned = lastOwned(victimLog);
        System.out.printf("member %d killed (SIGKILL) at %s, %.1f s after the producer started, owning %s%n", victim + 1, killedAt,
            (killNs - produceStartNs) / 1e9, orphaned);
        final Set<Integer> withSnapshot = new HashSet<>();
        for (final int p : orphaned)
        {
            if (!published(tmp.resolve("shared"), p).isEmpty())
            {
                withSnapshot.add(p);
            }
        }
        assertTrue(!withSnapshot.isEmpty(), "the killed member's partitions " + orphaned + " have published snapshots");
        final int damaged = withSnapshot.size() > 1 ? withSnapshot.stream().max(Integer::compare).orElseThrow() : -1;
        if (damaged >= 0)
        {
            System.out.printf("damaged the published snapshots of partition %d: %s%n", damaged, damage(tmp.resolve("shared"), damaged));
        }
        start(bootstrap, tmp, members, logs);
        awaitLog(logs.get(3), members.get(3), "owns partitions [", 180);
        // what ./ringside stat DIR prints for a member
        final Path status = tmp.resolve("member-4").resolve(KafkaGroupIngress.STATUS_FILE);
        final long statusDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(status) && System.nanoTime() < statusDeadline)
        {
            Thread.sleep(50);
        }
        final String statusText = Files.readString(status);
        System.out.print("member 4's status (./ringside stat DIR):\n" + statusText);
        assertTrue(statusText.contains("of group " + GROUP) && statusText.contains("owns ["), statusText);
        // scale 3 -> 2: a clean stop (SIGTERM) of a survivor of the first three
        final int stopped = victim == 0 ? 1 : 0;
        members.get(stopped).destroy();
        assertTrue(members.get(stopped).waitFor(60, TimeUnit.SECONDS), "member " + (stopped + 1) + " did not stop within 60 s of SIGTERM");
        System.out.printf("member %d stopped (SIGTERM), exit %d%n", stopped + 1, members.get(stopped).exitValue());
        producer.join(TimeUnit.SECONDS.toMillis(120));
        if (produceError.get() != null)
        {
            throw new AssertionError("the producer failed", produceError.get());
        }
        System.out.printf("produced %,d events at %,d/s in %.1f s, then an end-of-input record per partition%n", EVENTS, RATE,
            (System.nanoTime() - produceStartNs) / 1e9);
        awaitAllEnded(bootstrap, GROUP, members, logs);
        for (final Process member : members)
        {
            member.destroyForcibly().waitFor();
        }
        verify(bootstrap, logs, orphaned, killedAt, withSnapshot, damaged);
    }

    /**
     * Flips a byte in the middle of each published snapshot of the partition's shard file.
     *
     * @return the snapshots damaged.
     */
    private static List<Path> damage(final Path shared, final int partition) throws Exception
    {
        final List<Path> damaged = published(shared, partition);
        for (final Path snapshot : damaged)
        {
            final Path file = snapshot.resolve("shard-0.snap");
            final byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x10;
            Files.write(file, bytes);
        }
        return damaged;
    }

    /**
     * @return the partition's published snapshots (in the layout of {@link io.ringside.ingest.PublishedSnapshots}).
     */
    private static List<Path> published(final Path shared, final int partition) throws Exception
    {
        final Path dir = shared.resolve(GROUP).resolve("group-in-" + partition);
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (var entries = Files.list(dir))
        {
            return entries.filter(entry -> entry.getFileName().toString().matches("o\\d+\\.d-?\\d+\\.-?\\d+")).toList();
        }
    }

    /**
     * Reads the members' logs and the output topic: every partition of the killed member decided for again, outputs
     * delivered by one owner dropped by the next, and the topic equal to the several-sources reference, every id once.
     */
    private static void verify(final String bootstrap, final List<Path> logs, final Set<Integer> orphaned, final LocalTime killedAt,
        final Set<Integer> withSnapshot, final int damaged) throws Exception
    {
        final StringBuilder all = new StringBuilder();
        for (int i = 0; i < logs.size(); i++)
        {
            final String text = Files.readString(logs.get(i));
            all.append(text);
            System.out.printf("--- member %d%n%s", i + 1, text.lines().filter(line -> !line.contains("records read in the last"))
                .map(line -> line + "\n").reduce("", String::concat));
        }
        long dropped = 0;
        final Matcher first = FIRST.matcher(all);
        while (first.find())
        {
            dropped += Long.parseLong(first.group(4).replace(",", ""));
        }
        // the figure: from the kill to the first decision of a new owner for each partition the killed member owned (from Kafka
        // alone: the session timeout, then the rebuild from the partition's beginning)
        final Matcher decided = FIRST.matcher(all);
        final Map<Integer, Long> takeover = new HashMap<>();
        while (decided.find())
        {
            final int p = Integer.parseInt(decided.group(2));
            final LocalTime at = LocalTime.parse(decided.group(1));
            if (orphaned.contains(p) && at.isAfter(killedAt) && !takeover.containsKey(p))
            {
                takeover.put(p, Duration.between(killedAt, at).toMillis());
            }
        }
        System.out.printf("from the kill to a new owner's first decision, per partition of the killed member (ms): %s%n", takeover);
        assertEquals(orphaned, takeover.keySet(), "every partition of the killed member decided for again by a new owner");
        // how each was taken: from its published snapshot, or (the damaged one) from Kafka after refusing them
        final Matcher taken = TAKEN.matcher(all);
        final Map<Integer, String> how = new HashMap<>();
        while (taken.find())
        {
            final int p = Integer.parseInt(taken.group(2));
            if (orphaned.contains(p) && LocalTime.parse(taken.group(1)).isAfter(killedAt) && !how.containsKey(p))
            {
                how.put(p, taken.group(3));
            }
        }
        for (final int p : orphaned)
        {
            final String line = how.get(p);
            final boolean fromSnapshot = line != null && line.startsWith("its state loaded from the published snapshot at offset");
            // member 4 keeps standbys: if it tailed the partition before the group gave it to it, it went on from there
            final boolean fromStandby = line != null && line.startsWith("its standby's engine goes on from offset");
            System.out.printf("partition %d: %s ms from the kill to the first decision; %s%n", p, takeover.get(p), line);
            if (p == damaged)
            {
                assertTrue(fromStandby || line != null && line.startsWith("rebuilding its state from offset 0"), "partition " + p + ": " + line);
                assertTrue(Pattern.compile("partition " + p + ": refused the published snapshot \\S+o\\d+[^:]*: snapshot \\S+shard-0.snap is damaged")
                    .matcher(all).find(), "the damaged snapshot of partition " + p + " refused, naming the file");
            }
            else if (withSnapshot.contains(p))
            {
                assertTrue(fromSnapshot || fromStandby, "partition " + p + " taken from its published snapshot: " + line);
            }
        }
        assertTrue(dropped > 0, "some new owner must have dropped outputs an earlier owner delivered (a hand-over mid-stream)");

        final int outputs = assertTopicIsReference(bootstrap, "group-out", EVENTS, CARDS);
        System.out.printf("%,d outputs in the topic, each id once, equal to the several-sources reference; new owners dropped %,d outputs " +
            "earlier owners had delivered%n", outputs, dropped);
    }

    /**
     * Reads the output topic with read_committed: asserts it holds exactly the outputs of {@link SeveralSourcesReference}
     * for workload v1 ({@value #SEED}, 8 partitions), the same lines, per-kind counts and checksums, every id once.
     *
     * @return the outputs in the topic.
     */
    static int assertTopicIsReference(final String bootstrap, final String topic, final long events, final long cards) throws Exception
    {
        final ChecksumReport expectedReport = new ChecksumReport();
        final List<String> expected = LineMultisets.severalSourcesLines(SEED, events, cards, PARTITIONS, expectedReport);
        final List<String> actual = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        final List<String> duplicateIds = new ArrayList<>();
        KafkaTopicDump.read(bootstrap, topic, 10_000, record ->
        {
            actual.add(new String(record.value(), StandardCharsets.US_ASCII));
            final String id = KafkaPartitionSink.idText(record.headers().lastHeader(KafkaPartitionSink.ID_HEADER).value());
            if (!ids.add(id) && duplicateIds.size() < 5)
            {
                duplicateIds.add(id);
            }
        });
        assertTrue(duplicateIds.isEmpty(), () -> "output ids delivered twice: " + duplicateIds);
        LineMultisets.assertSameLines(expected, actual);
        final ChecksumReport delivered = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : actual)
        {
            delivered.onOutput(OutputLine.parse(line, fields), fields);
        }
        assertEquals(expectedReport.toString(), delivered.toString(), "per-kind counts and checksums of the topic");
        return actual.size();
    }

    private static void start(final String bootstrap, final Path tmp, final List<Process> members, final List<Path> logs) throws Exception
    {
        final int n = members.size() + 1;
        final Path log = tmp.resolve("member-" + n + ".log");
        logs.add(log);
        final List<String> args = new ArrayList<>(List.of("--kafka", bootstrap, "--topic", "group-in", "--output-topic", "group-out",
            "--group", GROUP, "--journal", tmp.resolve("member-" + n).toString(), "--events", Long.toString(EVENTS), "--cards",
            Long.toString(CARDS), "--publish-snapshots", tmp.resolve("shared").toString(), "--publish-every", Integer.toString(PUBLISH_EVERY)));
        if (n == 4)
        {
            args.add("--standby");   // the member started after the kill keeps standbys of what it does not own
        }
        members.add(ChildJvm.startDemo(log, args.toArray(String[]::new)));
        System.out.printf("member %d started at %s%n", n, LocalTime.now());
    }

    /**
     * @return one of the first three members, at random among those that have published a snapshot (waits for one).
     */
    private static int publisher(final List<Path> logs, final List<Process> members, final SplittableRandom random) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline)
        {
            final List<Integer> published = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                if (members.get(i).isAlive() && Files.exists(logs.get(i)) && Files.readString(logs.get(i)).contains("published its snapshot"))
                {
                    published.add(i);
                }
            }
            if (!published.isEmpty())
            {
                return published.get(random.nextInt(published.size()));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no member published a snapshot within 180 s");
    }

    private static void awaitLog(final Path log, final Process member, final String text, final int seconds) throws Exception
    {
        awaitLog(log, member, text, 1, seconds);
    }

    /**
     * Waits until the member's log holds the text {@code count} times (fails if the member dies first).
     */
    static void awaitLog(final Path log, final Process member, final String text, final int count, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!(Files.exists(log) && occurrences(Files.readString(log), text) >= count))
        {
            if (!member.isAlive() || System.nanoTime() > deadline)
            {
                fail("no " + count + " times '" + text + "' from a member within " + seconds + " s (alive: " + member.isAlive() +
                    "); its log:\n" + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(50);
        }
    }

    private static int occurrences(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length()))
        {
            count++;
        }
        return count;
    }

    /**
     * Waits until the group's committed offset of every partition carries the end mark (its outputs all delivered).
     */
    static void awaitAllEnded(final String bootstrap, final String group, final List<Process> members, final List<Path> logs) throws Exception
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            while (System.nanoTime() < deadline)
            {
                offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                int ended = 0;
                for (final OffsetAndMetadata offset : offsets.values())
                {
                    ended += KafkaPartitionSink.Delivered.parse(offset).ended() ? 1 : 0;
                }
                if (ended == PARTITIONS)
                {
                    return;
                }
                Thread.sleep(200);
            }
            final StringBuilder text = new StringBuilder();
            for (int i = 0; i < logs.size(); i++)
            {
                text.append("--- member ").append(i + 1).append(members.get(i).isAlive() ? " (alive)\n" : " (gone)\n")
                    .append(Files.readString(logs.get(i)));
            }
            fail("the group's offsets did not all carry the end mark within 240 s: " + offsets + "\n" + text);
        }
    }

    static Set<Integer> lastOwned(final String log)
    {
        Set<Integer> owned = Set.of();
        final Matcher matcher = OWNS.matcher(log);
        while (matcher.find())
        {
            final Set<Integer> now = new HashSet<>();
            for (final String p : matcher.group(2).split(",\\s*"))
            {
                if (!p.isBlank())
                {
                    now.add(Integer.parseInt(p.trim()));
                }
            }
            owned = now;
        }
        return owned;
    }
}
