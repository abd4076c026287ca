package io.ringside.perf.fraud;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineRecovery;
import io.ringside.engine.JournalReplay;
import io.ringside.engine.Output;
import io.ringside.engine.OutputListener;
import org.agrona.ExpandableArrayBuffer;

/**
 * {@code ./ringside replay DIR}: rebuilds the fraud-velocity state from the journal of a demo's engine directory
 * into fresh handlers, read-only, and writes the outputs (all, one card's, or those of a range of journal positions)
 * to a file or standard output, each line prefixed with its id: {@code position:shard:ordinal KIND,fields}.
 */
public final class ReplayCommand
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: ringside replay DIR [--output FILE] [--key CARD] [--from POSITION] [--to POSITION] [--shards N] [--state chronicle|heap]",
        "  rebuilds the fraud-velocity demo's state from the journal in DIR (read-only; safe beside a running engine) and",
        "  writes its outputs, one per line: position:shard:ordinal KIND,field,... (ids as the engine gave them)",
        "  --output  the file to write (default: standard output)",
        "  --key     only the outputs of this card (the whole journal is still replayed: state depends on it)",
        "  --from    only outputs caused at or after this journal position; --to: before this one",
        "  --shards  the engine's shard count (default: read from DIR/counters.dat, else 1); ids depend on it",
        "  --state   chronicle (default) or heap: the same outputs, heap is faster",
        "  A directory the v2 demo (--workload v2) ran in is replayed as workload v2 (its engine.id says so), and the 14 kinds'",
        "  counts and checksums of the whole replay are printed after the summary (on standard error).");

    private ReplayCommand()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        Path dir = null;
        Path output = null;
        Long key = null;
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        int shards = -1;
        boolean chronicle = true;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                if (arg.equals("-h") || arg.equals("--help"))
                {
                    System.out.println(USAGE);
                    return;
                }
                if (!arg.startsWith("--"))
                {
                    if (dir != null)
                    {
                        throw new IllegalArgumentException("one DIR only, got '" + dir + "' and '" + arg + "'");
                    }
                    dir = Path.of(arg);
                    continue;
                }
                if (!java.util.Set.of("--output", "--key", "--from", "--to", "--shards", "--state").contains(arg))
                {
                    throw new IllegalArgumentException("unknown flag '" + arg + "'");
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                final String value = args[++i];
                switch (arg)
                {
                    case "--output" -> output = Path.of(value);
                    case "--key" -> key = Long.parseLong(value);
                    case "--from" -> from = Long.parseLong(value);
                    case "--to" -> to = Long.parseLong(value);
                    case "--shards" -> shards = Integer.parseInt(value);
                    case "--state" -> chronicle = switch (value)
                    {
                        case "chronicle" -> true;
                        case "heap" -> false;
                        default -> throw new IllegalArgumentException("--state takes chronicle or heap, not '" + value + "'");
                    };
                    default -> throw new IllegalArgumentException("unknown flag '" + arg + "'");
                }
            }
            if (dir == null)
            {
                throw new IllegalArgumentException("give the engine directory (the demo's --journal DIR)");
            }
            if (!Files.isDirectory(dir.resolve("journal")))
            {
                throw new IllegalArgumentException(dir + " holds no journal/ directory: is it an engine directory?");
            }
            shards = check(from, to, shards, shardCountOf(dir), output);
        }
        catch (final NumberFormatException ex)
        {
            System.err.println("ringside replay: not a whole number: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ringside replay: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        final Path work = Files.createTempDirectory("ringside-replay-");
        final List<AutoCloseable> closeables = new ArrayList<>();
        final int shardCount = shards;
        final boolean offHeap = chronicle;
        final List<ChecksumReport> v2Reports = FraudV2Replay.isV2(dir) ? new ArrayList<>() : null;
        final EngineContext ctx = new EngineContext()
            .directory(work)
            .shardCount(shardCount)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(1, 1)
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
        final OutputStream out = output == null ? System.out : new BufferedOutputStream(
            Files.newOutputStream(output, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        final Writer writer = new Writer(out, key, from, to);
        EngineRecovery replay = null;
        String refusal = null;
        try
        {
            replay = JournalReplay.run(ctx, dir.resolve("journal"), writer);
        }
        catch (final io.ringside.journal.JournalException | io.ringside.engine.EngineException ex)
        {
            refusal = ex.getMessage();   // a damaged or cut journal: named, without a stack trace
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
        if (refusal != null)
        {
            System.err.println("ringside replay: " + refusal + " (" + writer.written + " outputs written before it)");
            System.exit(1);
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
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
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
