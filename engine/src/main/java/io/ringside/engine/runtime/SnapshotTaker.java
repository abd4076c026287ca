package io.ringside.engine.runtime;

import io.ringside.engine.EngineContext;
import io.ringside.engine.EngineCounters;
import io.ringside.engine.EngineException;
import io.ringside.engine.EngineSnapshot;
import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.ringside.journal.BackgroundAgent;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

/**
 * Snapshots on disk: {@code snapshots/<position, 20 digits>/} holds {@code engine.snap} (watermarks, last source
 * offsets) and one {@code shard-<i>.snap} per shard, each CRC'd. They are written into {@code <position>.tmp/}, and the
 * last writer to finish renames the directory: a directory without {@code .tmp} is a complete snapshot. The newest
 * {@code keep} are kept; the journal below the oldest kept one may be deleted.
 * <p>
 * {@link #begin} is called on the journaler's thread; each shard writes its part on its own thread (into the page
 * cache: a shard pauses only for that); whichever finishes last hands the snapshot to a {@link BackgroundAgent}
 * ({@code ringside-snapshot}, started with the first snapshot, pinned to {@link EngineContext#backgroundCpu()}), which
 * forces its files to disk, renames it into place and applies retention, off the shards' and the journaler's threads. A snapshot at close is completed on the closing thread.
 * <p>
 * It knows the engine's state only as the {@link Snapshottable} handed to {@link #begin}, and the journal only as its
 * {@link JournalRetention}.
 */
public final class SnapshotTaker
{
    public static final String DIRECTORY = "snapshots";
    public static final String ENGINE_FILE = "engine.snap";
    /** The agent that completes snapshots in the background. */
    public static final String COMPLETER_ROLE_NAME = "ringside-snapshot";
    private static final String TMP = ".tmp";

    private final Path directory;
    private final int shardCount;
    private final long journalId;
    private final int keep;
    private final boolean deleteJournal;
    private final EngineCounters counters;
    private final ConcurrentLinkedQueue<Pending> awaitingDelivery = new ConcurrentLinkedQueue<>();
    private Doorbell egressDoorbell;
    private boolean awaitSinks;
    /** Deletes the journal below the snapshots kept (when asked to): the engine's journaler. */
    private volatile JournalRetention retention;
    private ThreadFactory completerThreads;
    private Supplier<IdleStrategy> completerIdle;
    private ErrorHandler completerErrors;
    /** Completes snapshots in the background; started with the first. */
    private BackgroundAgent completer;
    private boolean closed;

    public SnapshotTaker(final Path engineDirectory, final int shardCount, final long journalId, final int keep, final boolean deleteJournal,
        final EngineCounters counters)
    {
        this.directory = engineDirectory.resolve(DIRECTORY);
        this.shardCount = shardCount;
        this.journalId = journalId;
        this.keep = keep;
        this.deleteJournal = deleteJournal;
        this.counters = counters;
        try
        {
            Files.createDirectories(directory);
            deleteIncomplete();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prepare the snapshot directory " + directory, ex);
        }
    }

    /**
     * With sinks, a snapshot at position S is complete only once the egress has delivered (and the sinks flushed)
     * every output caused below S: replay from S does not make those again, so they must not be waiting in memory.
     */
    public void awaitSinks(final Doorbell egressDoorbell)
    {
        this.awaitSinks = true;
        this.egressDoorbell = egressDoorbell;
    }

    /**
     * @param retention deletes the journal below the kept snapshots: the engine's journaler (the one that appends).
     */
    public void retention(final JournalRetention retention)
    {
        this.retention = retention;
    }

    /**
     * How the background completer runs, once the first snapshot is handed to it: on a thread of {@code threads},
     * waiting with a strategy of {@code idle}, its errors to {@code errors}. Without this, snapshots are completed on the
     * thread that finishes them.
     */
    public void completeOn(final ThreadFactory threads, final Supplier<IdleStrategy> idle, final ErrorHandler errors)
    {
        this.completerThreads = threads;
        this.completerIdle = idle;
        this.completerErrors = errors;
    }

    /**
     * @return the oldest written snapshot waiting for the egress to deliver the outputs below its position, or null.
     */
    Pending awaitingDelivery()
    {
        return awaitingDelivery.peek();
    }

    /**
     * The egress has delivered and flushed every output below the snapshot's position: completes it. Egress thread.
     */
    void delivered(final Pending pending)
    {
        awaitingDelivery.remove(pending);
        completeInBackground(pending);
    }

    private synchronized void completeInBackground(final Pending pending)
    {
        if (closed || completerThreads == null)
        {
            completed(pending);   // after close(), or without a background: nothing runs in the background
            return;
        }
        if (completer == null)
        {
            completer = new BackgroundAgent(COMPLETER_ROLE_NAME, completerThreads, completerIdle.get(), completerErrors);
        }
        completer.submit(() ->
        {
            completed(pending);
            return null;
        });
    }

    /**
     * Waits until every snapshot handed to the background is complete, then stops its thread. Idempotent.
     *
     * @return false if that took longer than {@code timeoutMs} (the thread is interrupted then).
     */
    public synchronized boolean close(final long timeoutMs)
    {
        closed = true;
        return completer == null || completer.stop(timeoutMs);
    }

    public static String shardFile(final int shard)
    {
        return "shard-" + shard + ".snap";
    }

    static String name(final long position)
    {
        return String.format("%020d", position);
    }

    /**
     * Starts a snapshot at a journal position (everything below it is in the state): writes the engine's part now.
     * Journaler thread, or the replica's thread with the replica's journaler (its state at that position).
     *
     * @return what each shard completes, or null if it could not be started (counted and recorded).
     */
    Pending begin(final long position, final Snapshottable engineState)
    {
        return begin(position, engineState, awaitSinks, true);
    }

    /**
     * A snapshot at close, once the threads are stopped and the egress has drained: nothing can be waiting for the
     * sinks, and the last shard to write its part completes it on its (the closing) thread.
     */
    public Pending beginAtClose(final long position, final Snapshottable engineState)
    {
        return begin(position, engineState, false, false);
    }

    private Pending begin(final long position, final Snapshottable engineState, final boolean awaitDelivery, final boolean background)
    {
        final Pending pending = new Pending(position, awaitDelivery, background);
        try
        {
            Files.createDirectories(pending.tmp);
            try (SnapshotWriter out = new SnapshotWriter(pending.tmp.resolve(ENGINE_FILE), SnapshotWriter.KIND_ENGINE, -1, position, journalId))
            {
                engineState.writeSnapshot(out);
                out.finish(false);
                pending.bytes.addAndGet(out.bytesWritten());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            pending.fail(ex);
        }
        pending.done();
        return pending;
    }

    /**
     * The snapshots on disk, newest first, that are complete and at or below {@code end}.
     */
    public List<Long> positions(final long end) throws IOException
    {
        final List<Long> positions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (name.length() == 20 && name.chars().allMatch(Character::isDigit))
                {
                    final long position = Long.parseLong(name);
                    if (position <= end)
                    {
                        positions.add(position);
                    }
                }
            }
        }
        positions.sort(Comparator.reverseOrder());
        return positions;
    }

    public Path directoryOf(final long position)
    {
        return directory.resolve(name(position));
    }

    /**
     * Opens and verifies (size, trailer, CRC, header) every file of one snapshot.
     *
     * @return the engine's reader first, then one per shard; close them all.
     * @throws SnapshotCorruptedException if a file is missing, damaged, or from another journal or shard count.
     */
    public SnapshotReader[] open(final long position) throws IOException
    {
        final Path dir = directoryOf(position);
        final SnapshotReader[] readers = EngineSnapshot.open(dir, shardCount);
        if (readers[0].position() != position || readers[0].journalId() != journalId)
        {
            for (final SnapshotReader reader : readers)
            {
                reader.close();
            }
            throw new SnapshotCorruptedException("snapshot " + dir + " does not belong here: position " + readers[0].position() +
                ", journal id " + Long.toHexString(readers[0].journalId()) + "; expected position " + position + ", journal id " +
                Long.toHexString(journalId));
        }
        return readers;
    }

    private void deleteIncomplete() throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + TMP))
        {
            for (final Path entry : entries)
            {
                deleteTree(entry);
            }
        }
    }

    /**
     * Forces a written snapshot to disk, renames it into place and applies retention (or, if it failed, deletes it).
     * The completer's thread, or the thread that finished it.
     */
    private void completed(final Pending pending)
    {
        if (pending.failure != null)
        {
            counters.recordError(pending.failure);
            counters.snapshotsFailed.incrementRelease();
            try
            {
                deleteTree(pending.tmp);
            }
            catch (final IOException ex)
            {
                counters.recordError(ex);
            }
            return;
        }
        try
        {
            forceAll(pending.tmp);
            Files.move(pending.tmp, directoryOf(pending.position), StandardCopyOption.ATOMIC_MOVE);
            force(directory);
            // the count last: a reader that sees it sees the snapshot's position and size
            counters.snapshotPosition.setRelease(pending.position);
            counters.snapshotBytes.setRelease(pending.bytes.get());
            counters.snapshots.incrementRelease();
            final List<Long> positions = positions(Long.MAX_VALUE);
            for (int i = keep; i < positions.size(); i++)
            {
                // renamed first, so that a kill in the middle of the deletion leaves an incomplete snapshot (deleted at
                // the next start), not a complete-looking one with files missing
                final Path doomed = directory.resolve(name(positions.get(i)) + TMP);
                Files.move(directoryOf(positions.get(i)), doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(doomed);
            }
            final JournalRetention journal = retention;
            if (deleteJournal && journal != null)
            {
                journal.retainFrom(positions.get(Math.min(keep, positions.size()) - 1));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.recordError(ex);
            counters.snapshotsFailed.incrementRelease();
        }
    }

    /** Forces every file of a snapshot directory, then the directory itself (its entries). */
    private static void forceAll(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                force(file);
            }
        }
        force(dir);
    }

    private static void force(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    public static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * One snapshot being written: the engine's part and each shard's; the last to be done completes it.
     */
    public final class Pending
    {
        final long position;
        final Path tmp;
        final AtomicInteger remaining = new AtomicInteger(1 + shardCount);
        final boolean awaitDelivery;
        final boolean background;
        final AtomicLong bytes = new AtomicLong();
        volatile Throwable failure;

        Pending(final long position, final boolean awaitDelivery, final boolean background)
        {
            this.position = position;
            this.awaitDelivery = awaitDelivery;
            this.background = background;
            this.tmp = directory.resolve(name(position) + TMP);
        }

        /**
         * Writes one shard's part. The shard's thread.
         */
        public void writeShard(final int shard, final ShardRunner runner)
        {
            try (SnapshotWriter out = new SnapshotWriter(tmp.resolve(shardFile(shard)), SnapshotWriter.KIND_SHARD, shard, position, journalId))
            {
                runner.writeSnapshot(out);
                out.finish(false);
                bytes.addAndGet(out.bytesWritten());
            }
            catch (final IOException | RuntimeException ex)
            {
                fail(ex);
            }
            done();
        }

        void fail(final Throwable error)
        {
            if (failure == null)
            {
                failure = new EngineException("the snapshot at journal position " + position + " failed: " + error, error);
            }
        }

        void done()
        {
            if (remaining.decrementAndGet() == 0)
            {
                if (awaitDelivery && failure == null)
                {
                    awaitingDelivery.add(this);
                    if (egressDoorbell != null)
                    {
                        egressDoorbell.ring();
                    }
                }
                else if (background)
                {
                    completeInBackground(this);
                }
                else
                {
                    completed(this);
                }
            }
        }
    }
}
