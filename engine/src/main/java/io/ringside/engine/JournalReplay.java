package io.ringside.engine;

import io.ringside.engine.runtime.EngineState;
import io.ringside.engine.runtime.Journaler;
import io.ringside.engine.runtime.ShardRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ringside.journal.JournalReader;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Rebuilds an engine's state from a journal directory into fresh handlers, on the calling thread, and hands every
 * output to a listener (each marked {@link Output#isReplay()}), with the ids the engine gave them: the way to
 * investigate a decision after the fact ({@code ./ringside replay}). Reads the journal only: it takes no lock and
 * changes nothing, so it may run beside a live engine (it replays what was journaled when it reached the end).
 * <p>
 * The context supplies the handlers, the shard count (which must be the engine's for the ids to match), the event
 * time, watermark and source settings, and a directory for its own counters file; its journal, ring, sinks and
 * threads are not used.
 */
public final class JournalReplay
{
    private JournalReplay()
    {
    }

    /**
     * @param ctx              the engine's configuration; {@link EngineContext#directory} is where the replay's counters go.
     * @param journalDirectory the journal to read (an engine directory's {@code journal/}).
     * @param listener         every output, on this thread.
     * @return what was replayed and how fast.
     */
    public static EngineRecovery run(final EngineContext ctx, final Path journalDirectory, final OutputListener listener)
    {
        ctx.conclude();
        try
        {
            Files.createDirectories(ctx.directory());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the replay's directory " + ctx.directory(), ex);
        }
        final EngineState state = new EngineState();
        try (EngineCounters counters = EngineCounters.create(ctx.directory(), ctx.shardCount()))
        {
            final Journaler journaler = Engine.newJournaler(ctx, null, counters, null, state);
            final ShardRunner[] shards = new ShardRunner[ctx.shardCount()];
            for (int i = 0; i < shards.length; i++)
            {
                shards[i] = new ShardRunner(i, ctx.handlers().apply(i), listener, null, ctx.maxOutputLength(), counters,
                    new SingleWriterRecorder(ShardRunner.MAX_LATENCY_NS, 3), false, ctx.errorPolicy(), state);
                shards[i].replaying(true);
            }
            final long start = System.nanoTime();
            final Path seeded = journalDirectory.toAbsolutePath().getParent().resolve(Engine.SEEDED_FILE);
            if (Files.exists(seeded))
            {
                throw new EngineException("the journal in " + journalDirectory + " was started from another engine's snapshot (" + seeded +
                    " says which): a replay from its first record would lack that state");
            }
            try (JournalReader reader = JournalReader.open(journalDirectory))
            {
                final long from = reader.position();
                if (from >= reader.segmentSize())
                {
                    throw new EngineException("the journal in " + journalDirectory + " starts at position " + from + ": its older segments " +
                        "were deleted (deleteJournalBelowSnapshots, or by hand), and a replay rebuilds the state from the journal's " +
                        "first record: it needs the whole journal");
                }
                final long[] counts = Engine.replay(reader, Long.MAX_VALUE, journaler, shards, state);
                return new EngineRecovery(null, -1, List.of(), from, reader.position(), counts[0], counts[1], 0, System.nanoTime() - start, null);
            }
        }
    }
}
