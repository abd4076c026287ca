package io.ringside.engine.state;

import java.util.concurrent.atomic.AtomicLong;

import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.agrona.UnsafeApi;

/**
 * A block of native memory for state that is read at random (a store's entries, its index), its pages faulted in when
 * it is made (never on the shard's first write); when large, aligned to 2 MiB and
 * advised for transparent huge pages ({@code madvise(MADV_HUGEPAGE)}), so that a look-up in a gigabyte of entries
 * costs its cache misses and not also a page walk per access: with 4 KiB pages, a random access to a large region
 * misses the TLB almost every time, and in a virtual machine a page walk is two-dimensional (tuning.md measures
 * it). Where the kernel has huge pages off, or the advice fails, the memory is ordinary pages, nothing else changes.
 * <p>
 * <b>Thread safety:</b> allocation and {@link #free()} on the owner's thread; the memory itself is the owner's to share.
 */
final class OffHeapRegion
{
    static final long HUGE_PAGE = 2L * 1024 * 1024;
    private static final long PAGE = 4096;
    /** {@code -Dringside.hugePages=false} leaves state on ordinary pages (tuning.md). */
    static final boolean HUGE_PAGES = !"false".equals(System.getProperty("ringside.hugePages"));
    /** Below this a region stays on ordinary pages: a huge page would mostly be waste. */
    static final long HUGE_PAGE_THRESHOLD = 4 * HUGE_PAGE;

    /** Bytes of every region not freed yet, in this JVM (regions are made and freed rarely: as state is built and closed). */
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final long raw;
    private final long address;
    private final long length;
    private boolean freed;

    /**
     * @param length bytes, not zeroed.
     */
    OffHeapRegion(final long length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("a region of " + length + " bytes");
        }
        this.length = length;
        LIVE_BYTES.addAndGet(length);
        if (length < HUGE_PAGE_THRESHOLD)
        {
            raw = UnsafeApi.allocateMemory(length);
            address = raw;
            pretouch(address, length);
            return;
        }
        raw = UnsafeApi.allocateMemory(length + HUGE_PAGE);
        address = (raw + HUGE_PAGE - 1) & -HUGE_PAGE;
        adviseHugePages(address, length);
        pretouch(address, length);
    }

    /**
     * Faults every page in now, at construction, rather than on the shard's first write to it: a fault on a huge page
     * can wait for the kernel to compact memory (milliseconds), and a decision must not wait for that.
     */
    private static void pretouch(final long address, final long length)
    {
        for (long offset = 0; offset < length; offset += PAGE)
        {
            UnsafeApi.putByte(address + offset, (byte)0);
        }
    }

    private static void adviseHugePages(final long address, final long length)
    {
        if (!HUGE_PAGES)
        {
            return;
        }
        try
        {
            PosixAPI.posix().madvise(address, length & -HUGE_PAGE, MAdviseFlag.MADV_HUGEPAGE);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // no native access here: ordinary pages, slower look-ups, the same results
        }
    }

    /**
     * @return bytes held by regions not freed yet in this JVM (what a test checks a build or a close against).
     */
    static long liveBytes()
    {
        return LIVE_BYTES.get();
    }

    long address()
    {
        return address;
    }

    long length()
    {
        return length;
    }

    /**
     * Frees the memory, once.
     */
    void free()
    {
        if (!freed)
        {
            freed = true;
            UnsafeApi.freeMemory(raw);
            LIVE_BYTES.addAndGet(-length);
        }
    }
}
