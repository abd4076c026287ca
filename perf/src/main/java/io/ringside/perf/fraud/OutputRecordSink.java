package io.ringside.perf.fraud;

/**
 * Receives the workload's output records: a callback of the fraud application, not the engine's sink
 * ({@code io.ringside.engine.OutputSink}). Implementations say which thread may call them; the producers in this package
 * call their sink from the one thread that feeds them events.
 */
@FunctionalInterface
public interface OutputRecordSink
{
    /**
     * One output record.
     *
     * @param kind   the record's kind.
     * @param fields {@code fields[0 .. kind.fieldCount())} are its fields, in workload.md's order. The array
     *               belongs to the caller and is reused after the call returns: copy what you keep.
     */
    void onOutput(OutputKind kind, long[] fields);

    /**
     * @return a sink that gives each record to {@code first}, then to {@code second}.
     */
    static OutputRecordSink tee(final OutputRecordSink first, final OutputRecordSink second)
    {
        return (final OutputKind kind, final long[] fields) ->
        {
            first.onOutput(kind, fields);
            second.onOutput(kind, fields);
        };
    }
}
