package io.ringside.engine.state;

import org.agrona.UnsafeApi;

/**
 * Loads by hand that overlap: the state classes' hints ({@link KeyedStore#prefetchIndex}, {@link KeyedStore#prefetch},
 * {@link Dedup#prefetch}) read the first word of what an event will need through {@link #touch}. On a thread that is
 * not collecting, that is a plain load. While a {@link PrefetchingThread} collects ({@link #begin}), the address is only
 * noted, and {@link #end} then loads every noted address in one tight loop, so that their cache misses are in flight
 * together: a load that misses holds the core's reorder window for the whole miss, so loads issued one per event, each
 * amid an event's worth of other work, overlap little; a batch of them issued back to back overlaps them all. Java has
 * no prefetch instruction; this is the next best thing.
 * <p>
 * The engine's ring consumers collect the hints of the next few events in batches (see {@code RingConsumerAgent}).
 * Only addresses the state classes compute from their own live memory are noted; nothing here is exposed to handlers.
 * One thread: each {@link PrefetchingThread} owns one.
 */
public final class Prefetch
{
    /** Addresses one batch can note; any beyond are loaded at once, as on a thread that does not collect. */
    public static final int CAPACITY = 64;

    private final long[] addresses = new long[CAPACITY];
    private int count;
    private boolean collecting;

    /**
     * A hint's load of the word at {@code address}: noted for {@link #end} if the current thread is collecting, loaded
     * now otherwise.
     *
     * @return the word read, or 0 if only noted.
     */
    static long touch(final long address)
    {
        final Thread thread = Thread.currentThread();
        if (thread instanceof PrefetchingThread)
        {
            final Prefetch prefetch = ((PrefetchingThread)thread).prefetch();
            if (prefetch.collecting && prefetch.count < CAPACITY)
            {
                prefetch.addresses[prefetch.count++] = address;
                return 0;
            }
        }
        return UnsafeApi.getLong(address);
    }

    /**
     * @return the current thread's, or null if it is not a {@link PrefetchingThread}.
     */
    public static Prefetch ofCurrentThread()
    {
        final Thread thread = Thread.currentThread();
        return thread instanceof PrefetchingThread ? ((PrefetchingThread)thread).prefetch() : null;
    }

    /**
     * Starts noting the hints' addresses instead of loading them. Owner thread.
     */
    public void begin()
    {
        collecting = true;
        count = 0;
    }

    /**
     * Stops noting and loads every address noted since {@link #begin}, back to back. Owner thread.
     *
     * @return the sum of the words read (keep it, so that the loads are not optimised away).
     */
    public long end()
    {
        collecting = false;
        final long[] at = addresses;
        final int n = count;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += UnsafeApi.getLong(at[i]);
        }
        count = 0;
        return sum;
    }

    /**
     * @return addresses noted since {@link #begin}.
     */
    public int noted()
    {
        return count;
    }
}
