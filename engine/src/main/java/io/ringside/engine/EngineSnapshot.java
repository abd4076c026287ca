package io.ringside.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.ringside.engine.runtime.EngineIdentity;
import io.ringside.engine.runtime.Journaler;
import io.ringside.engine.runtime.SnapshotTaker;
import org.agrona.collections.Long2LongHashMap;

/**
 * One complete snapshot of an engine, verified, as a unit that can leave its engine: the directory the engine writes
 * ({@code DIR/snapshots/<position>/}: {@code engine.snap} and one {@code shard-<i>.snap} per shard), or a copy of one
 * made by {@link #copyTo}, which carries the writing engine's {@code engine.id} (shard count, handlers id) beside them.
 * Another engine starts from it with {@link EngineContext#seedSnapshot}: this is how a partition's state moves to a new
 * owner without a replay from the start. It is the engine's own snapshot format, not another one.
 * <p>
 * {@link #verify} reads every file whole (size, trailer, CRC32C, header) and checks that they belong together (one
 * position, one journal, kinds, shards numbered from 0); a damaged or mismatched one is refused with a
 * {@link SnapshotCorruptedException} naming the file. Immutable; any thread.
 */
public final class EngineSnapshot
{
    private final Path directory;
    private final Path identity;
    private final int shardCount;
    private final long position;
    private final long journalId;
    private final Long2LongHashMap lastOffsets;

    private EngineSnapshot(final Path directory, final Path identity, final int shardCount, final long position, final long journalId,
        final Long2LongHashMap lastOffsets)
    {
        this.directory = directory;
        this.identity = identity;
        this.shardCount = shardCount;
        this.position = position;
        this.journalId = journalId;
        this.lastOffsets = lastOffsets;
    }

    /**
     * Verifies a snapshot directory: its own files, and {@code engine.id} if it holds one (a copy made by {@link #copyTo}).
     *
     * @throws SnapshotCorruptedException if a file is missing, torn, damaged, or does not belong with the others (the message
     *                                    names it).
     * @throws IOException                if it cannot be read.
     */
    public static EngineSnapshot verify(final Path directory) throws IOException
    {
        final Path identity = directory.resolve(EngineIdentity.FILE_NAME);
        return verify(directory, Files.exists(identity) ? identity : null);
    }

    static EngineSnapshot verify(final Path directory, final Path identity) throws IOException
    {
        if (!Files.exists(directory.resolve(SnapshotTaker.ENGINE_FILE)))
        {
            throw new SnapshotCorruptedException("snapshot " + directory + " has no " + SnapshotTaker.ENGINE_FILE +
                " (not a complete engine snapshot)");
        }
        int shards = 0;
        while (Files.exists(directory.resolve(SnapshotTaker.shardFile(shards))))
        {
            shards++;
        }
        if (shards == 0)
        {
            throw new SnapshotCorruptedException("snapshot " + directory + " has no " + SnapshotTaker.shardFile(0) +
                " (not a complete engine snapshot)");
        }
        final SnapshotReader[] readers = open(directory, shards);
        try
        {
            return new EngineSnapshot(directory, identity, shards, readers[0].position(), readers[0].journalId(),
                Journaler.lastOffsetsOf(readers[0]));
        }
        finally
        {
            for (final SnapshotReader reader : readers)
            {
                reader.close();
            }
        }
    }

    /**
     * Opens every file of a snapshot directory for {@code shardCount} shards and checks that they belong together.
     *
     * @return the engine's reader first, then one per shard; close them all.
     */
    public static SnapshotReader[] open(final Path directory, final int shardCount) throws IOException
    {
        final SnapshotReader[] readers = new SnapshotReader[1 + shardCount];
        try
        {
            for (int i = 0; i <= shardCount; i++)
            {
                final Path file = directory.resolve(i == 0 ? SnapshotTaker.ENGINE_FILE : SnapshotTaker.shardFile(i - 1));
                if (!Files.exists(file))
                {
                    throw new SnapshotCorruptedException("snapshot " + directory + " has no " + file.getFileName() +
                        (i > 0 ? " (taken with fewer shards than " + shardCount + "?)" : ""));
                }
                readers[i] = new SnapshotReader(file);
                if (readers[i].kind() != (i == 0 ? SnapshotWriter.KIND_ENGINE : SnapshotWriter.KIND_SHARD) || (i > 0 && readers[i].shard() != i - 1) ||
                    readers[i].position() != readers[0].position() || readers[i].journalId() != readers[0].journalId())
                {
                    throw new SnapshotCorruptedException("snapshot file " + file + " does not belong with " + readers[0].file() + ": kind " +
                        readers[i].kind() + ", shard " + readers[i].shard() + ", position " + readers[i].position() + ", journal id " +
                        Long.toHexString(readers[i].journalId()) + "; expected position " + readers[0].position() + ", journal id " +
                        Long.toHexString(readers[0].journalId()));
                }
            }
            if (Files.exists(directory.resolve(SnapshotTaker.shardFile(shardCount))))
            {
                throw new SnapshotCorruptedException("snapshot " + directory + " was taken with more shards than " + shardCount);
            }
            return readers;
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final SnapshotReader reader : readers)
            {
                if (reader != null)
                {
                    reader.close();
                }
            }
            throw ex;
        }
    }

    /**
     * Copies the snapshot (and the writing engine's {@code engine.id}) to {@code target}, atomically: into a sibling
     * {@code <target>.tmp} first (replaced if a killed copy left one), every file and the directory forced to disk, then
     * renamed to {@code target} and the parent forced. A reader never sees a partial copy under {@code target}'s name.
     *
     * @throws IOException if it cannot (the temporary copy is then left for the next attempt to replace); also if the
     *                     snapshot was deleted meanwhile (its engine keeps only the newest few).
     */
    public void copyTo(final Path target) throws IOException
    {
        copyTo(target, true);
    }

    /**
     * As {@link #copyTo(Path)}, forcing nothing to disk if {@code force} is false: for a scratch copy that a crash may lose
     * (an engine about to start from it, say), where the forces would only cost time.
     */
    public void copyTo(final Path target, final boolean force) throws IOException
    {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        SnapshotTaker.deleteTree(tmp);
        Files.createDirectories(tmp);
        Files.copy(directory.resolve(SnapshotTaker.ENGINE_FILE), tmp.resolve(SnapshotTaker.ENGINE_FILE));
        for (int i = 0; i < shardCount; i++)
        {
            Files.copy(directory.resolve(SnapshotTaker.shardFile(i)), tmp.resolve(SnapshotTaker.shardFile(i)));
        }
        if (identity != null)
        {
            Files.copy(identity, tmp.resolve(EngineIdentity.FILE_NAME));
        }
        if (force)
        {
            try (var files = Files.list(tmp))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    force(file);
                }
            }
            force(tmp);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (force)
        {
            force(target.getParent());
        }
    }

    private static void force(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * @return the directory verified.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the {@code engine.id} of the engine that wrote it (beside a copy's files, or in the engine's directory), or
     * null if unknown.
     */
    public Path identity()
    {
        return identity;
    }

    public int shardCount()
    {
        return shardCount;
    }

    /**
     * @return the position in its writer's journal that it covers (everything below).
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the id of its writer's journal.
     */
    public long journalId()
    {
        return journalId;
    }

    /**
     * @return the source offset of the last event of that source and partition that the snapshot covers, or -1 if none.
     */
    public long sourceOffset(final int sourceId, final int partition)
    {
        return lastOffsets.get(((long)sourceId << 32) | (partition & 0xFFFF_FFFFL));
    }

    @Override
    public String toString()
    {
        return "snapshot " + directory + " (position " + position + " of journal " + Long.toHexString(journalId) + ", " + shardCount +
            " shard(s))";
    }
}
