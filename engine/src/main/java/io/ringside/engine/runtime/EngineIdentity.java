package io.ringside.engine.runtime;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineException;
import io.ringside.engine.SnapshotCorruptedException;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What an engine directory's outputs depend on besides its journal, recorded at its first start in
 * {@code DIR/engine.id}: the shard count (a key's shard, and so every output id, follows from it) and the handlers'
 * identity the embedder declares ({@link EngineContext#handlersId}). A later start with other values is refused: it
 * would replay the journal into another layout and make outputs again under other ids, or other outputs.
 */
public final class EngineIdentity
{
    public static final String FILE_NAME = "engine.id";

    private EngineIdentity()
    {
    }

    /**
     * Checks a seed snapshot's recorded identity (the {@code engine.id} of the engine that wrote it) against the context's.
     *
     * @throws SnapshotCorruptedException if they differ, naming the file and both.
     */
    public static void checkSeed(final EngineContext ctx, final Path file)
    {
        final Properties recorded = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            recorded.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        final String handlers = ctx.handlersId() == null ? "" : ctx.handlersId();
        final String shards = recorded.getProperty("shards");
        final String recordedHandlers = recorded.getProperty("handlers", "");
        if ((shards != null && !shards.equals(Integer.toString(ctx.shardCount()))) || !recordedHandlers.equals(handlers))
        {
            throw new SnapshotCorruptedException("the snapshot " + file.getParent() + " was written by an engine with " + shards +
                " shard(s) and the handlers '" + recordedHandlers + "' (" + file + "); this one has " + ctx.shardCount() + " and '" + handlers +
                "': its state would not be theirs");
        }
    }

    /**
     * Records the context's identity in a directory that has none, or checks it against the recorded one.
     *
     * @throws EngineException if they differ, naming both.
     */
    public static void recordOrCheck(final EngineContext ctx)
    {
        final Path file = ctx.directory().resolve(FILE_NAME);
        final String handlers = ctx.handlersId() == null ? "" : ctx.handlersId();
        try
        {
            if (Files.exists(file))
            {
                final Properties recorded = new Properties();
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
                {
                    recorded.load(in);
                }
                final String shards = recorded.getProperty("shards");
                if (shards != null && !shards.equals(Integer.toString(ctx.shardCount())))
                {
                    throw new EngineException("the engine directory " + ctx.directory() + " was started with " + shards + " shard(s) and now with " +
                        ctx.shardCount() + ": its journal's keys would replay into other shards and its outputs come again under other ids. " +
                        "Start it with shardCount(" + shards + "), or give the new layout a new directory");
                }
                final String recordedHandlers = recorded.getProperty("handlers", "");
                if (!recordedHandlers.equals(handlers))
                {
                    throw new EngineException("the engine directory " + ctx.directory() + " was started with the handlers '" + recordedHandlers +
                        "' and now with '" + handlers + "' (EngineContext.handlersId): other handlers would replay its journal into other " +
                        "outputs. Start it with the same handlers, or give the new ones a new directory");
                }
                return;
            }
            final Path tmp = ctx.directory().resolve(FILE_NAME + ".tmp");
            Files.writeString(tmp, "# written at this engine directory's first start: what its outputs depend on besides the journal\n" +
                "shards=" + ctx.shardCount() + "\nhandlers=" + handlers.replace("\\", "\\\\").replace("\n", "\\n") + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot record or read " + file, ex);
        }
    }
}
