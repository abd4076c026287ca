package io.ringside.perf.fraud;

/**
 * Receives the workload's output records. Implementations say which thread may call them; the producers in
 * this package call their sink from the one thread that feeds them events.
 */
@FunctionalInterface
public interface OutputSink
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
    static OutputSink tee(final OutputSink first, final OutputSink second)
    {
        return (final OutputKind kind, final long[] fields) ->
        {
            first.onOutput(kind, fields);
            second.onOutput(kind, fields);
        };
    }
}
