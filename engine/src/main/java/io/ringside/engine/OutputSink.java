package io.ringside.engine;

/**
 * A destination for outputs (file, Kafka, Aeron), driven by the egress agent on its own thread: never on a
 * shard thread. It receives, per shard, the outputs in the order the shard emitted them, each only once the
 * input that caused it is durable in the journal. If {@link #onOutput} throws, the error is counted and
 * recorded and the same output is offered again after a pause: nothing is skipped. A sink that can take an output
 * without waiting may also be offered it on the compact thread first: {@link InlineOutputSink}.
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
     * Asked after {@link #onStart}: whether the sink holds no output of this journal yet, so that it needs every output
     * from the journal's start. An engine that would recover from a snapshot (whose earlier outputs it does not make
     * again) refuses to start with such a sink rather than leave it without them.
     *
     * @return true if the sink starts empty; default false (a sink that cannot tell).
     */
    default boolean startsEmpty()
    {
        return false;
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
