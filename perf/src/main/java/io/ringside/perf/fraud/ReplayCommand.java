package io.ringside.perf.fraud;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineException;
import io.ringside.engine.EngineRecovery;
import io.ringside.engine.JournalReplay;
import io.ringside.engine.Output;
import io.ringside.engine.OutputListener;
import io.ringside.journal.JournalException;
import io.ringside.perf.cli.CheckedCommand;
import org.agrona.ExpandableArrayBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./ringside replay DIR}: rebuilds the fraud-velocity state from the journal of a demo's engine directory
 * into fresh handlers, read-only, and writes the outputs (all, one card's, or those of a range of journal positions)
 * to a file or standard output, each line prefixed with its id: {@code position:shard:ordinal KIND,fields}. Exit code 1,
 * said in one line, for a directory without a journal or a damaged journal; 2 for flags that do not fit it.
 */
@Command(name = "replay", description = {"Rebuilds the fraud-velocity demo's state from the journal in DIR (read-only; safe beside a " +
    "running engine) and writes its outputs, one per line: position:shard:ordinal KIND,field,... (ids as the engine gave them).",
    "A directory the v2 demo (--workload v2) ran in is replayed as workload v2 (its engine.id says so), and the 14 kinds' counts " +
    "and checksums of the whole replay are printed after the summary (on standard error)."})
public final class ReplayCommand extends CheckedCommand
{
    @Parameters(paramLabel = "DIR", description = "the engine directory (the demo's --journal DIR)")
    private Path dir;

    @Option(names = "--output", paramLabel = "FILE", description = "the file to write (default: standard output)")
    private Path output;

    @Option(names = "--key", paramLabel = "CARD", description = "only the outputs of this card (the whole journal is still replayed: " +
        "state depends on it)")
    private Long key;

    @Option(names = "--from", paramLabel = "POSITION", description = "only outputs caused at or after this journal position")
    private long from = Long.MIN_VALUE;

    @Option(names = "--to", paramLabel = "POSITION", description = "only outputs caused before this journal position")
    private long to = Long.MAX_VALUE;

    @Option(names = "--shards", paramLabel = "N", description = "the engine's shard count (default: read from DIR/counters.dat, else 1); " +
        "ids depend on it")
    private int shards = -1;

    @Option(names = "--state", paramLabel = "chronicle|heap", description = "chronicle (default) or heap: the same outputs, heap is faster")
    private String state = "chronicle";

    /** From the options and DIR, by {@link #check()}. */
    private int shardCount;
    private boolean chronicle;

    @Override
    protected void check()
    {
        chronicle = switch (state)
        {
            case "chronicle" -> true;
            case "heap" -> false;
            default -> throw new IllegalArgumentException("--state takes chronicle or heap, not '" + state + "'");
        };
        if (!Files.isDirectory(dir.resolve("journal")))
        {
            // not a bad option but a wrong directory: an expected failure, exit code 1
            throw new IllegalStateException(dir + " holds no journal/ directory: is it an engine directory?");
        }
        shardCount = check(from, to, shards, shardCountOf(dir), output);
    }

    @Override
    protected void run() throws IOException
    {
        final Path work = Files.createTempDirectory("ringside-replay-");
        final List<AutoCloseable> closeables = new ArrayList<>();
        final boolean offHeap = chronicle;
        final List<ChecksumReport> v2Reports = FraudV2Replay.isV2(dir) ? new ArrayList<>() : null;
        final EngineContext ctx = new EngineContext()
            .directory(work)
            .shardCount(shardCount)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .handlers(shard ->
            {
                if (v2Reports != null)
                {
                    return FraudV2Replay.handler(shard, shardCount, closeables, v2Reports);
                }
                if (offHeap)
                {
                    final FraudVelocityPipeline pipeline = new FraudVelocityPipeline(shard, 1_000_000 / shardCount + 1024, 700_000 / shardCount + 1024);
                    closeables.add(pipeline);
                    return pipeline;
                }
                return new FraudVelocityShard(1_000_000 / shardCount + 1024, 6_000_000 / shardCount + 1024);
            });
        if (!KafkaFraudV2.declareSources(ctx, dir))
        {
            ctx.expectSource(1, 1);   // the generator's one source
        }
        final OutputStream out = output == null ? System.out : new BufferedOutputStream(
            Files.newOutputStream(output, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        final Writer writer = new Writer(out, key, from, to);
        final EngineRecovery replay;
        try
        {
            replay = JournalReplay.run(ctx, dir.resolve("journal"), writer);
        }
        catch (final JournalException | EngineException ex)
        {
            // a damaged or cut journal: named, with how far the replay got
            throw new IllegalStateException(ex.getMessage() + " (" + writer.written + " outputs written before it)", ex);
        }
        finally
        {
            out.flush();
            if (output != null)
            {
                out.close();
            }
            for (final AutoCloseable closeable : closeables)
            {
                try
                {
                    closeable.close();
                }
                catch (final Exception ignored)
                {
                    // state of a finished replay
                }
            }
            FraudVelocityDemo.deleteTree(work);
        }
        System.err.printf(Locale.ROOT, "ringside replay: %,d records (%,d events) of %s replayed in %.2f s (%,.0f events/s); %,d of %,d outputs written%s%n",
            replay.replayedRecords(), replay.replayedEvents(), dir, replay.replayNs() / 1e9, replay.replayRate(), writer.written, writer.seen,
            output == null ? "" : " to " + output);
        if (v2Reports != null)
        {
            FraudV2Replay.printReport(v2Reports, System.err);
        }
    }

    /**
     * Checks the flags against each other and the engine directory.
     *
     * @param shards   the --shards given, or -1.
     * @param recorded the shard count the engine ran with.
     * @return the shard count to replay with.
     * @throws IllegalArgumentException saying what is wrong.
     */
    static int check(final long from, final long to, final int shards, final int recorded, final Path output)
    {
        if ((from != Long.MIN_VALUE && from < 0) || (to != Long.MAX_VALUE && to < 0))
        {
            throw new IllegalArgumentException("--from and --to are journal positions, 0 or more");
        }
        if (from != Long.MIN_VALUE && to != Long.MAX_VALUE && to < from)
        {
            throw new IllegalArgumentException("--to " + to + " is below --from " + from);
        }
        if (shards != -1 && shards != recorded)
        {
            throw new IllegalArgumentException("the engine ran with " + recorded + " shard(s): replay with " + recorded +
                " (the outputs and their ids depend on it), not " + shards);
        }
        if (output != null && output.toAbsolutePath().getParent() != null && !Files.isDirectory(output.toAbsolutePath().getParent()))
        {
            throw new IllegalArgumentException("cannot write --output " + output + ": its directory does not exist");
        }
        return recorded;
    }

    static int shardCountOf(final Path dir)
    {
        final Path counters = dir.resolve("counters.dat");
        if (!Files.exists(counters))
        {
            return 1;
        }
        try (FileChannel channel = FileChannel.open(counters, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, 0);
            final int shards = header.getInt(12);
            return shards >= 1 && shards <= 1024 ? shards : 1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Formats the outputs that pass the filters. The replay's thread.
     */
    private static final class Writer implements OutputListener
    {
        private final OutputStream out;
        private final Long key;
        private final long from;
        private final long to;
        private final FraudOutputFormat format = new FraudOutputFormat();
        private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
        long seen;
        long written;

        Writer(final OutputStream out, final Long key, final long from, final long to)
        {
            this.out = out;
            this.key = key;
            this.from = from;
            this.to = to;
        }

        @Override
        public void onOutput(final Output output)
        {
            seen++;
            if (output.position() < from || output.position() >= to || (key != null && output.key() != key))
            {
                return;
            }
            int at = line.putLongAscii(0, output.position());
            line.putByte(at++, (byte)':');
            at += line.putIntAscii(at, output.shard());
            line.putByte(at++, (byte)':');
            at += line.putIntAscii(at, output.ordinal());
            line.putByte(at++, (byte)' ');
            at += format.format(output, line, at);
            line.putByte(at++, (byte)'\n');
            try
            {
                out.write(line.byteArray(), 0, at);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            written++;
        }
    }
}
