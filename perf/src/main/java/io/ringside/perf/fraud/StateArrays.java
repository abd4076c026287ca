package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.collections.Long2LongHashMap;

/**
 * Writes and reads the on-heap tables' arrays and maps in a snapshot as they are (lengths first), so that a restored
 * {@link PlainJavaFraudVelocity} holds the same slots, chains and free lists, and so closes its windows in the same
 * order as the one that wrote it. Not on the event path (snapshots only).
 */
final class StateArrays
{
    private StateArrays()
    {
    }

    static void write(final SnapshotWriter out, final long[] values) throws IOException
    {
        out.writeInt(values.length);
        for (final long value : values)
        {
            out.writeLong(value);
        }
    }

    static void write(final SnapshotWriter out, final int[] values) throws IOException
    {
        out.writeInt(values.length);
        for (final int value : values)
        {
            out.writeInt(value);
        }
    }

    static void write(final SnapshotWriter out, final Long2LongHashMap map) throws IOException
    {
        out.writeInt(map.size());
        for (final Long2LongHashMap.EntryIterator it = map.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            out.writeLong(it.getLongKey());
            out.writeLong(it.getLongValue());
        }
    }

    /**
     * Writes a window pool as it is (FixedWindowTable's and SessionTable's layout): slots, timers, values, links and the
     * cards' heads, read back in that order.
     */
    static void writePool(final SnapshotWriter out, final SlotAllocator slots, final TimerIndex timers, final long[] values, final int[] links,
        final int[] headByCard) throws IOException
    {
        slots.write(out);
        timers.write(out);
        write(out, values);
        write(out, links);
        write(out, headByCard);
    }

    /**
     * A window pool's arrays as {@link #writePool} wrote them.
     */
    record Pool(long[] values, int[] links, int[] headByCard)
    {
    }

    /**
     * Reads what {@link #writePool} wrote: the slots and timers into those given, the arrays returned.
     */
    static Pool readPool(final SnapshotReader in, final SlotAllocator slots, final TimerIndex timers)
    {
        slots.read(in);
        timers.read(in);
        return new Pool(readLongs(in), readInts(in), readInts(in));
    }

    static long[] readLongs(final SnapshotReader in)
    {
        final long[] values = new long[length(in, 8)];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = in.readLong();
        }
        return values;
    }

    static int[] readInts(final SnapshotReader in)
    {
        final int[] values = new int[length(in, 4)];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = in.readInt();
        }
        return values;
    }

    /**
     * Replaces the map's entries with those written.
     */
    static void read(final SnapshotReader in, final Long2LongHashMap map)
    {
        final int count = length(in, 16);
        map.clear();
        for (int i = 0; i < count; i++)
        {
            map.put(in.readLong(), in.readLong());
        }
    }

    private static int length(final SnapshotReader in, final int bytesEach)
    {
        final int length = in.readInt();
        if (length < 0 || (long)length * bytesEach > in.remaining())
        {
            throw new SnapshotCorruptedException("a table of " + length + " entries does not fit in the " + in.remaining() +
                " bytes left of the snapshot (written by another version of the state's code?)");
        }
        return length;
    }
}
