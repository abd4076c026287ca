package io.ringside.engine.rule;

/**
 * Words of the rule's own in each key's entry of a {@link KeyGroup}, beside the key's windows: read and written in the
 * same map access as the event's {@code add}s. Zero when the key's entry is made; gone when its last window closes.
 * Shard thread only, from the rule's callbacks.
 */
public final class KeyBytes
{
    private final KeyGroup group;
    private final int offset;
    private final int words;

    KeyBytes(final KeyGroup group, final int offset, final int words)
    {
        this.group = group;
        this.offset = offset;
        this.words = words;
    }

    /**
     * @return word {@code index} of the key's entry.
     */
    public long get(final long key, final int index)
    {
        return group.acquire(key).getLong(at(index));
    }

    public void put(final long key, final int index, final long value)
    {
        group.acquire(key).putLong(at(index), value);
    }

    private int at(final int index)
    {
        if (index < 0 || index >= words)
        {
            throw new IndexOutOfBoundsException("word " + index + " of " + words);
        }
        return offset + 8 * index;
    }
}
