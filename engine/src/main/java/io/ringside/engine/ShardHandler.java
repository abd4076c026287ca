package io.ringside.engine;

/**
 * The embedder's per-event logic. One instance per shard ({@link EngineContext#handlers}), called only on
 * that shard's thread, for the events whose key hashes to the shard, in ring order: it may keep state in
 * plain fields. It must decide only from the event and its own state (never the wall clock), so that
 * replaying the journal reproduces its outputs exactly.
 */
@FunctionalInterface
public interface ShardHandler
{
    /**
     * @param event   valid only during the call.
     * @param context emits outputs for this event.
     * @throws Exception handled by the engine's {@link ErrorPolicy}.
     */
    void onEvent(Event event, ShardContext context) throws Exception;

    /**
     * Called when the global watermark has moved on ({@link Event#watermark()}), on every shard, at the same point
     * of the stream for all of them: after the event that moved it (if this shard handled it), or at a TICK or the
     * end of input. The place to close windows whose end plus the allowed lateness is at or below the watermark.
     * Outputs emitted here take the journal position of the slot that moved the watermark.
     *
     * @param watermark the new watermark; {@link Long#MAX_VALUE} at the end of input.
     * @param context   emits outputs.
     * @throws Exception counted and recorded; under {@link ErrorPolicy#STRICT} it stops the engine.
     */
    default void onWatermark(final long watermark, final ShardContext context) throws Exception
    {
    }

    /**
     * A control event ({@link EventPublisher#publishControl}): a rule change such as a new threshold or a rule switched
     * on or off. Every shard gets it, at the same point of the stream (after every event published before it, before
     * every event after it), live and on replay, so all shards apply the change at one journal position and a replay
     * decides as live did. Keep what it sets in the handler's state, and in its snapshot: after a restart from a
     * snapshot, control events before it are not replayed. Outputs emitted here take the control event's position.
     *
     * @param control valid only during the call: its bytes, source, offset; its key is 0 and it has no event time.
     * @param context emits outputs.
     * @throws Exception handled by the engine's {@link ErrorPolicy}, as for {@link #onEvent}.
     */
    default void onControl(final Event control, final ShardContext context) throws Exception
    {
    }

    /**
     * Processing time moved: a TICK the engine journals at its tick interval (the {@link TestDriver}'s
     * {@code advanceTime}), so the same ticks come at the same places live and on replay. Windows on processing time
     * ({@code Operators.groupOnProcessingTime}) close here. Outputs emitted take the TICK's journal position. Does
     * nothing by default.
     *
     * @param tickTimeMs the tick's time (epoch ms, as the engine's clock read it when it journaled the tick).
     * @throws Exception handled by the engine's {@link ErrorPolicy}, as for {@link #onEvent}.
     */
    default void onTick(final long tickTimeMs, final ShardContext context) throws Exception
    {
    }

    /**
     * A hint, called a few events ahead of {@link #onEvent} for the same event (when the ring holds it already): start
     * loading the state it will need (a look-up whose result is summed and returned, for instance), so that cache
     * misses of successive events overlap. It must not change any state or emit: it may even see an event that is
     * still being written (with several producers), and exceptions are ignored.
     *
     * <p>
     * The engine calls the hints in batches of eight events: at every eighth event, {@link #prefetchEarly} for the
     * batch two ahead, then this for the batch one ahead. On the engine's threads, loads the state classes make inside
     * a hint ({@code KeyedStore}, {@code KeyedWindows}, {@code KeyGroup}, {@code Dedup}, {@code SeenIds}) are only
     * noted, and issued back to back once the batch's hints have run, so that their misses are in flight together.
     *
     * @return anything read (the engine keeps the sum, so the loads are not optimised away).
     */
    default long prefetch(final Event event)
    {
        return 0;
    }

    /**
     * The first stage of a two-stage hint, called further ahead than {@link #prefetch} (when the ring holds the event
     * already): load what finding the event's state needs (an index slot), so that {@link #prefetch}, a few events
     * later, finds it in the cache and its own load of the state does not wait behind it. Same rules as {@link #prefetch}.
     *
     * @return anything read.
     */
    default long prefetchEarly(final Event event)
    {
        return 0;
    }

    /**
     * Whether the handler has bulk work left from an earlier {@link #onWatermark} (windows due but closed in slices, so
     * that no event waits behind a million of them). While it answers true, the shard calls {@link #onWatermark} again
     * after every slot it sees, with the same watermark if it has not moved, at the same points of the stream live and
     * on replay; outputs emitted then take that slot's journal position. Checked after every slot: keep it cheap.
     */
    default boolean hasDueWork()
    {
        return false;
    }

    /**
     * Called once when the engine closes, after the events in flight have drained through this shard and after the
     * snapshot taken at close (which reads the handler's state), on the thread that called {@link Engine#close()}: the
     * shard's thread has stopped by then, so the handler's state is safe to touch. The place to close the handler's
     * Chronicle maps and other resources. Also called when the engine stops because it failed, and when
     * {@link Engine#start()} fails after the handlers were built. Nothing can be emitted from here.
     *
     * @throws Exception counted and recorded in the error log; the other shards are closed all the same.
     */
    default void onClose() throws Exception
    {
    }
}
