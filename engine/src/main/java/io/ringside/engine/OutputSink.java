package io.ringside.engine;

/**
 * A destination for outputs (file, Kafka, Aeron), driven by the egress agent on its own thread: never on a
 * shard thread. It receives, per shard, the outputs in the order the shard emitted them, each only once the
 * input that caused it is durable in the journal. If {@link #onOutput} throws, the error is counted and
 * recorded and the same output is offered again after a pause: nothing is skipped.
 */
public interface OutputSink
{
    /**
     * Called once by {@link Engine#start()}, on the starting thread, before recovery replays any output: the place to
     * open files or connections and to find what was delivered before a crash (outputs replayed by recovery come
     * again, {@link Output#isReplay()}, with the same ids).
     *
     * @param journalId the id of the engine's journal: outputs of one journal must not be mixed with another's.
     * @throws Exception fails the start, with this as the cause.
     */
    default void onStart(final long journalId) throws Exception
    {
    }

    /**
     * @param output valid only during the call.
     * @throws Exception to have the output offered again.
     */
    void onOutput(Output output) throws Exception;

    /**
     * Called at the end of each egress batch: push buffered outputs on.
     *
     * @throws Exception counted and recorded; flushing is tried again at the next batch.
     */
    default void flush() throws Exception
    {
    }

    /**
     * Called once by {@link Engine#close()} after the last output.
     *
     * @throws Exception counted and recorded.
     */
    default void close() throws Exception
    {
    }
}
