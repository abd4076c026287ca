package io.ringside.perf.fraud;

/**
 * One output record's fields, filled and handed to an {@link OutputRecordSink}: what the plain-Java implementations emit
 * through. The array is reused: the sink must not keep it. One thread.
 */
final class OutputRecord
{
    private final OutputRecordSink sink;
    private final long[] fields = new long[OutputKind.MAX_FIELDS];

    OutputRecord(final OutputRecordSink sink)
    {
        this.sink = sink;
    }

    void emit(final OutputKind kind, final long f1)
    {
        fields[0] = f1;
        sink.onOutput(kind, fields);
    }

    void emit(final OutputKind kind, final long f1, final long f2)
    {
        fields[0] = f1;
        fields[1] = f2;
        sink.onOutput(kind, fields);
    }

    void emit(final OutputKind kind, final long f1, final long f2, final long f3)
    {
        fields[0] = f1;
        fields[1] = f2;
        fields[2] = f3;
        sink.onOutput(kind, fields);
    }

    void emit(final OutputKind kind, final long f1, final long f2, final long f3, final long f4)
    {
        fields[0] = f1;
        fields[1] = f2;
        fields[2] = f3;
        fields[3] = f4;
        sink.onOutput(kind, fields);
    }

    void emit(final OutputKind kind, final long f1, final long f2, final long f3, final long f4, final long f5)
    {
        fields[0] = f1;
        fields[1] = f2;
        fields[2] = f3;
        fields[3] = f4;
        fields[4] = f5;
        sink.onOutput(kind, fields);
    }

    void emit(final OutputKind kind, final long f1, final long f2, final long f3, final long f4, final long f5, final long f6)
    {
        fields[0] = f1;
        fields[1] = f2;
        fields[2] = f3;
        fields[3] = f4;
        fields[4] = f5;
        fields[5] = f6;
        sink.onOutput(kind, fields);
    }
}
