package io.ringside.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ringside.engine.EngineSnapshot;
import io.ringside.engine.SnapshotCorruptedException;

/**
 * The partitions' engine snapshots that the members of a consumer group publish where every member can read them, so
 * that a partition's new owner starts from the newest one and re-reads from Kafka only the records after it. In tests
 * and on one host a directory; in production a filesystem every member mounts (NFS, EFS) or, with the same layout
 * and an atomic put, an object store.
 * <pre>
 *   ROOT/&lt;group&gt;/&lt;topic&gt;-&lt;partition&gt;/o&lt;offset, 20 digits&gt;.d&lt;delivered offset&gt;.&lt;delivered ordinal&gt;/
 *       engine.snap  shard-0.snap  engine.id        (the engine's own snapshot files: {@link EngineSnapshot#copyTo})
 * </pre>
 * The name says the last input offset the state covers and the delivered mark: the last output id the group had
 * committed when the snapshot was complete, which covers every output caused at or below that offset. A snapshot is
 * written under {@code <name>.tmp}, forced and renamed ({@link EngineSnapshot#copyTo}); after each publication the
 * partition keeps its newest {@value #KEEP}.
 * <p>
 * {@link #newest} takes the newest usable one and refuses, with the reason and the file, one that is damaged, whose
 * files do not match its name, whose delivered mark is ahead of what the group committed (another group's, or a topic
 * made again), or whose following records retention deleted. Any thread; several processes may publish and read at
 * once (a reader whose snapshot is pruned under it passes to the next).
 */
public final class PublishedSnapshots
{
    /** Snapshots kept per partition after a publication. */
    public static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("o(\\d{20})\\.d(-?\\d+)\\.(-?\\d+)");
    private static final long STALE_MS = 60_000;

    private final Path groupDirectory;
    private final String topic;

    /**
     * @param root      the shared directory.
     * @param group     the consumer group (the delivered marks are its).
     * @param topic     the input topic.
     */
    public PublishedSnapshots(final Path root, final String group, final String topic)
    {
        this.groupDirectory = root.resolve(group);
        this.topic = topic;
    }

    /**
     * A published snapshot, by its name.
     *
     * @param directory its directory.
     * @param offset    the last input offset it covers.
     * @param delivered the group's delivered mark when it was published.
     */
    public record Published(Path directory, long offset, KafkaPartitionSink.Delivered delivered)
    {
    }

    /**
     * @return the directory of one partition's snapshots.
     */
    public Path directory(final int partition)
    {
        return groupDirectory.resolve(topic + "-" + partition);
    }

    /**
     * @return the name of a snapshot covering the input up to {@code offset}, published with the delivered mark.
     */
    public static String name(final long offset, final KafkaPartitionSink.Delivered delivered)
    {
        return String.format("o%020d.d%d.%d", offset, delivered.offset(), delivered.ordinal());
    }

    /**
     * Publishes one engine snapshot of a partition (copied atomically), then prunes the partition's older ones.
     *
     * @param offset    the last input offset the snapshot covers (its {@link EngineSnapshot#sourceOffset}).
     * @param delivered what the group had committed once the snapshot was complete: covers every output caused at or
     *                  below {@code offset}.
     * @return the published directory, or null if one of that name was there already.
     * @throws IOException if it could not be written (nothing is published under its name then).
     */
    public Path publish(final int partition, final EngineSnapshot snapshot, final long offset, final KafkaPartitionSink.Delivered delivered)
        throws IOException
    {
        final Path dir = directory(partition);
        Files.createDirectories(dir);
        final Path target = dir.resolve(name(offset, delivered));
        if (Files.exists(target))
        {
            return null;
        }
        snapshot.copyTo(target);
        prune(partition, target);
        return target;
    }

    /**
     * @return the partition's published snapshots, newest (largest offset) first.
     */
    public List<Published> list(final int partition) throws IOException
    {
        final List<Published> found = new ArrayList<>();
        final Path dir = directory(partition);
        if (!Files.isDirectory(dir))
        {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                final Matcher matcher = NAME.matcher(entry.getFileName().toString());
                if (matcher.matches())
                {
                    found.add(new Published(entry, Long.parseLong(matcher.group(1)), new KafkaPartitionSink.Delivered(
                        Long.parseLong(matcher.group(2)), Integer.parseInt(matcher.group(3)), false)));
                }
            }
        }
        found.sort(Comparator.comparingLong(Published::offset).thenComparingLong(p -> p.delivered().offset())
            .thenComparingInt(p -> p.delivered().ordinal()).reversed());
        return found;
    }

    /**
     * Finds the newest usable snapshot of a partition and copies it to {@code localCopy} (replaced), where the new
     * owner's engine loads it ({@code EngineContext.seedSnapshot}). Each one passed over is told to {@code refusals}
     * with its reason.
     *
     * @param sourceId        the source id the partition's events carry in its engine (partition 0 of it).
     * @param delivered       what the group's committed offset says was delivered.
     * @param beginningOffset the partition's first offset still held by Kafka.
     * @return the snapshot taken (its {@link Published#directory()} is the local copy), or null: none usable.
     */
    public Published newest(final int partition, final int sourceId, final KafkaPartitionSink.Delivered delivered, final long beginningOffset,
        final Path localCopy, final Consumer<String> refusals)
    {
        final List<Published> candidates;
        try
        {
            candidates = list(partition);
        }
        catch (final IOException ex)
        {
            refusals.accept("the published snapshots in " + directory(partition) + " cannot be listed: " + ex);
            return null;
        }
        for (final Published candidate : candidates)
        {
            final String refusal = refusal(candidate, sourceId, delivered, beginningOffset, localCopy);
            if (refusal == null)
            {
                return new Published(localCopy, candidate.offset(), candidate.delivered());
            }
            refusals.accept("refused the published snapshot " + candidate.directory() + ": " + refusal);
        }
        return null;
    }

    /**
     * @return why the snapshot cannot be used, or null once it is copied to {@code localCopy}.
     */
    private static String refusal(final Published candidate, final int sourceId, final KafkaPartitionSink.Delivered delivered,
        final long beginningOffset, final Path localCopy)
    {
        final KafkaPartitionSink.Delivered mark = candidate.delivered();
        if (!delivered.covers(mark.offset(), mark.ordinal()))
        {
            return "its name says outputs up to " + mark.offset() + ":" + mark.ordinal() + " were delivered, but the group's committed " +
                "offset says only up to " + delivered.offset() + ":" + delivered.ordinal() + " (another group's snapshot, or the topic was " +
                "made again?): the outputs between would be lost";
        }
        if (candidate.offset() + 1 < beginningOffset)
        {
            return "the records after its offset " + candidate.offset() + " were deleted by retention (the partition begins at " +
                beginningOffset + ")";
        }
        try
        {
            final EngineSnapshot snapshot = EngineSnapshot.verify(candidate.directory());
            final long covered = snapshot.sourceOffset(sourceId, 0);
            if (covered != candidate.offset())
            {
                return "its files cover input offset " + covered + " of source " + sourceId + ", its name says " + candidate.offset() +
                    " (not this partition's, or renamed?)";
            }
            deleteTree(localCopy);
            Files.createDirectories(localCopy.getParent());
            snapshot.copyTo(localCopy, false);   // a scratch copy: a crash starts the take over
            return null;
        }
        catch (final SnapshotCorruptedException ex)
        {
            return ex.getMessage();
        }
        catch (final IOException | RuntimeException ex)
        {
            return "it cannot be read (pruned meanwhile?): " + ex;
        }
    }

    /**
     * Keeps the newest {@value #KEEP} of a partition (and the one just published) and deletes the temporary copies that
     * killed publishers left (older than a minute).
     */
    private void prune(final int partition, final Path published) throws IOException
    {
        final List<Published> all = list(partition);
        for (int i = KEEP; i < all.size(); i++)
        {
            final Path doomed = all.get(i).directory();
            if (!doomed.equals(published))
            {
                // renamed first: a reader never finds a complete-looking name with files missing
                final Path deleting = doomed.resolveSibling(doomed.getFileName() + ".deleting");
                try
                {
                    Files.move(doomed, deleting, StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(deleting);
                }
                catch (final IOException ex)
                {
                    // another member pruned it first
                }
            }
        }
        final long now = System.currentTimeMillis();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory(partition), "*.{tmp,deleting}"))
        {
            for (final Path entry : entries)
            {
                try
                {
                    if (now - Files.getLastModifiedTime(entry).toMillis() > STALE_MS)
                    {
                        deleteTree(entry);
                    }
                }
                catch (final IOException ex)
                {
                    // gone meanwhile
                }
            }
        }
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
