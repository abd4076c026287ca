package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import io.ringside.engine.ShardHandler;

/**
 * What {@code ./ringside replay DIR} does differently for an engine directory of the v2 demo: it knows one by the
 * handlers its {@code engine.id} records ({@link FraudV2Pipeline#HANDLERS_ID}), replays into {@link FraudV2Pipeline}s
 * and prints the fourteen kinds' counts and checksums of the whole journal.
 */
final class FraudV2Replay
{
    private FraudV2Replay()
    {
    }

    /**
     * @return whether the engine directory was started by the v2 demo.
     */
    static boolean isV2(final Path dir)
    {
        final Path file = dir.resolve("engine.id");
        if (!Files.exists(file))
        {
            return false;
        }
        final Properties recorded = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            recorded.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        return FraudV2Pipeline.HANDLERS_ID.equals(recorded.getProperty("handlers"));
    }

    /**
     * @return a shard's v2 pipeline, sized for the standard workload, its report kept in {@code reports}.
     */
    static ShardHandler handler(final int shard, final int shards, final List<AutoCloseable> closeables, final List<ChecksumReport> reports)
    {
        final FraudV2Pipeline pipeline = FraudV2Pipeline.forWorkload(shard, shards, WorkloadSize.STANDARD.events(), WorkloadSize.STANDARD.cards());
        synchronized (reports)
        {
            closeables.add(pipeline);
            reports.add(pipeline.report());
        }
        return pipeline;
    }

    static void printReport(final List<ChecksumReport> reports, final PrintStream out)
    {
        final ChecksumReport all = ChecksumReport.v2();
        synchronized (reports)
        {
            reports.forEach(all::add);
        }
        all.print(out);
    }
}
