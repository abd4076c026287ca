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
}
