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
}
