package io.ringside.engine.rule;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Aggregate;

/**
 * Where a {@link Rule} declares its operators, once, in its constructor: window kinds, ids to deduplicate, keyed state
 * of its own. Each returns the handle the rule adds events through; the rule closes, judges lateness, snapshots,
 * restores and frees every one of them, in declaration order. Names are for diagnostics (give the shard in them).
 */
public final class Operators
{
    private final Rule rule;
    private final String name;
    private final long allowedLatenessMs;
    private final List<Operator> declared = new ArrayList<>();
    private Operator[] operators;
    private int lateOutputType = -1;
    private boolean freed;

    Operators(final Rule rule, final String name, final long allowedLatenessMs)
    {
        if (allowedLatenessMs < 0)
        {
            throw new IllegalArgumentException(name + ": the allowed lateness must not be negative, was " + allowedLatenessMs);
        }
        this.rule = rule;
        this.name = name;
        this.allowedLatenessMs = allowedLatenessMs;
    }

    /**
     * The output a late event goes out as: type {@code type}, the event's key, the event's bytes (what
     * {@link Rule#onLate} does unless the rule overrides it). Without it a late event is only counted.
     */
    public Operators lateOutput(final int type)
    {
        if (type < 0)
        {
            throw new IllegalArgumentException(name + ": output types are 0 or more, was " + type);
        }
        this.lateOutputType = type;
        return this;
    }

    /**
     * Several window kinds, and words of the rule's own, in one entry per key: one map access per event for all of them.
     */
    public KeyGroup group(final String groupName, final long expectedKeys)
    {
        return register(new KeyGroup(rule, name + "-" + groupName, allowedLatenessMs, expectedKeys, false));
    }

    /**
     * A {@link #group} whose windows run on processing time: add events at {@link Rule#processingTime()} (the last
     * tick's time); the rule closes them as ticks come (a window ending at or before a tick's time closes at that tick),
     * never by the watermark, and no event is late to them. The ticks are journaled, so the windows hold the same
     * events live, on replay and after a restore; their resolution is the engine's tick interval.
     */
    public KeyGroup groupOnProcessingTime(final String groupName, final long expectedKeys)
    {
        return register(new KeyGroup(rule, name + "-" + groupName, 0, expectedKeys, true));
    }

    /**
     * Tumbling event-time windows per key (a group of one kind; see {@link KeyGroup#tumbling}).
     */
    public Tumbling tumbling(final String opName, final long sizeMs, final int slots, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        return group(opName, expectedKeys).tumbling(sizeMs, slots, closed, aggregates);
    }

    /**
     * Hopping event-time windows per key (a group of one kind; see {@link KeyGroup#hopping}).
     */
    public Hopping hopping(final String opName, final long sizeMs, final long advanceMs, final int slots, final long expectedKeys,
        final Closed closed, final Aggregate... aggregates)
    {
        return group(opName, expectedKeys).hopping(sizeMs, advanceMs, slots, closed, aggregates);
    }

    /**
     * Session windows per key (a group of one kind; see {@link KeyGroup#sessions}).
     */
    public Sessions sessions(final String opName, final long gapMs, final int slots, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        return group(opName, expectedKeys).sessions(gapMs, slots, closed, aggregates);
    }

    /**
     * Sliding windows per key in Kafka Streams' sense (see {@link Sliding}): a window per event, {@code [t - size, t]},
     * closed once the watermark passes its end plus the allowed lateness.
     *
     * @param eventsPerKey events a key keeps at most (1 to 4096): its events within the size, the allowed lateness and
     *                     the watermark's lag (an event that finds no room is refused with an exception).
     */
    public Sliding sliding(final String opName, final long sizeMs, final int eventsPerKey, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        return register(new Sliding(rule, name + "-" + opName, sizeMs, allowedLatenessMs, eventsPerKey, expectedKeys, false, closed,
            aggregates));
    }

    /**
     * {@link #sliding} on processing time: add events at {@link Rule#processingTime()}; a window closes at the first tick
     * past its end (events at a tick's time come after the tick), never by the watermark, and no event is late to it.
     */
    public Sliding slidingOnProcessingTime(final String opName, final long sizeMs, final int eventsPerKey, final long expectedKeys,
        final Closed closed, final Aggregate... aggregates)
    {
        return register(new Sliding(rule, name + "-" + opName, sizeMs, 0, eventsPerKey, expectedKeys, true, closed, aggregates));
    }

    /**
     * Count windows per key: {@code size} events each, a new one every {@code slide} events ({@code slide == size}: tumbling).
     */
    public Counting counting(final String opName, final long size, final long slide, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        return register(new Counting(rule, name + "-" + opName, size, slide, expectedKeys, closed, aggregates));
    }

    /**
     * One global window per key, closed by {@code triggerCount} events (0: never), {@link Global#fire} or the end of input.
     */
    public Global global(final String opName, final long triggerCount, final long expectedKeys, final Closed closed,
        final Aggregate... aggregates)
    {
        return register(new Global(rule, name + "-" + opName, triggerCount, expectedKeys, closed, aggregates));
    }

    /**
     * Ids remembered for {@code ttlMs} of event time, forgotten in buckets of {@code bucketMs} as the watermark moves.
     *
     * @param expectedIdsPerBucket ids one bucket holds at most (sized once).
     */
    public SeenIds seenIds(final String opName, final long ttlMs, final long bucketMs, final long expectedIdsPerBucket)
    {
        return register(new SeenIds(rule, name + "-" + opName, ttlMs, bucketMs, expectedIdsPerBucket));
    }

    /**
     * {@code bytes} of the rule's own per key (kept until removed).
     */
    public Store store(final String opName, final long expectedKeys, final int bytes)
    {
        return register(new Store(rule, name + "-" + opName, expectedKeys, bytes));
    }

    /**
     * @return the allowed lateness every operator of the rule judges by.
     */
    public long allowedLatenessMs()
    {
        return allowedLatenessMs;
    }

    int lateOutputType()
    {
        return lateOutputType;
    }

    private <O extends Operator> O register(final O operator)
    {
        if (operators != null)
        {
            throw new IllegalStateException(name + ": declare operators in the rule's constructor, before its first callback");
        }
        declared.add(operator);
        return operator;
    }

    /**
     * Ends declarations and builds every operator's state now (allocated, and faulted in where the operator does so):
     * call it last in the rule's constructor to have that happen as the engine starts; otherwise the rule does it on its
     * first callback, which then pays for it. Idempotent.
     */
    public void build()
    {
        if (operators == null)
        {
            final Operator[] built = declared.toArray(new Operator[0]);
            for (final Operator operator : built)
            {
                operator.build();
            }
            operators = built;
        }
    }

    boolean built()
    {
        return operators != null;
    }

    void release()
    {
        for (final Operator operator : operators)
        {
            operator.release();
        }
    }

    void close(final long watermark)
    {
        for (final Operator operator : operators)
        {
            if (!operator.processingTime() || watermark == Long.MAX_VALUE)
            {
                operator.close(watermark);   // the end of input closes windows on processing time too
            }
            else if (operator.hasDue())
            {
                operator.close(rule.processingTime());   // a tick's closing, sliced, goes on
            }
        }
    }

    /**
     * A tick: closes what it makes due in the operators on processing time.
     */
    void closeProcessingTime(final long tickTimeMs)
    {
        for (final Operator operator : operators)
        {
            if (operator.processingTime())
            {
                operator.close(tickTimeMs);
            }
        }
    }

    boolean hasDue()
    {
        for (final Operator operator : operators)
        {
            if (operator.hasDue())
            {
                return true;
            }
        }
        return false;
    }

    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        out.writeInt(operators.length);
        for (final Operator operator : operators)
        {
            out.writeInt(kindOf(operator));
            operator.writeSnapshot(out);
        }
    }

    /**
     * @return null if read, else why the snapshot is not one of these operators.
     */
    String readSnapshot(final SnapshotReader in)
    {
        final int count = in.readInt();
        if (count != operators.length)
        {
            return "it holds " + count + " operators, the rule declares " + operators.length;
        }
        for (int i = 0; i < operators.length; i++)
        {
            if (in.readInt() != kindOf(operators[i]))
            {
                return "its operator " + i + " is not a " + operators[i].getClass().getSimpleName() + " (" + operators[i].name + ")";
            }
            operators[i].readSnapshot(in);
        }
        return null;
    }

    private static int kindOf(final Operator operator)
    {
        return operator.getClass().getSimpleName().hashCode();
    }

    void free()
    {
        if (!freed)
        {
            freed = true;
            for (final Operator operator : declared)
            {
                operator.free();
            }
        }
    }
}
