package io.ringside.engine.rule;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.state.Aggregate;
import io.ringside.engine.state.KeyedWindows;
import io.ringside.engine.state.WindowListener;
import org.agrona.MutableDirectBuffer;

/**
 * Several event-time window kinds of a key, and bytes of the rule's own, in ONE off-heap entry per key (a
 * {@link KeyedWindows}): declare them here in the rule's constructor; then an event's {@code add}s to every kind and its
 * {@link KeyBytes} reads and writes cost one map access together: the first call for a key acquires its entry, the
 * others find it held, and the rule lets it go when its callback returns. A key's entry goes when its last window
 * closes, its bytes with it. {@link Operators#tumbling} and its siblings make a group of one kind.
 */
public final class KeyGroup extends Operator
{
    private final KeyedWindows.Builder builder;
    private final boolean processingTime;
    private KeyedWindows windows;
    private MutableDirectBuffer entry;
    private long key;

    KeyGroup(final Rule rule, final String name, final long allowedLatenessMs, final long expectedKeys, final boolean processingTime)
    {
        super(rule, name);
        this.builder = KeyedWindows.builder(name, processingTime ? 0 : allowedLatenessMs, expectedKeys);
        this.processingTime = processingTime;
    }

    @Override
    boolean processingTime()
    {
        return processingTime;
    }

    /**
     * Tumbling windows aligned to the epoch.
     *
     * @param slots  open windows per key at most: {@code 1 + ceil((allowed lateness + max out-of-orderness) / size)}.
     * @param closed receives each window as it closes.
     */
    public Tumbling tumbling(final long sizeMs, final int slots, final Closed closed, final Aggregate... aggregates)
    {
        checkOpen();
        return new Tumbling(this, builder.tumbling(sizeMs, slots, listener(closed), aggregates), aggregates.length);
    }

    /**
     * Hopping windows of {@code sizeMs} every {@code advanceMs} (size a multiple of advance), aligned to the epoch.
     *
     * @param slots open panes per key at most: {@code 1 + ceil((allowed lateness + max out-of-orderness) / advance)}.
     */
    public Hopping hopping(final long sizeMs, final long advanceMs, final int slots, final Closed closed, final Aggregate... aggregates)
    {
        checkOpen();
        return new Hopping(this, builder.hopping(sizeMs, advanceMs, slots, listener(closed), aggregates), aggregates.length);
    }

    /**
     * Hopping windows of {@code sizeMs} whose panes are the windows of a {@link Tumbling} of this group, every tumbling
     * size, with its aggregates: the events added to the tumbling are the hopping windows' events, at no cost per
     * event and no bytes in the entry (each tumbling window, as it closes, is logged once as a pane of the hopping
     * windows that hold it). The returned operator takes no event of its own.
     *
     * @param sizeMs  a positive multiple of the tumbling size.
     * @param panes   a tumbling of this group, declared before.
     * @param closed  receives each hopping window as it closes.
     */
    public Hopping hopping(final long sizeMs, final Tumbling panes, final Closed closed)
    {
        checkOpen();
        if (panes == null || panes.group() != this)
        {
            throw new IllegalArgumentException(name + ": the panes of a hopping window must be a tumbling of this group, were " +
                (panes == null ? "null" : "one of " + panes.group().name));
        }
        return new Hopping(this, builder.hopping(sizeMs, panes.section(), listener(closed)), panes.values.length, panes);
    }

    /**
     * Session windows: a session spans {@code [first, last + gap)}; events that bridge two sessions merge them.
     *
     * @param slots open sessions per key at most.
     */
    public Sessions sessions(final long gapMs, final int slots, final Closed closed, final Aggregate... aggregates)
    {
        checkOpen();
        return new Sessions(this, builder.sessions(gapMs, slots, listener(closed), aggregates), aggregates.length);
    }

    /**
     * Words of the rule's own in each key's entry (zero when the entry is made, gone with it).
     */
    public KeyBytes words(final int words)
    {
        checkOpen();
        return new KeyBytes(this, builder.bytes(8 * words), words);
    }

    /**
     * Closes in slices of at most {@code keys} due keys a slot, so that no event waits behind a million closing keys
     * (the engine calls the rule again after every slot while it has due work). Default: all due keys at once.
     */
    public KeyGroup closeSlice(final int keys)
    {
        checkOpen();
        builder.closeSlice(keys);
        return this;
    }

    /**
     * The first stage of a hint for a key about to be added to, further ahead than {@link #prefetch}: starts loading
     * the index slot that finds its entry. Changes nothing.
     *
     * @return what it read.
     */
    public long prefetchIndex(final long key)
    {
        return windows == null ? 0 : windows.prefetchIndex(key);
    }

    /**
     * A hint for a key about to be handled (from {@link io.ringside.engine.ShardHandler#prefetch}).
     */
    public long prefetch(final long key)
    {
        return windows == null ? 0 : windows.prefetch(key);
    }

    /**
     * @return keys with an open window.
     */
    public long keys()
    {
        return windows == null ? 0 : windows.keys();
    }

    MutableDirectBuffer acquire(final long key)
    {
        if (entry != null)
        {
            if (this.key == key)
            {
                return entry;
            }
            release();
        }
        if (windows == null)
        {
            throw new IllegalStateException(name + ": operators are used only from the rule's callbacks");
        }
        entry = windows.acquire(key);
        this.key = key;
        return entry;
    }

    private WindowListener listener(final Closed closed)
    {
        final Rule owner = rule;
        return (windowKey, window) -> closed.onClose(windowKey, window, owner.context());
    }

    private void checkOpen()
    {
        if (windows != null)
        {
            throw new IllegalStateException(name + ": declare operators in the rule's constructor, before its first callback");
        }
    }

    @Override
    void build()
    {
        if (windows == null)
        {
            windows = builder.build();
        }
    }

    @Override
    void release()
    {
        if (entry != null)
        {
            entry = null;
            windows.release();
        }
    }

    @Override
    void close(final long watermark)
    {
        windows.close(watermark);
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
        release();
        if (windows != null)
        {
            windows.close();
        }
    }
}
