package io.ringside.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringside.journal.RecordDescriptor.FLAGS_OFFSET;
import static io.ringside.journal.RecordDescriptor.PARTITION_OFFSET;
import static io.ringside.journal.RecordDescriptor.POSITION_OFFSET;
import static io.ringside.journal.RecordDescriptor.RESERVED_OFFSET;
import static io.ringside.journal.RecordDescriptor.SOURCE_ID_OFFSET;
import static io.ringside.journal.RecordDescriptor.SOURCE_OFFSET_OFFSET;
import static io.ringside.journal.RecordDescriptor.TIMESTAMP_OFFSET;
import static io.ringside.journal.RecordDescriptor.TYPE_OFFSET;

/**
 * The single writer of a journal directory. Opening it takes the directory's lock file, checks every
 * segment header, verifies the records of the last two segments, cuts off a torn tail and refuses
 * corruption ({@link RecoveryReport}, {@link JournalCorruptedException}).
 * <p>
 * Records are appended with {@link #append} (copy in) or {@link #claim}, writing the payload into
 * {@link #buffer()} at {@link #payloadOffset()}, then {@link #commit()}; neither allocates. A record is
 * visible to readers, in this process or another, once committed: its frame length is stored last,
 * with release semantics. {@link #endOfBatch()} applies the {@link DurabilityPolicy}.
 * <p>
 * <b>Thread safety:</b> one thread only. Every method must be called from the thread that appends;
 * readers ({@link JournalReader}) run on other threads or processes without coordination.
 */
public final class JournalAppender implements AutoCloseable
{
    private static final int ZERO_CHUNK = 1024 * 1024;
    /** Pages the preparer touches ahead of the appender in one cycle at most (1 MiB: 1-20 ms on a VM, once after a roll). */
    private static final int MAX_TOUCHES_PER_CYCLE = 256;
    private static final AtomicLongFieldUpdater<JournalAppender> TOUCHED_PAGES =
        AtomicLongFieldUpdater.newUpdater(JournalAppender.class, "touchedPages");

    private final Path directory;
    private final int segmentSize;
    private final int maxPayloadLength;
    private final DurabilityPolicy durability;
    private final boolean preallocate;
    private final boolean prefault;
    private final int touchAhead;
    private final NanoClock nanoClock;
    private long journalId;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private RecoveryReport recovery;
    private final FrameValidator validator = new FrameValidator();
    private final ByteBuffer headerBuffer = ByteBuffer.allocateDirect(SegmentDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer zeros;
    /** Prepares the next segment ahead of the roll when preallocating; null otherwise. */
    private final BackgroundAgent preparer;
    private CompletableFuture<Segment> prepared;
    private long preparedBase = -1;

    private Segment segment;
    private UnsafeBuffer buffer;
    private int tailOffset;
    private int forcedOffset;
    private int claimOffset = -1;
    private int claimFrameLength;
    private long lastForceNs;
    private long forcedPosition;
    private long forceCount;
    private boolean closed;
    /** The segment being appended to, for the preparer's touches ahead ({@link #touchAheadOfTail}). */
    private volatile Segment current;
    private Segment touchedSegment;
    private int touchedOffset;
    private volatile long touchedPages;

    private JournalAppender(final JournalContext ctx, final FileChannel lockChannel, final FileLock lock)
    {
        this.directory = ctx.directory();
        this.segmentSize = ctx.segmentSize();
        this.maxPayloadLength = ctx.maxPayloadLength();
        this.durability = ctx.durability();
        this.preallocate = ctx.preallocate();
        this.prefault = ctx.prefault();
        this.touchAhead = ctx.preallocate() && !ctx.prefault() ? ctx.touchAhead() : 0;
        this.nanoClock = ctx.nanoClock();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.preparer = preallocate ? new BackgroundAgent(JournalContext.PREPARER_ROLE_NAME, ctx.preparerThreadFactory(),
            ctx.preparerIdleStrategy(), Throwable::printStackTrace) : null;
        try
        {
            openSegments();
            if (preparer != null && touchAhead > 0)
            {
                preparer.duty(this::touchAheadOfTail);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // nothing of a failed open outlives it: not the preparer thread, not a mapped segment
            if (preparer != null)
            {
                preparer.kill();
            }
            if (segment != null)
            {
                segment.close();
            }
            throw ex;
        }
    }

    private void openSegments()
    {
        deleteTempFiles(directory);
        final JournalLayout layout = JournalLayout.inspect(directory);
        if (layout.isEmpty())
        {
            journalId = ThreadLocalRandom.current().nextLong() | 1L;
            useSegment(installSegment(0), SegmentDescriptor.HEADER_LENGTH);
            recovery = new RecoveryReport(SegmentDescriptor.HEADER_LENGTH, 0, -1, 0, null, 0, true);
        }
        else
        {
            if (layout.segmentSize != segmentSize)
            {
                throw new JournalFormatException("wrong segment size: the journal in " + directory + " has segments of " +
                    layout.segmentSize + " bytes, but the context asks for " + segmentSize +
                    "; open it with JournalContext.segmentSize(" + layout.segmentSize + ") or use another directory");
            }
            journalId = layout.journalId;
            recovery = recover(layout);
        }
        if (durability.forces())
        {
            // what an earlier process wrote may still be in the page cache only: force it before calling it durable
            segment.mapped.force();
        }
        forcedPosition = position();
        lastForceNs = nanoClock.nanoTime();
        prepareNext();
    }

    /**
     * Opens (creating if need be) the journal in the context's directory for appending.
     *
     * @param ctx the configuration; concluded here.
     * @return the appender, positioned after the last valid record.
     * @throws JournalLockedException    if another appender holds the directory.
     * @throws JournalFormatException    if the directory is not a journal, or not one this context can open.
     * @throws JournalCorruptedException if a bad record is followed by valid ones; nothing is changed then.
     */
    public static JournalAppender open(final JournalContext ctx)
    {
        ctx.conclude();
        final Path directory = ctx.directory();
        try
        {
            if (Files.exists(directory) && !Files.isDirectory(directory))
            {
                throw new JournalFormatException("not a journal: " + directory + " is a file, not a directory");
            }
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create journal directory " + directory, ex);
        }

        final Path lockFile = directory.resolve(SegmentDescriptor.LOCK_FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = tryLock(channel, lockFile);
            try
            {
                return new JournalAppender(ctx, channel, lock);
            }
            catch (final RuntimeException ex)
            {
                lock.release();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock journal " + directory, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static FileLock tryLock(final FileChannel channel, final Path lockFile) throws IOException
    {
        final FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new JournalLockedException("journal " + lockFile.getParent() +
                " is already open for appending in this process (lock file " + lockFile + "); a journal has one writer");
        }
        if (lock == null)
        {
            throw new JournalLockedException("journal " + lockFile.getParent() +
                " is already open for appending by another process (lock file " + lockFile + "); a journal has one writer");
        }
        return lock;
    }

    /**
     * @return the id every segment header of this journal carries (random, chosen when the journal was created).
     */
    public long journalId()
    {
        return journalId;
    }

    /**
     * @return what opening found and did: the end position and any torn tail cut off.
     */
    public RecoveryReport recovery()
    {
        return recovery;
    }

    /**
     * @return the position the next record will have (after a full segment: the first record of the next).
     */
    public long position()
    {
        return tailOffset == segmentSize ?
            segment.basePosition + segmentSize + SegmentDescriptor.HEADER_LENGTH : segment.basePosition + tailOffset;
    }

    public Path directory()
    {
        return directory;
    }

    public int segmentSize()
    {
        return segmentSize;
    }

    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    public DurabilityPolicy durability()
    {
        return durability;
    }

    /**
     * @return every record below this position is durable under the policy: for {@link DurabilityPolicy#PAGE_CACHE}
     * (durable against a crash of the process) every committed record, so {@link #position()}; for the
     * forcing policies, the position at the last force.
     */
    public long durablePosition()
    {
        return durability.forces() ? forcedPosition : position();
    }

    /**
     * @return forces done since open (policy forces, explicit ones and those at segment rolls).
     */
    public long forceCount()
    {
        return forceCount;
    }

    /**
     * Appends one record, copying its payload from {@code src}.
     *
     * @return the record's journal position.
     * @throws IllegalArgumentException if the payload is longer than {@link #maxPayloadLength()} or a field is out of range.
     * @throws IllegalStateException    if the appender is closed or a claim is open.
     */
    public long append(
        final int type, final int flags, final int sourceId, final int partition, final long sourceOffset, final long timestamp,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final long position = claim(type, flags, sourceId, partition, sourceOffset, timestamp, length);
        buffer.putBytes(RecordDescriptor.payloadOffset(claimOffset), src, srcOffset, length);
        commit();
        return position;
    }

    /**
     * Claims space for a record and writes its header; write the payload into {@link #buffer()} from
     * {@link #payloadOffset()}, then {@link #commit()} or {@link #abort()}. Rolls to a new segment if
     * the record does not fit in this one.
     *
     * @param type          record type, 0 to 32767 (the engine's slot types).
     * @param flags         16 bits for the caller.
     * @param sourceId      the source the record came from.
     * @param partition     the source's partition.
     * @param sourceOffset  the record's offset in its source partition.
     * @param timestamp     a time chosen by the caller (the journal never reads a clock for it).
     * @param payloadLength bytes of payload, 0 to {@link #maxPayloadLength()}.
     * @return the record's journal position.
     */
    public long claim(
        final int type, final int flags, final int sourceId, final int partition, final long sourceOffset, final long timestamp,
        final int payloadLength)
    {
        if (closed || claimOffset >= 0)
        {
            throw new IllegalStateException(closed ? "journal " + directory + " is closed" :
                "a claim is open at position " + segment.position(claimOffset) + ": commit or abort it first");
        }
        if (payloadLength < 0 || payloadLength > maxPayloadLength)
        {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes does not fit this journal: 0 to " +
                maxPayloadLength + " bytes (segment size " + segmentSize + ")");
        }
        if ((type & ~0x7FFF) != 0 || (flags & ~0xFFFF) != 0)
        {
            throw new IllegalArgumentException("type must be 0..32767 and flags 16 bits, were " + type + " and 0x" + Integer.toHexString(flags));
        }
        final int frameLength = RecordDescriptor.frameLength(payloadLength);
        if (tailOffset + frameLength > segmentSize)
        {
            roll();
        }
        final int offset = tailOffset;
        final UnsafeBuffer buffer = this.buffer;
        buffer.putShort(offset + TYPE_OFFSET, (short)type);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags);
        buffer.putInt(offset + SOURCE_ID_OFFSET, sourceId);
        buffer.putLong(offset + POSITION_OFFSET, segment.basePosition + offset);
        buffer.putInt(offset + PARTITION_OFFSET, partition);
        buffer.putInt(offset + RESERVED_OFFSET, 0);
        buffer.putLong(offset + SOURCE_OFFSET_OFFSET, sourceOffset);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp);
        claimOffset = offset;
        claimFrameLength = frameLength;
        return segment.basePosition + offset;
    }

    /**
     * @return the buffer of the open claim: the mapped segment. Valid until {@link #commit()} or {@link #abort()}.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the open claim's payload starts in {@link #buffer()}.
     */
    public int payloadOffset()
    {
        checkClaim();
        return RecordDescriptor.payloadOffset(claimOffset);
    }

    /**
     * Seals the open claim: computes its CRC and publishes its frame length (release store).
     */
    public void commit()
    {
        checkClaim();
        final int offset = claimOffset;
        final int frameLength = claimFrameLength;
        buffer.putInt(offset + RecordDescriptor.CRC_OFFSET, validator.checksum(segment, offset, frameLength));
        buffer.putIntRelease(offset, frameLength);
        tailOffset = offset + RecordDescriptor.alignedLength(frameLength);
        claimOffset = -1;
    }

    /**
     * Drops the open claim: nothing of it becomes visible, and the next record takes its place.
     */
    public void abort()
    {
        checkClaim();
        buffer.setMemory(claimOffset, RecordDescriptor.alignedLength(claimFrameLength), (byte)0);
        claimOffset = -1;
    }

    /**
     * Sets the open claim's 32-bit user field ({@link JournalRecord#userField()}), which the journal stores and does not
     * interpret; 0 unless set.
     *
     * @return this.
     */
    public JournalAppender userField(final int value)
    {
        checkClaim();
        buffer.putInt(claimOffset + RESERVED_OFFSET, value);
        return this;
    }

    private void checkClaim()
    {
        if (claimOffset < 0)
        {
            throw new IllegalStateException("no claim is open");
        }
    }

    /**
     * Marks the end of a batch of records (the ring's end-of-batch) and applies the durability policy:
     * {@link DurabilityPolicy#GROUP_COMMIT} forces now; an interval policy forces if the interval has
     * passed since the last force; {@link DurabilityPolicy#PAGE_CACHE} does nothing.
     */
    public void endOfBatch()
    {
        if (closed)
        {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
        segment.publishTail(tailOffset);
        switch (durability.kind())
        {
            case GROUP_COMMIT:
                force();
                break;
            case INTERVAL:
                if (nanoClock.nanoTime() - lastForceNs >= durability.intervalNs())
                {
                    force();
                }
                break;
            default:
                break;
        }
    }

    /**
     * Forces every committed record to the storage device, whatever the policy. Returns at once when
     * nothing was written since the last force.
     */
    public void force()
    {
        if (closed)
        {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
        final int end = Math.min(tailOffset, segmentSize);
        if (end > forcedOffset)
        {
            segment.mapped.force(forcedOffset, end - forcedOffset);
            forcedOffset = end;
            forceCount++;
        }
        forcedPosition = position();
        lastForceNs = nanoClock.nanoTime();
    }

    /**
     * Deletes the segment files that lie wholly below {@code position} (retention, once a snapshot
     * covers them). The segment being written is never deleted. Readers that still map a deleted
     * segment keep reading it; a reader that seeks into one is told it was deleted.
     *
     * @param position a journal position at or below {@link #position()}.
     * @return the number of segment files deleted.
     */
    public int deleteSegmentsBelow(final long position)
    {
        if (closed)
        {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
        if (position > position())
        {
            throw new IllegalArgumentException("cannot delete below position " + position + ": the journal ends at " + position());
        }
        int deleted = 0;
        for (final Path file : JournalLayout.inspect(directory).segments)
        {
            final long base = SegmentDescriptor.basePosition(file);
            if (base + segmentSize <= position && base < segment.basePosition)
            {
                try
                {
                    Files.delete(file);
                    deleted++;
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot delete journal segment " + file, ex);
                }
            }
        }
        return deleted;
    }

    /**
     * Forces what the policy would have forced (every policy but {@link DurabilityPolicy#PAGE_CACHE}),
     * unmaps the segment and releases the lock. Idempotent. An open claim is dropped.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (claimOffset >= 0)
            {
                abort();
            }
            if (durability.forces())
            {
                force();
            }
        }
        finally
        {
            closed = true;
            stopPreparer();
            segment.close();
            try
            {
                lock.release();
            }
            catch (final IOException ignore)
            {
                // closing the channel releases it too
            }
            closeQuietly(lockChannel);
        }
    }

    public boolean isClosed()
    {
        return closed;
    }

    private RecoveryReport recover(final JournalLayout layout)
    {
        final int count = layout.segments.size();
        final JournalScanner.Result end = new JournalScanner().scan(layout, Math.max(0, count - 2));
        int deleted = 0;
        for (int i = end.endSegmentIndex + 1; i < count; i++)
        {
            deleteFile(layout.segments.get(i));
            deleted++;
        }
        final long endBase = SegmentDescriptor.segmentBase(end.endPosition, segmentSize);
        useSegment(end.endSegmentIndex < count ?
            Segment.map(layout.segments.get(end.endSegmentIndex), endBase, segmentSize, true) : installSegment(endBase),
            (int)(end.endPosition - endBase));
        if (end.tornPosition >= 0)
        {
            final int from = (int)(end.tornPosition - endBase);
            final int last = JournalScanner.lastNonZeroOffset(segment, from);
            if (last >= from)
            {
                buffer.setMemory(from, last - from + 1, (byte)0);
                segment.mapped.force(from, last - from + 1);
            }
        }
        return new RecoveryReport(end.endPosition, end.records, end.tornPosition, end.tornBytes, end.tornReason, deleted, false);
    }

    private void roll()
    {
        final int remaining = segmentSize - tailOffset;
        if (remaining > 0)
        {
            buffer.putIntRelease(tailOffset, -remaining);
            tailOffset = segmentSize;
        }
        if (durability.forces())
        {
            force();
        }
        final Segment old = segment;
        useSegment(installSegment(old.basePosition + segmentSize), SegmentDescriptor.HEADER_LENGTH);
        if (preparer != null)
        {
            preparer.submit(() ->
            {
                old.close();
                return null;
            });
        }
        else
        {
            old.close();
        }
        prepareNext();
    }

    /**
     * Starts preparing the segment after the current one on the preparer thread: filled, with its
     * header, mapped, and with {@link JournalContext#prefault(boolean)} every page faulted in for writing, so that
     * the roll only renames it and the appender never waits for an unmap (nor, prefaulted, for a page fault).
     */
    private void prepareNext()
    {
        if (preparer != null)
        {
            final long base = segment.basePosition + segmentSize;
            preparedBase = base;
            prepared = preparer.submit(() -> prepareAndMap(base));
        }
    }

    /** {@link #prepareSegment}, then maps it (and prefaults every page for writing); a failure deletes the file. */
    private Segment prepareAndMap(final long basePosition) throws IOException
    {
        final Path file = directory.resolve(SegmentDescriptor.fileName(basePosition));
        final Path temp = directory.resolve(SegmentDescriptor.fileName(basePosition) + ".tmp");
        try
        {
            final Segment prepared = Segment.map(prepareSegment(basePosition), file, basePosition, segmentSize, true);
            if (prefault)
            {
                prepared.pretouchForWriting();
            }
            return prepared;
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.deleteIfExists(temp);
            throw ex;
        }
    }

    /**
     * @return the segment for {@code basePosition}, in place under its name and mapped for writing:
     * the prepared one, or one made now.
     */
    private Segment installSegment(final long basePosition)
    {
        final Path file = directory.resolve(SegmentDescriptor.fileName(basePosition));
        final Path temp = directory.resolve(SegmentDescriptor.fileName(basePosition) + ".tmp");
        Segment next = null;
        try
        {
            if (prepared != null)
            {
                final boolean wanted = preparedBase == basePosition;
                next = awaitPrepared();
                if (!wanted)
                {
                    next.close();
                    Files.deleteIfExists(next.mappedFile);
                    next = null;
                }
            }
            if (next == null)
            {
                next = preallocate ? prepareAndMap(basePosition) : Segment.map(prepareSegment(basePosition), file, basePosition, segmentSize, true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            if (durability.forces())
            {
                forceDirectory();
            }
            return next;
        }
        catch (final IOException ex)
        {
            if (next != null)
            {
                next.close();
            }
            throw new UncheckedIOException("cannot create journal segment " + file + " (" + segmentSize + " bytes; disk full?)", ex);
        }
    }

    private Segment awaitPrepared()
    {
        final CompletableFuture<Segment> pending = prepared;
        prepared = null;
        preparedBase = -1;
        try
        {
            return pending.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new JournalException("interrupted while waiting for the next journal segment to be prepared", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException)
            {
                throw new UncheckedIOException("cannot prepare the next journal segment in " + directory +
                    " (" + segmentSize + " bytes; disk full?)", (IOException)cause);
            }
            throw new JournalException("cannot prepare the next journal segment in " + directory, cause);
        }
    }

    /**
     * Lets the preparer finish what it was given (unmapping retired segments, preparing the next one),
     * then unmaps the prepared segment that will not be used and deletes its file.
     */
    private void stopPreparer()
    {
        if (preparer == null)
        {
            return;
        }
        if (!preparer.stop(60_000))
        {
            throw new JournalException("the journal's segment preparer did not stop within 60 s");
        }
        try
        {
            if (prepared != null)
            {
                awaitPrepared().close();
            }
        }
        catch (final RuntimeException ex)
        {
            // the next segment failed to be prepared; it is not needed any more and holds nothing to release
        }
        deleteTempFiles(directory);
    }

    private void useSegment(final Segment next, final int offset)
    {
        segment = next;
        buffer = next.buffer;
        tailOffset = offset;
        forcedOffset = offset;
        next.publishTail(offset);
        current = next;
    }

    /**
     * The preparer's duty with {@link JournalContext#touchAhead(int)}: writes once each page of the current segment from
     * the appender's tail (as of its last {@link #endOfBatch}) up to {@code touchAhead} bytes beyond it, a page at most
     * once, at most {@value #MAX_TOUCHES_PER_CYCLE} pages a cycle. The current segment is unmapped only on the preparer
     * thread (a retired one) or after it has stopped (at close), so a touch never lands on an unmapped segment.
     *
     * @return pages touched.
     */
    private int touchAheadOfTail()
    {
        final Segment s = current;
        if (s == null)
        {
            return 0;
        }
        if (s != touchedSegment)
        {
            touchedSegment = s;
            touchedOffset = 0;
        }
        final int tail = s.publishedTail();
        final long limit = Math.min(s.size, (long)tail + touchAhead);
        int page = Math.max(touchedOffset, BitUtil.align(tail, Segment.PAGE_SIZE));
        int touched = 0;
        while (page + Segment.PAGE_SIZE <= limit && touched < MAX_TOUCHES_PER_CYCLE)
        {
            s.touchPage(page);
            page += Segment.PAGE_SIZE;
            touched++;
        }
        if (touched > 0)
        {
            touchedOffset = page;
            TOUCHED_PAGES.lazySet(this, touchedPages + touched);
        }
        return touched;
    }

    /**
     * @return pages the preparer has touched ahead of the appender so far ({@link JournalContext#touchAhead(int)}). Any thread.
     */
    public long touchedPages()
    {
        return touchedPages;
    }

    /**
     * Makes a segment under a temporary name: filled (preallocated) or sparse, with its header written
     * (and forced, under a forcing policy). {@link #installSegment} renames it into place, so readers
     * never see a segment without its header. Runs on the preparer thread, or on the appender thread
     * when nothing is being prepared: never on both at once (the appender waits for the preparer first).
     */
    private Path prepareSegment(final long basePosition) throws IOException
    {
        final Path temp = directory.resolve(SegmentDescriptor.fileName(basePosition) + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (preallocate)
            {
                zeroFill(channel);
            }
            else
            {
                channel.write(ByteBuffer.allocate(1), segmentSize - 1);
            }
            JournalLayout.writeHeader(headerBuffer, segmentSize, basePosition, journalId);
            headerBuffer.clear();
            while (headerBuffer.hasRemaining())
            {
                channel.write(headerBuffer, headerBuffer.position());
            }
            if (durability.forces())
            {
                // The header must survive power loss; the zeros need not (unwritten blocks read back as
                // zeros), so force only the header's page and the file's size, not the whole segment.
                forceHeader(channel);
            }
        }
        return temp;
    }

    /**
     * Writes zeros through a new segment, so that the file system has backed every block before the segment is mapped:
     * a full disk fails here, with an IOException, rather than as a fault inside a later write to a mapped page.
     * (A one-byte write per page does the same with 1/4096 of the bytes; it was 2-3 times cheaper alone, but not
     * cheaper inside the engine under Kafka ingest: tuning.md, "Segments".)
     */
    private void zeroFill(final FileChannel channel) throws IOException
    {
        if (zeros == null)
        {
            zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        }
        for (long written = 0; written < segmentSize; )
        {
            zeros.clear().limit((int)Math.min(ZERO_CHUNK, segmentSize - written));
            written += channel.write(zeros, written);
        }
    }

    private static void forceHeader(final FileChannel channel) throws IOException
    {
        final MappedByteBuffer header = channel.map(FileChannel.MapMode.READ_WRITE, 0, SegmentDescriptor.HEADER_LENGTH);
        try
        {
            header.force();
        }
        finally
        {
            IoUtil.unmap(header);
        }
    }

    private void forceDirectory() throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    private static void deleteTempFiles(final Path directory)
    {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, "*" + SegmentDescriptor.TEMP_SUFFIX))
        {
            for (final Path temp : temps)
            {
                Files.delete(temp);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove unfinished segment files in " + directory, ex);
        }
    }

    private static void deleteFile(final Path file)
    {
        try
        {
            Files.delete(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete journal segment " + file, ex);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to release
            }
        }
    }
}
