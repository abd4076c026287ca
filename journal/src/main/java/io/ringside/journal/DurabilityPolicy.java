package io.ringside.journal;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * When the appender forces written records from the page cache to the storage device.
 * <ul>
 *   <li>{@link #PAGE_CACHE}: never forces. A record is durable against a crash of the process
 *   (the kernel holds the page) once committed, but not against power loss or a kernel crash.</li>
 *   <li>{@link #GROUP_COMMIT}: forces at every {@link JournalAppender#endOfBatch()}, so one force
 *   covers every record of a ring batch. Survives power loss once {@code endOfBatch} returns.</li>
 *   <li>{@link #interval(long)}: forces at an {@code endOfBatch} when at least the interval has passed
 *   since the last force, bounding what power loss can take to about the interval.</li>
 * </ul>
 * tuning.md gives the measured cost of each. Immutable, thread-safe.
 */
public final class DurabilityPolicy
{
    public enum Kind
    {
        PAGE_CACHE, GROUP_COMMIT, INTERVAL
    }

    public static final DurabilityPolicy PAGE_CACHE = new DurabilityPolicy(Kind.PAGE_CACHE, 0);
    public static final DurabilityPolicy GROUP_COMMIT = new DurabilityPolicy(Kind.GROUP_COMMIT, 0);

    private final Kind kind;
    private final long intervalNs;

    private DurabilityPolicy(final Kind kind, final long intervalNs)
    {
        this.kind = kind;
        this.intervalNs = intervalNs;
    }

    /**
     * @param intervalMs at least 1.
     * @return a policy that forces at the end of a batch once {@code intervalMs} have passed since the last force.
     */
    public static DurabilityPolicy interval(final long intervalMs)
    {
        if (intervalMs < 1)
        {
            throw new IllegalArgumentException("durability interval must be at least 1 ms, was " + intervalMs);
        }
        return new DurabilityPolicy(Kind.INTERVAL, TimeUnit.MILLISECONDS.toNanos(intervalMs));
    }

    /**
     * Parses the form that {@link #toString()} prints: {@code page-cache}, {@code group-commit} or
     * {@code interval:<ms>} (case-insensitive, {@code _} accepted for {@code -}).
     *
     * @param text the policy's name.
     * @return the policy.
     */
    public static DurabilityPolicy parse(final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (s.equals("page-cache"))
        {
            return PAGE_CACHE;
        }
        if (s.equals("group-commit"))
        {
            return GROUP_COMMIT;
        }
        if (s.startsWith("interval:"))
        {
            try
            {
                return interval(Long.parseLong(s.substring("interval:".length())));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("interval policy needs whole milliseconds, e.g. interval:5, not " + text, ex);
            }
        }
        throw new IllegalArgumentException(
            "unknown durability policy '" + text + "': use page-cache, group-commit or interval:<ms>");
    }

    public Kind kind()
    {
        return kind;
    }

    public long intervalNs()
    {
        return intervalNs;
    }

    /**
     * @return true if this policy ever forces, so that segment creation and rolls are forced too.
     */
    public boolean forces()
    {
        return kind != Kind.PAGE_CACHE;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DurabilityPolicy && ((DurabilityPolicy)o).kind == kind && ((DurabilityPolicy)o).intervalNs == intervalNs;
    }

    @Override
    public int hashCode()
    {
        return kind.hashCode() * 31 + Long.hashCode(intervalNs);
    }

    @Override
    public String toString()
    {
        switch (kind)
        {
            case PAGE_CACHE:
                return "page-cache";
            case GROUP_COMMIT:
                return "group-commit";
            default:
                return "interval:" + TimeUnit.NANOSECONDS.toMillis(intervalNs);
        }
    }
}
