package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.SlidingWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;

/**
 * Sliding windows per key in Kafka Streams' sense (a {@link SlidingWindows}): a window per event, {@code [t - size, t]}
 * with both ends inclusive, holding the key's events in it: the "last 10 minutes" figure as of each event. Declared
 * with {@link Operators#sliding} (or {@link Operators#slidingOnProcessingTime}). Each window goes to its {@link Closed}
 * listener once the watermark passes its end plus the allowed lateness, so events that come out of order but not late
 * count in it; windows close in the order of their ends, then keys. {@link #window()} reads, right after an
 * {@code add}, the event's window as it stands then, for a rule that acts at once.
 * <p>
 * A key keeps its recent events off-heap, at most {@code eventsPerKey}: the events of {@code size + allowed lateness +
 * the watermark's lag}; an event that finds no room is refused with an {@link IllegalStateException} naming the key.
 * A key's entry is {@code 32 + eventsPerKey * 8 * (1 + aggregates)} bytes, made for {@code expectedKeys} up front; it
 * goes once the key's events are older than any window that may still close.
 */
public final class Sliding extends Windows
{
    private final boolean processingTime;
    private final long sizeMs;
    private final long allowedLatenessMs;
    private final int eventsPerKey;
    private final long expectedKeys;
    private final WindowListener listener;
    private final Aggregate[] aggregates;
    private int closeSlice = Integer.MAX_VALUE;
    private SlidingWindows windows;
    private long key;
    private long eventTime;
    private boolean added;

    Sliding(final Rule rule, final String name, final long sizeMs, final long allowedLatenessMs, final int eventsPerKey,
        final long expectedKeys, final boolean processingTime, final Closed closed, final Aggregate... aggregates)
    {
        super(rule, name, aggregates.length);
        this.processingTime = processingTime;
        this.sizeMs = sizeMs;
        this.allowedLatenessMs = processingTime ? 0 : allowedLatenessMs;
        this.eventsPerKey = eventsPerKey;
        this.expectedKeys = expectedKeys;
        this.aggregates = aggregates.clone();
        this.listener = (windowKey, window) -> closed.onClose(windowKey, window, rule.context());
    }

    /**
     * Closes at most {@code windows} due windows a slot, so that no event waits behind thousands closing at one
     * watermark (the engine calls the rule again after every slot while it has due work). Default: all due at once.
     * Call it in the rule's constructor.
     */
    public Sliding closeSlice(final int windows)
    {
        if (this.windows != null)
        {
            throw new IllegalStateException(name + ": declare operators in the rule's constructor, before its first callback");
        }
        if (windows < 1)
        {
            throw new IllegalArgumentException(name + ": a close slice is at least 1 window, was " + windows);
        }
        this.closeSlice = windows;
        return this;
    }

    /**
     * @return keys that keep events (0 before the first callback).
     */
    public long keys()
    {
        return windows == null ? 0 : windows.keys();
    }

    @Override
    void build()
    {
        if (windows == null)
        {
            windows = new SlidingWindows(name, sizeMs, allowedLatenessMs, eventsPerKey, expectedKeys, closeSlice, listener, aggregates);
        }
    }

    /**
     * The window of the last successful {@code add} of this callback as it stands: the key's events in
     * {@code [t - size, t]} added so far (the final figure goes to the listener when the window closes). One map access.
     *
     * @return valid until the next call; null if no event was added in this callback.
     */
    public Window window()
    {
        return added ? windows.current(key, eventTime) : null;
    }

    @Override
    boolean processingTime()
    {
        return processingTime;
    }

    @Override
    boolean addValues(final long key, final long eventTime, final long[] values)
    {
        if (!windows.add(key, eventTime, values))
        {
            return false;
        }
        this.key = key;
        this.eventTime = eventTime;
        this.added = true;
        return true;
    }

    @Override
    void release()
    {
        added = false;
    }

    @Override
    void close(final long watermark)
    {
        if (!processingTime || watermark == Long.MAX_VALUE)
        {
            windows.close(watermark);
        }
        else if (watermark != Long.MIN_VALUE)
        {
            windows.close(watermark - 1);   // events come at the tick's own time after it: close the windows before it
        }
    }

    @Override
    boolean hasDue()
    {
        return windows.hasDue();
    }

    @Override
    void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        windows.writeSnapshot(out);
    }

    @Override
    void readSnapshot(final SnapshotReader in)
    {
        windows.readSnapshot(in);
    }

    @Override
    void free()
    {
        if (windows != null)
        {
            windows.close();
        }
    }
}
