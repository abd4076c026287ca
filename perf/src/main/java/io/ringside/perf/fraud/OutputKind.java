package io.ringside.perf.fraud;

/**
 * The workload's output kinds (workload.md, v1), each with its number (the first field hashed) and its count
 * of fields after the kind. Immutable: any thread.
 */
public enum OutputKind
{
    /** cardId, windowStart, windowEnd, count, sum. */
    TUMBLING(1, 5),
    /** cardId, windowStart, windowEnd, count, sum. */
    HOPPING(2, 5),
    /** cardId, first, last, count, sum, distinctCountries. */
    SESSION(3, 6),
    /** cardId, eventId, windowStart. */
    VELOCITY(4, 3),
    /** cardId, eventId, windowStart. */
    AMOUNT(5, 3),
    /** cardId, eventId. */
    COUNTRY(6, 2),
    /** eventId. */
    LATE(7, 1),
    /** eventId. */
    DUPLICATE(8, 1);

    /** The most fields any kind has. */
    public static final int MAX_FIELDS = 6;

    private static final OutputKind[] BY_NUMBER = {null, TUMBLING, HOPPING, SESSION, VELOCITY, AMOUNT, COUNTRY, LATE, DUPLICATE};
    private static final OutputKind[] IN_NUMBER_ORDER = {TUMBLING, HOPPING, SESSION, VELOCITY, AMOUNT, COUNTRY, LATE, DUPLICATE};

    private final int number;
    private final int fieldCount;

    OutputKind(final int number, final int fieldCount)
    {
        this.number = number;
        this.fieldCount = fieldCount;
    }

    public int number()
    {
        return number;
    }

    /**
     * @return fields after the kind.
     */
    public int fieldCount()
    {
        return fieldCount;
    }

    /**
     * @return the kind numbered 1..8.
     * @throws IllegalArgumentException for any other number.
     */
    public static OutputKind fromNumber(final int number)
    {
        if (number < 1 || number >= BY_NUMBER.length)
        {
            throw new IllegalArgumentException("no output kind numbered " + number);
        }
        return BY_NUMBER[number];
    }

    /**
     * @return the number of kinds.
     */
    public static int count()
    {
        return IN_NUMBER_ORDER.length;
    }

    /**
     * @return the kind at {@code i} (0-based) in number order, without allocating.
     */
    public static OutputKind inNumberOrder(final int i)
    {
        return IN_NUMBER_ORDER[i];
    }
}
