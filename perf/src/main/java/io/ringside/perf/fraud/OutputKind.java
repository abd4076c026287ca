package io.ringside.perf.fraud;

import java.util.List;

/**
 * The workload's output kinds, each with its number (the first field hashed) and its count of fields after the kind:
 * v1's eight (workload.md), then the six that workload v2 adds (enrichment, the pattern and the join). Immutable: any
 * thread.
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
    DUPLICATE(8, 1),
    /** v2: cardId, eventId, limitCents. */
    OVERLIMIT(9, 3),
    /** v2: cardId, eventId, homeCountry. */
    ABROAD(10, 3),
    /** v2: cardId, smallEventId, largeEventId. */
    TESTCHARGE(11, 3),
    /** v2: cardId, txnEventId, captureEventId, captureTimeMs - txnTimeMs. */
    CAPTURED(12, 4),
    /** v2: cardId, txnEventId, amountCents. */
    UNCAPTURED(13, 3),
    /** v2: cardId, captureEventId, txnEventId. */
    ORPHAN(14, 3);

    /** The most fields any kind has. */
    public static final int MAX_FIELDS = 6;

    /** Kinds of workload v1: the first eight in number order. */
    public static final int V1_COUNT = 8;
    /** Kinds of workload v2: all of them. */
    public static final int V2_COUNT = 14;

    private static final OutputKind[] BY_NUMBER = {null, TUMBLING, HOPPING, SESSION, VELOCITY, AMOUNT, COUNTRY, LATE, DUPLICATE,
        OVERLIMIT, ABROAD, TESTCHARGE, CAPTURED, UNCAPTURED, ORPHAN};
    private static final OutputKind[] IN_NUMBER_ORDER = {TUMBLING, HOPPING, SESSION, VELOCITY, AMOUNT, COUNTRY, LATE, DUPLICATE,
        OVERLIMIT, ABROAD, TESTCHARGE, CAPTURED, UNCAPTURED, ORPHAN};
    private static final List<OutputKind> V1 = List.of(IN_NUMBER_ORDER).subList(0, V1_COUNT);

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
     * @return the kind numbered 1..14.
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
     * @return v1's eight kinds, in number order.
     */
    public static List<OutputKind> v1()
    {
        return V1;
    }

    /**
     * @return the number of kinds, v2's included.
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
