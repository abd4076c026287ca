package io.ringside.perf.fraud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ringside.ingest.KafkaPartitionSink;
import io.ringside.ingest.LocalKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A warm standby takes over a killed member's partitions without a rebuild, exactly once (issue 13, item 4), on a real
 * broker: two members of one group ({@code ./ringside demo --group}, child JVMs), the first with {@code --standby};
 * workload v1 ({@value #CARDS} cards, {@code ringside.takeover.events} events, default {@value #EVENTS}) written at
 * {@value #RATE} events/s into 8 partitions (the first {@code ringside.takeover.history} events, default 0, as fast as
 * the broker takes them: partitions with a past), then the end markers. Once the group has delivered the outputs of the
 * history and 40% of the rest in one of the second member's partitions, it is killed (SIGKILL); the first is assigned its partitions and must take
 * each whose input had not ended over from its standby (asserted from its log), and the output topic read with
 * read_committed must equal the
 * several-sources reference, every id once.
 * <p>
 * With {@code -Dringside.takeover.all=true} the same run is made first with the new owner rebuilding from Kafka alone and
 * then from published snapshots ({@code --publish-snapshots}, every {@value #PUBLISH_EVERY} records), each in its own
 * group and topics, and it prints, per partition of the killed member, the time from the kill to the new owner's
 * assignment and to its first decision, the three ways.
 */
class KafkaGroupTakeoverTest
{
    private static final long EVENTS = 120_000;
    private static final long CARDS = 20_000;
    private static final long SEED = 13;
    private static final int PARTITIONS = 8;
    private static final long RATE = 4_000;
    private static final int PUBLISH_EVERY = 1_000;
    private static final Pattern ASSIGNED = Pattern.compile("^(\\S+) assigned \\[([0-9, ]*)\\]: taking them", Pattern.MULTILINE);
    private static final Pattern TAKEN = Pattern.compile("^(\\S+) partition ([0-9]+): taken; (.*)$", Pattern.MULTILINE);
    private static final Pattern FIRST = Pattern.compile("^(\\S+) partition ([0-9]+): first decision sent ([0-9,]+) ms after taking it",
        Pattern.MULTILINE);

    @Test
    void aStandbyTakesOverAKilledMembersPartitionsExactlyOnce(@TempDir final Path tmp) throws Exception
    {
        final long events = Long.getLong("ringside.takeover.events", EVENTS);
        final long history = Long.getLong("ringside.takeover.history", 0);
        final List<String> modes = Boolean.getBoolean("ringside.takeover.all") ? List.of("kafka", "snapshot", "standby") : List.of("standby");
        final LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("broker"));
        final List<Process> members = new ArrayList<>();
        final List<Thread> producers = new ArrayList<>();
        try
        {
            final List<String> rows = new ArrayList<>();
            for (final String mode : modes)
            {
                rows.addAll(phase(broker.bootstrapServers(), tmp.resolve(mode), mode, events, history, members, producers));
            }
            System.out.printf("%nkill -> first decision of the new owner, per partition of the killed member (%,d events, the first " +
                "%,d unpaced, then %,d/s; %,d cards, 8 partitions):%n| how | partition | load at the kill | read from | kill -> assigned | " +
                "assigned -> taken | assigned -> first decision | kill -> first decision |%n|---|---|---|---|---|---|---|---|%n", events, history,
                RATE, CARDS);
            rows.forEach(System.out::println);
        }
        finally
        {
            for (final Process member : members)
            {
                member.destroyForcibly().waitFor();
            }
            for (final Thread producer : producers)
            {
                producer.join(TimeUnit.SECONDS.toMillis(120));
            }
            broker.close();
        }
    }

    /**
     * One run: two members (the first with a standby, or both publishing snapshots, or neither), the second killed.
     *
     * @return the table's rows, one per partition of the killed member.
     */
    private static List<String> phase(final String bootstrap, final Path dir, final String mode, final long events, final long history,
        final List<Process> members, final List<Thread> producers) throws Exception
    {
        final String in = "in-" + mode;
        final String out = "out-" + mode;
        final String group = "g-" + mode;
        LocalKafkaBroker.createTopic(bootstrap, in, PARTITIONS);
        LocalKafkaBroker.createTopic(bootstrap, out, PARTITIONS);
        final List<Process> phase = new ArrayList<>();
        final List<Path> logs = new ArrayList<>();
        System.out.printf("--- %s: %s%n", mode, "standby".equals(mode) ? "member 1 keeps standbys (--standby)" : "snapshot".equals(mode) ?
            "both publish snapshots (--publish-snapshots, every " + PUBLISH_EVERY + " records)" : "no snapshots, no standby");
        start(bootstrap, dir, mode, events, 1, phase, logs, members);
        KafkaGroupFailoverTest.awaitLog(logs.get(0), phase.get(0), "owns partitions [", 1, 180);
        start(bootstrap, dir, mode, events, 2, phase, logs, members);
        KafkaGroupFailoverTest.awaitLog(logs.get(1), phase.get(1), "owns partitions [", 1, 180);
        final Set<Integer> second = KafkaGroupFailoverTest.lastOwned(Files.readString(logs.get(1)));
        if ("standby".equals(mode))
        {
            KafkaGroupFailoverTest.awaitLog(logs.get(0), phase.get(0), "standby started", second.size(), 180);
        }
        final AtomicReference<Throwable> produceError = new AtomicReference<>();
        final Thread producer = new Thread(() ->
        {
            try
            {
                KafkaProduce.produce(bootstrap, in, PARTITIONS, SEED, events, CARDS, history, RATE, true);
            }
            catch (final Throwable ex)
            {
                produceError.set(ex);
            }
        }, "test-producer-" + mode);
        producers.add(producer);
        producer.start();
        awaitDelivered(bootstrap, group, second, (long)((history + 0.4 * (events - history)) / PARTITIONS), phase.get(1));
        final String load = Files.readString(Path.of("/proc/loadavg")).trim();
        final LocalTime killedAt = LocalTime.now();
        phase.get(1).destroyForcibly().waitFor();
        final Set<Integer> owned = KafkaGroupFailoverTest.lastOwned(Files.readString(logs.get(1)));
        final Map<Integer, KafkaPartitionSink.Delivered> deliveredAtKill = delivered(bootstrap, group);
        final Set<Integer> orphaned = new java.util.TreeSet<>();
        for (final int p : owned)
        {
            if (!deliveredAtKill.getOrDefault(p, KafkaPartitionSink.Delivered.NOTHING).ended())
            {
                orphaned.add(p);   // not those whose input ended before the kill
            }
        }
        System.out.printf("%s: member 2 killed (SIGKILL) at %s owning %s (delivered up to %s), load %s%n", mode, killedAt, owned,
            deliveredAtKill, load);
        assertTrue(!orphaned.isEmpty(), mode + ": the killed member had partitions whose input had not ended");
        producer.join(TimeUnit.SECONDS.toMillis(240));
        if (produceError.get() != null)
        {
            throw new AssertionError("the producer failed", produceError.get());
        }
        KafkaGroupFailoverTest.awaitAllEnded(bootstrap, group, phase, logs);
        phase.get(0).destroyForcibly().waitFor();
        final String log = Files.readString(logs.get(0));
        System.out.printf("--- %s: member 1%n%s", mode, log.lines().filter(line -> !line.contains("records read in the last"))
            .map(line -> line + "\n").reduce("", String::concat));
        System.out.printf("%s: %,d outputs in the topic, each id once, equal to the several-sources reference%n", mode,
            KafkaGroupFailoverTest.assertTopicIsReference(bootstrap, out, events, CARDS));
        return rows(mode, log, orphaned, killedAt, load);
    }

    /**
     * @return per partition of the killed member: how member 1 took it and when, asserted to be the mode's way.
     */
    private static List<String> rows(final String mode, final String log, final Set<Integer> orphaned, final LocalTime killedAt,
        final String load)
    {
        LocalTime assignedAt = null;
        final Matcher assigned = ASSIGNED.matcher(log);
        while (assigned.find() && assignedAt == null)
        {
            final LocalTime at = LocalTime.parse(assigned.group(1));
            if (at.isAfter(killedAt))
            {
                assignedAt = at;
            }
        }
        assertTrue(assignedAt != null, mode + ": member 1 was assigned the killed member's partitions");
        final List<String> rows = new ArrayList<>();
        for (final int p : orphaned)
        {
            final String how = after(TAKEN, log, p, killedAt, 3);
            final String takenAt = after(TAKEN, log, p, killedAt, 1);
            final String first = after(FIRST, log, p, killedAt, 1);
            assertTrue(how != null, mode + ": partition " + p + " taken by member 1 after the kill");
            final String expected = switch (mode)
            {
                case "standby" -> "its standby's engine goes on from offset";
                case "snapshot" -> "its state loaded from the published snapshot";
                default -> "rebuilding its state from offset 0";
            };
            assertTrue(how.startsWith(expected), mode + ": partition " + p + " taken as '" + expected + "...': " + how);
            if (first == null)
            {
                continue;   // its first decision was its end of input's (no figure)
            }
            final LocalTime decidedAt = LocalTime.parse(first);
            rows.add(String.format("| %s | %d | %s | %s | %.1f s | %.2f s | %.2f s | %.1f s |", mode, p, String.join(" ",
                List.of(load.split(" ")).subList(0, 3)), readFrom(how), Duration.between(killedAt, assignedAt).toMillis() / 1e3,
                Duration.between(assignedAt, LocalTime.parse(takenAt)).toMillis() / 1e3, Duration.between(assignedAt, decidedAt).toMillis() / 1e3,
                Duration.between(killedAt, decidedAt).toMillis() / 1e3));
        }
        assertTrue(!rows.isEmpty(), mode + ": member 1 decided for a partition of the killed member");
        return rows;
    }

    /**
     * @return the group of the first line of the pattern about the partition after the kill, or null.
     */
    private static String after(final Pattern pattern, final String log, final int partition, final LocalTime killedAt, final int group)
    {
        final Matcher matcher = pattern.matcher(log);
        while (matcher.find())
        {
            if (Integer.parseInt(matcher.group(2)) == partition && LocalTime.parse(matcher.group(1)).isAfter(killedAt))
            {
                return group == 1 ? matcher.group(1) : matcher.group(group);
            }
        }
        return null;
    }

    /**
     * @return where the new owner read the partition from, from its "taken" line.
     */
    private static String readFrom(final String how)
    {
        final Matcher from = Pattern.compile("(?:from offset|rebuilding from offset|goes on from offset) ([0-9,]+)").matcher(how);
        return from.find() ? from.group(1) : "?";
    }

    private static void start(final String bootstrap, final Path dir, final String mode, final long events, final int n,
        final List<Process> phase, final List<Path> logs, final List<Process> members) throws Exception
    {
        final Path log = dir.resolve("member-" + n + ".log");
        Files.createDirectories(dir);
        logs.add(log);
        final List<String> args = new ArrayList<>(List.of("--kafka", bootstrap, "--topic", "in-" + mode, "--output-topic", "out-" + mode,
            "--group", "g-" + mode, "--journal", dir.resolve("member-" + n).toString(), "--events", Long.toString(events), "--cards",
            Long.toString(CARDS)));
        if ("snapshot".equals(mode))
        {
            args.addAll(List.of("--publish-snapshots", dir.resolve("shared").toString(), "--publish-every", Integer.toString(PUBLISH_EVERY)));
        }
        if ("standby".equals(mode) && n == 1)
        {
            args.add("--standby");
        }
        final Process member = ChildJvm.startDemo(log, args.toArray(String[]::new));
        members.add(member);
        phase.add(member);
        System.out.printf("%s: member %d started at %s%n", mode, n, LocalTime.now());
    }

    /**
     * Waits until the group's committed mark of one of the partitions is at {@code offset} or beyond.
     */
    private static void awaitDelivered(final String bootstrap, final String group, final Set<Integer> partitions, final long offset,
        final Process member) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        Map<Integer, KafkaPartitionSink.Delivered> marks = Map.of();
        while (System.nanoTime() < deadline && member.isAlive())
        {
            marks = delivered(bootstrap, group);
            for (final int p : partitions)
            {
                if (marks.getOrDefault(p, KafkaPartitionSink.Delivered.NOTHING).offset() >= offset)
                {
                    return;
                }
            }
            Thread.sleep(100);
        }
        fail("the group did not deliver up to offset " + offset + " of one of partitions " + partitions + " within 600 s (alive: " +
            member.isAlive() + "): " + marks);
    }

    /**
     * @return per partition, what the group delivered.
     */
    private static Map<Integer, KafkaPartitionSink.Delivered> delivered(final String bootstrap, final String group) throws Exception
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props))
        {
            final Map<Integer, KafkaPartitionSink.Delivered> marks = new java.util.TreeMap<>();
            for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get().entrySet())
            {
                marks.put(entry.getKey().partition(), KafkaPartitionSink.Delivered.parse(entry.getValue()));
            }
            return marks;
        }
    }
}
