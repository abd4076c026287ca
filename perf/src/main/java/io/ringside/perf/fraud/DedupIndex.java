package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.collections.Long2LongHashMap;

/**
 * Rule 1's memory: the ids of events seen (as anything but a duplicate) with their event times. An id counts
 * as remembered exactly while its eventTimeMs > W - {@link FraudVelocityRules#DEDUP_HORIZON_MS}; ids are
 * dropped from the map in arrival order (a FIFO) once forgotten, so memory holds about ten minutes of event
 * time. Allocates only to grow. Not thread-safe: one thread.
 */
final class DedupIndex
{
    private static final long MISSING = Long.MIN_VALUE;

    private final Long2LongHashMap eventTimeById;
    private final LongFifo arrivals;

    /**
     * @param expectedIds about how many ids are remembered at once, to size the map and queue up front.
     */
    DedupIndex(final int expectedIds)
    {
        eventTimeById = new Long2LongHashMap(Math.max(16, (int)(expectedIds / 0.65f) + 1), 0.65f, MISSING);
        arrivals = new LongFifo(expectedIds);
    }

    /**
     * @return whether {@code eventId} was seen before and is still remembered under watermark W.
     */
    boolean isRemembered(final long eventId, final long watermark)
    {
        final long eventTimeMs = eventTimeById.get(eventId);
        return eventTimeMs != MISSING && FraudVelocityRules.isRemembered(eventTimeMs, watermark);
    }

    /**
     * Remembers an accepted or late event's id; event times are supported ones (never Long.MIN_VALUE).
     */
    void remember(final long eventId, final long eventTimeMs)
    {
        eventTimeById.put(eventId, eventTimeMs);
        arrivals.add(eventId);
    }

    /**
     * Drops, oldest arrival first, the ids forgotten under watermark W, up to the first one still remembered.
     */
    void forget(final long watermark)
    {
        while (!arrivals.isEmpty())
        {
            final long eventId = arrivals.peek();
            final long eventTimeMs = eventTimeById.get(eventId);
            if (eventTimeMs != MISSING)
            {
                if (FraudVelocityRules.isRemembered(eventTimeMs, watermark))
                {
                    return;
                }
                eventTimeById.remove(eventId);
            }
            arrivals.remove();
        }
    }

    int size()
    {
        return eventTimeById.size();
    }

    void write(final SnapshotWriter out) throws IOException
    {
        StateArrays.write(out, eventTimeById);
        arrivals.write(out);
    }

    void read(final SnapshotReader in)
    {
        StateArrays.read(in, eventTimeById);
        arrivals.read(in);
    }
}
