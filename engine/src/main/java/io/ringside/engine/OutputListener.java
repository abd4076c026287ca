package io.ringside.engine;

/**
 * Receives every output inline, on the thread of the shard that emitted it, before the handler's call
 * returns: the path for microsecond decisions. With several shards in the pipelined topology it is called
 * from several threads at once, so it must be thread-safe (or keep per-shard state by {@link Output#shard()}).
 * It sees outputs as they are decided, which may be before their input is durable in the journal; sinks
 * ({@link OutputSink}) only see outputs whose input is durable.
 */
@FunctionalInterface
public interface OutputListener
{
    /**
     * @param output valid only during the call.
     */
    void onOutput(Output output);

    /**
     * Called once per shard at start, on the thread that recovers the engine, before any output: the id of the last
     * output this listener was handed in the previous run on this directory (read back from the counters file, which
     * survives a crash of the process), or -1 and -1 if none. Outputs then replayed ({@link Output#isReplay()}) with an
     * id at or below it, ordered by position then ordinal, were handed to the listener before.
     */
    default void onRecovered(final int shard, final long lastPosition, final int lastOrdinal)
    {
    }
}
