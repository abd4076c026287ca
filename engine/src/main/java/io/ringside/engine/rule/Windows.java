package io.ringside.engine.rule;

import java.util.Arrays;

/**
 * What every window operator of a {@link Rule} shares: one call shape to add an event, {@code add(key, eventTime,
 * values...)}, one value per aggregate in the order they were declared (a count ignores its value), and one answer:
 * true if the event was added, false if it was late. Late means either of: its event time is at or below its source's
 * watermark minus the rule's allowed lateness ({@link Rule#isLate}), or the window it falls in has closed. A late event
 * changes nothing; the rule reports it once per event, whichever operator found it: the shard's late-events counter
 * ({@code ShardContext.late()}) and the LATE output ({@link Rule#onLate}).
 * <p>
 * The windows close by themselves: the rule closes every operator as the watermark moves, each window going to the
 * {@link Closed} listener declared with it. Their state goes into the rule's snapshot. Shard thread only; nothing is
 * allocated per call.
 */
public abstract class Windows extends Operator
{
    final long[] values;
    long lateEvents;
    /** Why this operator takes no event of its own (its windows are fed through another), or null if it takes them. */
    String refusesAdds;

    Windows(final Rule rule, final String name, final int aggregates)
    {
        super(rule, name);
        this.values = new long[aggregates];
    }

    /**
     * Adds an event that carries no value (windows of counts only).
     *
     * @return true if added; false if late (reported: nothing changed).
     */
    public final boolean add(final long key, final long eventTime)
    {
        return take(key, eventTime, 0);
    }

    /**
     * Adds an event with the value of the first aggregate (later ones get 0).
     *
     * @return true if added; false if late (reported: nothing changed).
     */
    public final boolean add(final long key, final long eventTime, final long value0)
    {
        values[checked(1) - 1] = value0;
        return take(key, eventTime, 1);
    }

    /**
     * Adds an event with the values of the first two aggregates.
     *
     * @return true if added; false if late (reported: nothing changed).
     */
    public final boolean add(final long key, final long eventTime, final long value0, final long value1)
    {
        checked(2);
        values[0] = value0;
        values[1] = value1;
        return take(key, eventTime, 2);
    }

    /**
     * Adds an event with the values of the first three aggregates.
     *
     * @return true if added; false if late (reported: nothing changed).
     */
    public final boolean add(final long key, final long eventTime, final long value0, final long value1, final long value2)
    {
        checked(3);
        values[0] = value0;
        values[1] = value1;
        values[2] = value2;
        return take(key, eventTime, 3);
    }

    /**
     * @return events this operator refused as late (each also reported by the rule).
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    private int checked(final int given)
    {
        if (given > values.length)
        {
            throw new IllegalArgumentException(name + ": " + given + " values for " + values.length + " aggregates");
        }
        return given;
    }

    private boolean take(final long key, final long eventTime, final int given)
    {
        if (refusesAdds != null)
        {
            throw new IllegalStateException(name + ": " + refusesAdds);
        }
        if (given < values.length)
        {
            Arrays.fill(values, given, values.length, 0);
        }
        if (!processingTime() && rule.isLate(eventTime))
        {
            lateEvents++;
            return false;
        }
        if (!addValues(key, eventTime, values))
        {
            lateEvents++;
            rule.reportLate();
            return false;
        }
        return true;
    }

    /**
     * @return false if the operator refused the event because its window has closed.
     */
    abstract boolean addValues(long key, long eventTime, long[] values);
}
