package io.ringside.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * A single-node KRaft broker on 127.0.0.1 in a directory, started and stopped through {@code ingest/broker.sh}
 * (a forked JVM: ports chosen free per run, see the script). For tests, the Kafka demo and measurements; close it in
 * a finally block or an {@code @AfterAll}. Not thread-safe.
 */
public final class LocalKafkaBroker implements AutoCloseable
{
    private final Path script;
    private final Path directory;
    private final String bootstrapServers;
    private final boolean temporary;
    private boolean stopped;

    private LocalKafkaBroker(final Path script, final Path directory, final String bootstrapServers, final boolean temporary)
    {
        this.script = script;
        this.directory = directory;
        this.bootstrapServers = bootstrapServers;
        this.temporary = temporary;
    }

    /**
     * Starts a broker in a new temporary directory, which {@link #close()} deletes once the broker has stopped: for
     * tests. If the start fails, whatever it started is stopped and the directory deleted before the error is thrown.
     */
    public static LocalKafkaBroker startTemporary() throws IOException, InterruptedException
    {
        final Path directory = Files.createTempDirectory("ringside-test-broker-");
        try
        {
            final LocalKafkaBroker broker = start(directory);
            return new LocalKafkaBroker(broker.script, directory, broker.bootstrapServers, true);
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            try
            {
                if (Files.exists(directory.resolve("broker.pid")))
                {
                    run(findScript(), "stop", directory.toString());
                }
            }
            finally
            {
                deleteTree(directory);
            }
            throw ex;
        }
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(java.util.Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Starts a broker in {@code directory} and waits until it is ready.
     *
     * @throws IOException if the script fails (its output is in the message).
     */
    public static LocalKafkaBroker start(final Path directory) throws IOException, InterruptedException
    {
        final Path script = findScript();
        final String out = run(script, "start", directory.toString());
        final String bootstrap = Files.readString(directory.resolve("bootstrap"), StandardCharsets.US_ASCII).trim();
        if (bootstrap.isEmpty())
        {
            throw new IOException("broker.sh start wrote no bootstrap address: " + out);
        }
        return new LocalKafkaBroker(script, directory, bootstrap, false);
    }

    /**
     * @return ingest/broker.sh, found from the working directory upwards (or the system property ringside.broker.script).
     */
    static Path findScript() throws IOException
    {
        final String property = System.getProperty("ringside.broker.script");
        if (property != null)
        {
            return Path.of(property);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            for (final Path candidate : new Path[] {dir.resolve("broker.sh"), dir.resolve("ingest/broker.sh")})
            {
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new IOException("cannot find ingest/broker.sh from " + Path.of("").toAbsolutePath() + ": set -Dringside.broker.script");
    }

    private static String run(final Path script, final String... args) throws IOException, InterruptedException
    {
        final String[] command = new String[args.length + 1];
        command[0] = script.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IOException("broker.sh " + String.join(" ", args) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    /**
     * @return the broker's process, if it runs (for measuring its CPU time).
     */
    public java.util.Optional<ProcessHandle> process() throws IOException
    {
        final Path pidFile = directory.resolve("broker.pid");
        if (!Files.exists(pidFile))
        {
            return java.util.Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim()));
    }

    public String bootstrapServers()
    {
        return bootstrapServers;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * Creates a topic with {@code partitions} partitions (replication 1) and waits until the broker serves every one.
     */
    public void createTopic(final String topic, final int partitions) throws Exception
    {
        createTopic(bootstrapServers, topic, partitions);
    }

    /**
     * Creates a topic if it is missing; an existing one is left as it is.
     *
     * @return true if it was created.
     */
    public static boolean createTopic(final String bootstrapServers, final String topic, final int partitions) throws Exception
    {
        return createTopic(bootstrapServers, topic, partitions, java.util.Map.of());
    }

    /**
     * Creates a topic with these topic configs (cleanup.policy=compact, say) if it is missing; an existing one is left
     * as it is.
     *
     * @return true if it was created.
     */
    public static boolean createTopic(final String bootstrapServers, final String topic, final int partitions,
        final java.util.Map<String, String> configs) throws Exception
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props))
        {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic))
            {
                return false;
            }
            admin.createTopics(java.util.List.of(new NewTopic(topic, partitions, (short)1).configs(configs))).all().get(30, TimeUnit.SECONDS);
            awaitServed(admin, topic, partitions);
            return true;
        }
    }

    /**
     * Waits until the broker serves every partition of a new topic. A leader in the metadata is not enough: the broker
     * publishes the metadata before it creates the partitions' logs, one by one (tens of milliseconds apart under
     * load), and a write in that gap fails with NOT_LEADER_OR_FOLLOWER. An idempotent producer with several requests
     * in flight can then have a later batch accepted first and retry the failed one until delivery.timeout.ms expires
     * it (KAFKA-15591; it cost this project a CI run). A partition answers ListOffsets only once its log exists.
     */
    private static void awaitServed(final Admin admin, final String topic, final int partitions) throws Exception
    {
        final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++)
        {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
                return;
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof RetriableException) || System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("topic " + topic + ": not every partition is served by the broker: " + ex.getCause(), ex);
                }
            }
            Thread.sleep(20);
        }
    }

    /**
     * Stops the broker: SIGTERM, then SIGKILL after the script's timeout; a temporary broker's directory is then
     * deleted. Idempotent.
     */
    @Override
    public void close() throws IOException
    {
        if (!stopped)
        {
            stopped = true;
            try
            {
                run(script, "stop", directory.toString());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the broker in " + directory, ex);
            }
            if (temporary)
            {
                deleteTree(directory);
            }
        }
    }
}
