package io.ringside.perf.fraud;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.ringside.engine.EngineException;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import org.HdrHistogram.Histogram;

/**
 * {@code ./ringside demo --aeron ipc|udp}: this process runs the media driver (unless {@code --aeron-dir}) and the
 * engine ({@link AeronFraudEngine}); a child JVM runs the sender ({@link AeronFraudSender}), which sends the workload
 * over Aeron and reads the decisions back over Aeron. Both sum the decisions into checksums: the engine's shards as
 * they decide, the sender from what it received; they must be equal (and equal the default demo's for the same flags).
 */
final class AeronFraudDemo
{
    private AeronFraudDemo()
    {
    }

    static void run(final DemoOptions options, final Path dir) throws IOException
    {
        final AeronChannels channels = AeronChannels.of(options.aeron);
        System.out.printf(Locale.ROOT, "Ringside fraud-velocity demo over Aeron %s: %,d events, %,d cards, seed %d, %d shard(s), state %s%s; " +
            "a sender process sends them and reads the decisions back%nengine directory %s (watch it with: ./ringside stat %s)%n",
            channels.mode(), options.events, options.cards, options.seed, options.shards, options.chronicle ? "chronicle map" : "on-heap",
            options.rate > 0 ? String.format(Locale.ROOT, ", %,d events/s", options.rate) : "", dir, dir);
        final EmbeddedMediaDriver driver = options.aeronDir == null ? EmbeddedMediaDriver.launch() : null;
        final Path aeronDir = driver != null ? driver.directory() : options.aeronDir;
        System.out.println("media driver: " + (driver != null ? "embedded, " : "external, ") + aeronDir);
        final Path received = Files.createTempFile("ringside-aeron-decisions-", ".txt");
        try (Aeron aeron = EmbeddedMediaDriver.connect(aeronDir))
        {
            final Process sender = startSender(aeronDir, channels, options, received);
            final AeronFraudEngine.Result result;
            try
            {
                result = AeronFraudEngine.run(aeron, channels, dir, options.events, options.cards, options.shards, options.chronicle,
                    options.snapshotEvery, options.durability, System.out::println, options.topology, options.aeronPlacement, ingress -> { });
                if (!sender.waitFor(600, TimeUnit.SECONDS) || sender.exitValue() != 0)
                {
                    throw new EngineException("the sender process failed (exit " + (sender.isAlive() ? "none: still running" : sender.exitValue()) +
                        "): see its lines above");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while waiting for the sender", ex);
            }
            finally
            {
                sender.destroyForcibly();
            }
            result.report().print(System.out);
            final List<String> senderLines = Files.readAllLines(received);
            System.out.println("decisions received over aeron by the sender process: checksums " +
                (senderLines.equals(result.report().lines()) ? "equal" : "DIFFER:\n" + String.join("\n", senderLines)));
            final Histogram latency = result.engine().latencyHistogram();
            System.out.printf(Locale.ROOT, "throughput: %,d events taken over aeron in %.2f s = %,.0f events/s (ingress start to end of input " +
                "journaled; journal %s; ring-full aborts %,d, resent dropped %,d, sink back-pressured %,d)%n", result.published(),
                result.liveNs() / 1e9, result.published() / (result.liveNs() / 1e9), options.durability.toString().toLowerCase(Locale.ROOT),
                result.ringFull(), result.duplicates(), result.sinkBackPressured());
            System.out.printf(Locale.ROOT, "ingress-to-decision latency in the engine (us%s): p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f " +
                "over %,d events (./ringside latency --transport aeron-ipc measures the round trip)%n",
                options.rate > 0 ? "" : "; unpaced, so it includes the wait in a full ring", latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3,
                latency.getMaxValue() / 1e3, latency.getTotalCount());
        }
        finally
        {
            Files.deleteIfExists(received);
            if (driver != null)
            {
                driver.close();
            }
        }
    }

    private static Process startSender(final Path aeronDir, final AeronChannels channels, final DemoOptions options, final Path received)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AeronFraudSender.class.getName());
        command.addAll(List.of(aeronDir.toString(), channels.mode(), Long.toString(options.events), Long.toString(options.cards),
            Long.toString(options.seed), Long.toString(options.rate), received.toString()));
        return new ProcessBuilder(command).inheritIO().start();
    }
}
