package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.DirectBuffer;

/**
 * Per output kind, the count of records and the checksum: the wrapping 64-bit sum of the records' hashes,
 * where a record's hash is {@code h = 0; for each field f, the kind's number first: h = mix(h ^ f)}
 * (workload.md, v1). The sum does not depend on the order of the records, so two runs, two engines, or one run
 * before and after a crash agree exactly when their reports are {@link #equals(Object) equal}.
 * <p>
 * Recording allocates nothing: {@link #onOutput(OutputKind, long[])}, an output's bytes
 * ({@link #onOutput(OutputKind, DirectBuffer, int)}) or the fixed-arity {@code record} overloads. Not thread-safe: one thread records; read it after that thread is done (or under its lock).
 */
public final class ChecksumReport implements OutputRecordSink
{
    private final int kinds;
    private final long[] counts = new long[OutputKind.count()];
    private final long[] checksums = new long[OutputKind.count()];

    /**
     * A report of workload v1's eight kinds.
     */
    public ChecksumReport()
    {
        this(OutputKind.V1_COUNT);
    }

    /**
     * @param kinds the first {@code kinds} kinds in number order are reported: {@link OutputKind#V1_COUNT} or
     *              {@link OutputKind#V2_COUNT}; recording any other is refused.
     */
    public ChecksumReport(final int kinds)
    {
        if (kinds < 1 || kinds > OutputKind.count())
        {
            throw new IllegalArgumentException("a report of 1 to " + OutputKind.count() + " kinds, not " + kinds);
        }
        this.kinds = kinds;
    }

    /**
     * @return a report of workload v2's fourteen kinds.
     */
    public static ChecksumReport v2()
    {
        return new ChecksumReport(OutputKind.V2_COUNT);
    }

    /**
     * @return kinds reported: the first this many in number order.
     */
    public int kinds()
    {
        return kinds;
    }

    /**
     * The workload's mixing function (the SplitMix64 finaliser).
     */
    public static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * @return the hash of the record {@code kind, fields[0 .. kind.fieldCount())}.
     */
    public static long hash(final OutputKind kind, final long[] fields)
    {
        checkFieldCount(kind, fields.length >= kind.fieldCount(), fields.length);
        long h = mix(kind.number());
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            h = mix(h ^ fields[i]);
        }
        return h;
    }

    @Override
    public void onOutput(final OutputKind kind, final long[] fields)
    {
        add(kind, hash(kind, fields));
    }

    /**
     * Records the {@code kind} output whose bytes are at {@code offset} of {@code buffer} (its fields as
     * {@link FraudOutput} lays them out): what an engine's output, or a flyweight just filled, is recorded by.
     */
    public void onOutput(final OutputKind kind, final DirectBuffer buffer, final int offset)
    {
        long h = mix(kind.number());
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            h = mix(h ^ FraudOutput.field(buffer, offset, i));
        }
        add(kind, h);
    }

    /**
     * Records the output a flyweight views, as {@code kind}.
     */
    public void onOutput(final OutputKind kind, final FraudOutput<?> output)
    {
        onOutput(kind, output.buffer(), output.offset());
    }

    /**
     * Records {@code kind, fields}, which must be exactly the kind's field count (allocates the array when
     * called with separate values: use the fixed-arity overloads on a hot path).
     */
    public void record(final OutputKind kind, final long... fields)
    {
        checkFieldCount(kind, fields.length == kind.fieldCount(), fields.length);
        add(kind, hash(kind, fields));
    }

    /**
     * Records a LATE or DUPLICATE.
     */
    public void record(final OutputKind kind, final long f1)
    {
        checkFieldCount(kind, kind.fieldCount() == 1, 1);
        add(kind, mix(mix(kind.number()) ^ f1));
    }

    /**
     * Records a COUNTRY.
     */
    public void record(final OutputKind kind, final long f1, final long f2)
    {
        checkFieldCount(kind, kind.fieldCount() == 2, 2);
        add(kind, mix(mix(mix(kind.number()) ^ f1) ^ f2));
    }

    /**
     * Records a VELOCITY or AMOUNT.
     */
    public void record(final OutputKind kind, final long f1, final long f2, final long f3)
    {
        checkFieldCount(kind, kind.fieldCount() == 3, 3);
        add(kind, mix(mix(mix(mix(kind.number()) ^ f1) ^ f2) ^ f3));
    }

    /**
     * Records a TUMBLING or HOPPING.
     */
    public void record(final OutputKind kind, final long f1, final long f2, final long f3, final long f4, final long f5)
    {
        checkFieldCount(kind, kind.fieldCount() == 5, 5);
        add(kind, mix(mix(mix(mix(mix(mix(kind.number()) ^ f1) ^ f2) ^ f3) ^ f4) ^ f5));
    }

    /**
     * Records a SESSION.
     */
    public void record(
        final OutputKind kind, final long f1, final long f2, final long f3, final long f4, final long f5, final long f6)
    {
        checkFieldCount(kind, kind.fieldCount() == 6, 6);
        add(kind, mix(mix(mix(mix(mix(mix(mix(kind.number()) ^ f1) ^ f2) ^ f3) ^ f4) ^ f5) ^ f6));
    }

    /**
     * Adds another report's counts and checksums to this one (e.g. one report per shard), of the same kinds.
     */
    public void add(final ChecksumReport other)
    {
        if (other.kinds != kinds)
        {
            throw new IllegalArgumentException("a report of " + other.kinds + " kinds added to one of " + kinds);
        }
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] += other.counts[i];
            checksums[i] += other.checksums[i];
        }
    }

    /**
     * Writes the counts and checksums, so that a restored shard reports the whole run.
     */
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        out.writeInt(kinds);
        for (int i = 0; i < kinds; i++)
        {
            out.writeLong(counts[i]);
            out.writeLong(checksums[i]);
        }
    }

    public void readSnapshot(final SnapshotReader in)
    {
        final int written = in.readInt();
        if (written != kinds)
        {
            throw new SnapshotCorruptedException("the checksum report in the snapshot has " + written + " kinds, not " +
                kinds);
        }
        for (int i = 0; i < kinds; i++)
        {
            counts[i] = in.readLong();
            checksums[i] = in.readLong();
        }
    }

    public long count(final OutputKind kind)
    {
        return counts[kind.ordinal()];
    }

    public long checksum(final OutputKind kind)
    {
        return checksums[kind.ordinal()];
    }

    /**
     * @return {@code KIND count=<decimal> checksum=<16 lowercase hex digits>}.
     */
    public String line(final OutputKind kind)
    {
        return String.format(Locale.ROOT, "%s count=%d checksum=%016x", kind.name(), count(kind), checksum(kind));
    }

    /**
     * @return one {@link #line(OutputKind)} per kind reported (v1's eight, or v2's fourteen), in kind-number order.
     */
    public List<String> lines()
    {
        final List<String> lines = new ArrayList<>(kinds);
        for (int i = 0; i < kinds; i++)
        {
            lines.add(line(OutputKind.inNumberOrder(i)));
        }
        return lines;
    }

    public void print(final PrintStream out)
    {
        for (final String line : lines())
        {
            out.println(line);
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ChecksumReport report && kinds == report.kinds &&
            Arrays.equals(counts, report.counts) && Arrays.equals(checksums, report.checksums);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * kinds + Arrays.hashCode(counts)) + Arrays.hashCode(checksums);
    }

    @Override
    public String toString()
    {
        return String.join("\n", lines());
    }

    private void add(final OutputKind kind, final long hash)
    {
        if (kind.ordinal() >= kinds)
        {
            throw new IllegalArgumentException(kind + " is not a kind of this report (the first " + kinds + ")");
        }
        counts[kind.ordinal()]++;
        checksums[kind.ordinal()] += hash;
    }

    private static void checkFieldCount(final OutputKind kind, final boolean ok, final int given)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(kind + " has " + kind.fieldCount() + " fields, given " + given);
        }
    }
}
