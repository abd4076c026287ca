package io.ringside.journal;

import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Configuration of a {@link JournalAppender}, in the manner of Aeron's contexts: set what differs from
 * the defaults, then {@link JournalAppender#open(JournalContext)} calls {@link #conclude()}, which
 * validates everything once. Not thread-safe; not to be changed after it is concluded.
 */
public final class JournalContext
{
    /** 64 MiB: big enough that rolls are rare, small enough that retention frees space in steps. */
    public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;
    /** Default of {@link #touchAhead(int)}: 4 MiB. */
    public static final int DEFAULT_TOUCH_AHEAD = 4 * 1024 * 1024;

    private Path directory;
    private int segmentSize = DEFAULT_SEGMENT_SIZE;
    private DurabilityPolicy durability = DurabilityPolicy.PAGE_CACHE;
    private boolean preallocate = true;
    private boolean prefault;
    private int touchAhead = DEFAULT_TOUCH_AHEAD;
    /** The name of the segment preparer, the agent that prepares the next segment when preallocating. */
    public static final String PREPARER_ROLE_NAME = "ringside-journal-preparer";

    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private ThreadFactory preparerThreadFactory;
    private IdleStrategy preparerIdleStrategy;
    private boolean concluded;

    /**
     * @param directory where the segments live; created if missing. One appender at a time may hold it.
     * @return this.
     */
    public JournalContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @param segmentSize bytes per segment file, a multiple of 4096 from 64 KiB to 1 GiB. Fixed when
     *                    the journal is created: opening it with another size is refused.
     * @return this.
     */
    public JournalContext segmentSize(final int segmentSize)
    {
        this.segmentSize = segmentSize;
        return this;
    }

    public int segmentSize()
    {
        return segmentSize;
    }

    /**
     * @param durability when to force records to the device; {@link DurabilityPolicy#PAGE_CACHE} by default.
     * @return this.
     */
    public JournalContext durability(final DurabilityPolicy durability)
    {
        this.durability = durability;
        return this;
    }

    public DurabilityPolicy durability()
    {
        return durability;
    }

    /**
     * @param preallocate true (the default) to write zeros through a new segment before it is used,
     *                    so its blocks exist: a full disk then fails the roll with an IOException
     *                    instead of killing the JVM with SIGBUS on a write to a mapped page.
     *                    False creates sparse files, which is faster to roll on a disk with room.
     * @return this.
     */
    public JournalContext preallocate(final boolean preallocate)
    {
        this.preallocate = preallocate;
        return this;
    }

    public boolean preallocate()
    {
        return preallocate;
    }

    /**
     * @param prefault true to have the segment preparer also fault every page of a preallocated segment in for writing
     *                 before the roll, in one burst; false (the default) leaves it to {@link #touchAhead(int)}, a little
     *                 at a time ahead of the appender (or, with that off, to the appender: one fault per 4 KiB page,
     *                 every 40 or so records of 100 bytes). Faulting a page in is cheap on most machines and dear on a
     *                 virtual machine with nested paging, where the first write to a page through a mapping costs 4-20
     *                 us: on the 2-core VM this project is measured on, a 64 MiB segment took the preparer 70-90 ms,
     *                 taken from the busy threads in one burst (tuning.md, "Segments"). Ignored without
     *                 {@link #preallocate(boolean)}.
     * @return this.
     */
    public JournalContext prefault(final boolean prefault)
    {
        this.prefault = prefault;
        return this;
    }

    public boolean prefault()
    {
        return prefault;
    }

    /**
     * @param bytes how far ahead of the appender the segment preparer keeps the current segment's pages written once
     *              (default {@value #DEFAULT_TOUCH_AHEAD} bytes; 0 for not at all). The first write to a page through a
     *              mapping costs a page fault, 4-20 us on a virtual machine with nested paging (tuning.md, "Segments"):
     *              touched ahead, a little at a time on each of the preparer's wake-ups (at most every 10 ms), the
     *              appender pays none of them and no thread pays them in one burst, as {@link #prefault(boolean)} does
     *              for a whole segment. A page is touched with an atomic compare-and-set of a zero word to zero, which
     *              changes nothing whenever it lands, even behind the appender. Ignored without
     *              {@link #preallocate(boolean)} or with {@link #prefault(boolean)}.
     * @return this.
     */
    public JournalContext touchAhead(final int bytes)
    {
        this.touchAhead = bytes;
        return this;
    }

    public int touchAhead()
    {
        return touchAhead;
    }

    /**
     * @param nanoClock the clock that times {@link DurabilityPolicy#interval(long)} forces. It never
     *                  touches what is written: records carry the caller's timestamps.
     * @return this.
     */
    public JournalContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param threadFactory makes the thread of the segment preparer (the agent that prepares the next segment when
     *                      preallocating, named {@code ringside-journal-preparer}): an embedder's pins it, names it or
     *                      sets its priority. Default: a daemon thread of that name.
     * @return this.
     */
    public JournalContext preparerThreadFactory(final ThreadFactory threadFactory)
    {
        this.preparerThreadFactory = threadFactory;
        return this;
    }

    public ThreadFactory preparerThreadFactory()
    {
        return preparerThreadFactory;
    }

    /**
     * @param idleStrategy how the segment preparer waits for work, for this context's appender only (a strategy keeps
     *                     state). A task handed to it unparks its thread, so a parking strategy costs no delay. Default:
     *                     parks 10 ms at a time.
     * @return this.
     */
    public JournalContext preparerIdleStrategy(final IdleStrategy idleStrategy)
    {
        this.preparerIdleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy preparerIdleStrategy()
    {
        return preparerIdleStrategy;
    }

    /**
     * @return the largest payload one record can carry: a record must fit in a segment after its header.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength(segmentSize);
    }

    static int maxPayloadLength(final int segmentSize)
    {
        return segmentSize - SegmentDescriptor.HEADER_LENGTH - RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Validates the configuration. Called by {@link JournalAppender#open(JournalContext)}; idempotent.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting that is wrong and why.
     */
    public JournalContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (directory == null)
        {
            throw new IllegalArgumentException("journal directory is not set: call JournalContext.directory(Path)");
        }
        if (segmentSize < SegmentDescriptor.MIN_SEGMENT_SIZE || segmentSize > SegmentDescriptor.MAX_SEGMENT_SIZE ||
            segmentSize % 4096 != 0)
        {
            throw new IllegalArgumentException("segment size must be a multiple of 4096 from " +
                SegmentDescriptor.MIN_SEGMENT_SIZE + " to " + SegmentDescriptor.MAX_SEGMENT_SIZE + " bytes, was " + segmentSize);
        }
        if (durability == null)
        {
            throw new IllegalArgumentException("durability policy is null: use DurabilityPolicy.PAGE_CACHE, GROUP_COMMIT or interval(ms)");
        }
        if (touchAhead < 0)
        {
            throw new IllegalArgumentException("touchAhead must be 0 (off) or more bytes, was " + touchAhead);
        }
        if (nanoClock == null)
        {
            throw new IllegalArgumentException("nanoClock is null");
        }
        if (preparerThreadFactory == null)
        {
            preparerThreadFactory = JournalContext::daemonPreparerThread;
        }
        if (preparerIdleStrategy == null)
        {
            preparerIdleStrategy = new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(10));
        }
        concluded = true;
        return this;
    }

    private static Thread daemonPreparerThread(final Runnable task)
    {
        final Thread thread = new Thread(task, PREPARER_ROLE_NAME);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public String toString()
    {
        return "JournalContext{directory=" + directory + ", segmentSize=" + segmentSize + ", durability=" + durability +
            ", preallocate=" + preallocate + ", prefault=" + prefault + ", touchAhead=" + touchAhead + '}';
    }
}
