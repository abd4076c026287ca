package io.ringside.perf.fraud;

/**
 * The numbers of the fraud-velocity workload (workload.md, v1) and the watermark comparisons, written so
 * that nothing wraps: while the watermark W is {@link Long#MIN_VALUE}, {@code W - x} has no long value, and
 * then nothing is late, nothing is forgotten and nothing closes.
 * <p>
 * Event times must lie in [{@link #MIN_EVENT_TIME_MS}, {@link #MAX_EVENT_TIME_MS}], so that every window an
 * event belongs to has a start and an end that fit in a long; {@link #checkEvent(long, int)} enforces it.
 * <p>
 * Stateless: any thread.
 */
public final class FraudVelocityRules
{
    public static final long TUMBLING_SIZE_MS = 60_000;
    public static final long HOPPING_SIZE_MS = 300_000;
    public static final long HOPPING_ADVANCE_MS = 60_000;
    /** Hopping windows per event: {@link #HOPPING_SIZE_MS} / {@link #HOPPING_ADVANCE_MS}. */
    public static final int HOPPING_WINDOWS_PER_EVENT = 5;
    public static final long SESSION_GAP_MS = 30_000;
    public static final long ALLOWED_LATENESS_MS = 5_000;
    /** W = max(W, eventTimeMs - lag). */
    public static final long WATERMARK_LAG_MS = 2_000;
    /** An id is remembered at least while its eventTimeMs > W - this. */
    public static final long DEDUP_HORIZON_MS = 600_000;
    /** VELOCITY when a tumbling count exceeds this. */
    public static final long VELOCITY_MAX_COUNT = 20;
    /** AMOUNT when a tumbling sum exceeds this. */
    public static final long AMOUNT_MAX_CENTS = 500_000;
    /** COUNTRY when the previous accepted event is at most this far in event time. */
    public static final long COUNTRY_WINDOW_MS = 30_000;
    /** Countries are 0 .. COUNTRIES - 1. */
    public static final int COUNTRIES = 200;

    /** The smallest supported event time: its oldest hopping window still starts at or above Long.MIN_VALUE. */
    public static final long MIN_EVENT_TIME_MS = Long.MIN_VALUE + HOPPING_SIZE_MS;
    /** The largest supported event time: its newest hopping window still ends at or below Long.MAX_VALUE. */
    public static final long MAX_EVENT_TIME_MS = Long.MAX_VALUE - HOPPING_SIZE_MS;

    private FraudVelocityRules()
    {
    }

    /**
     * @return {@code value <= watermark - lagMs} in exact integer arithmetic, {@code lagMs >= 0}: false
     * whenever {@code watermark - lagMs} is below Long.MIN_VALUE.
     */
    public static boolean atOrBelow(final long value, final long watermark, final long lagMs)
    {
        return watermark >= Long.MIN_VALUE + lagMs && value <= watermark - lagMs;
    }

    /**
     * Rule 2, judged against the watermark of the event's own source.
     */
    public static boolean isLate(final long eventTimeMs, final long sourceWatermark)
    {
        return atOrBelow(eventTimeMs, sourceWatermark, ALLOWED_LATENESS_MS);
    }

    /**
     * Rule 1: whether an id first seen with this event time must still be remembered under watermark W.
     */
    public static boolean isRemembered(final long eventTimeMs, final long watermark)
    {
        return !atOrBelow(eventTimeMs, watermark, DEDUP_HORIZON_MS);
    }

    /**
     * Rule 5: the largest window end that closes under watermark W (end + 5,000 <= W, without wrapping), or
     * Long.MIN_VALUE when none can. W = Long.MAX_VALUE is the end-of-input flush, which closes every window:
     * Long.MAX_VALUE.
     */
    public static long closeLimit(final long watermark)
    {
        if (watermark == Long.MAX_VALUE)
        {
            return Long.MAX_VALUE;
        }
        return watermark >= Long.MIN_VALUE + ALLOWED_LATENESS_MS ? watermark - ALLOWED_LATENESS_MS : Long.MIN_VALUE;
    }

    /**
     * Rule 5: W = max(W, eventTimeMs - 2,000), for a supported event time.
     */
    public static long advance(final long watermark, final long eventTimeMs)
    {
        return Math.max(watermark, eventTimeMs - WATERMARK_LAG_MS);
    }

    /**
     * @return the start of the 60 s tumbling window, aligned to the epoch, that holds this event time.
     */
    public static long tumblingStart(final long eventTimeMs)
    {
        return eventTimeMs - Math.floorMod(eventTimeMs, TUMBLING_SIZE_MS);
    }

    /**
     * @return |a - b| <= {@link #COUNTRY_WINDOW_MS} for supported event times, without wrapping.
     */
    public static boolean withinCountryWindow(final long a, final long b)
    {
        return a <= b + COUNTRY_WINDOW_MS && b <= a + COUNTRY_WINDOW_MS;
    }

    /**
     * @throws IllegalArgumentException if the event time or the country is out of the supported range.
     */
    public static void checkEvent(final long eventTimeMs, final int country)
    {
        if (eventTimeMs < MIN_EVENT_TIME_MS || eventTimeMs > MAX_EVENT_TIME_MS)
        {
            throw new IllegalArgumentException("eventTimeMs " + eventTimeMs + " is outside the supported range [" +
                MIN_EVENT_TIME_MS + ", " + MAX_EVENT_TIME_MS + "]");
        }
        if (country < 0 || country >= COUNTRIES)
        {
            throw new IllegalArgumentException("country " + country + " is outside 0.." + (COUNTRIES - 1));
        }
    }
}
