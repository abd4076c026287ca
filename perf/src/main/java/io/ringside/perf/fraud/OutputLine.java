package io.ringside.perf.fraud;

/**
 * One output record as a line of text, the demo's {@code --output FILE} format: the kind's name, then its
 * fields in workload.md's order, comma-separated decimals, no spaces, e.g. {@code VELOCITY,123,456,1700000040000}.
 * The line separator is not part of the line. Stateless: any thread.
 */
public final class OutputLine
{
    public static final char SEPARATOR = ',';

    private OutputLine()
    {
    }

    /**
     * Appends {@code kind, fields[0 .. kind.fieldCount())} as a line, without a line separator.
     *
     * @return {@code out}.
     */
    public static StringBuilder append(final StringBuilder out, final OutputKind kind, final long[] fields)
    {
        if (fields.length < kind.fieldCount())
        {
            throw new IllegalArgumentException(kind + " has " + kind.fieldCount() + " fields, given " + fields.length);
        }
        out.append(kind.name());
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            out.append(SEPARATOR).append(fields[i]);
        }
        return out;
    }

    /**
     * @return the line for {@code kind, fields}; {@code fields} must be exactly the kind's field count.
     */
    public static String format(final OutputKind kind, final long... fields)
    {
        if (fields.length != kind.fieldCount())
        {
            throw new IllegalArgumentException(kind + " has " + kind.fieldCount() + " fields, given " + fields.length);
        }
        return append(new StringBuilder(16 + 20 * fields.length), kind, fields).toString();
    }

    /**
     * Parses a line into its kind and {@code fieldsOut[0 .. kind.fieldCount())}.
     *
     * @param fieldsOut at least {@link OutputKind#MAX_FIELDS} long.
     * @return the kind.
     * @throws IllegalArgumentException naming what is wrong: an unknown kind, a field that is not a decimal
     *                                  long, or the wrong number of fields.
     */
    public static OutputKind parse(final CharSequence line, final long[] fieldsOut)
    {
        if (fieldsOut.length < OutputKind.MAX_FIELDS)
        {
            throw new IllegalArgumentException("fieldsOut must hold " + OutputKind.MAX_FIELDS + " fields");
        }
        final int length = line.length();
        int end = indexOf(line, 0);
        final OutputKind kind = kind(line, end);
        int fields = 0;
        while (end < length)
        {
            final int begin = end + 1;
            end = indexOf(line, begin);
            if (fields == kind.fieldCount())
            {
                throw new IllegalArgumentException(kind + " has " + kind.fieldCount() + " fields, line has more: '" + line + "'");
            }
            fieldsOut[fields++] = field(line, begin, end);
        }
        if (fields != kind.fieldCount())
        {
            throw new IllegalArgumentException(kind + " has " + kind.fieldCount() + " fields, line has " + fields + ": '" + line + "'");
        }
        return kind;
    }

    private static OutputKind kind(final CharSequence line, final int end)
    {
        for (int i = 0; i < OutputKind.count(); i++)
        {
            final OutputKind kind = OutputKind.inNumberOrder(i);
            final String name = kind.name();
            if (name.length() == end && name.contentEquals(line.subSequence(0, end)))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown output kind '" + line.subSequence(0, end) + "' in '" + line + "'");
    }

    private static long field(final CharSequence line, final int begin, final int end)
    {
        try
        {
            if (begin < end && line.charAt(begin) == '+')
            {
                throw new NumberFormatException("a sign other than '-'");
            }
            return Long.parseLong(line, begin, end, 10);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + line.subSequence(begin, end) + "' is not a decimal long in '" + line + "'", ex);
        }
    }

    private static int indexOf(final CharSequence line, final int from)
    {
        for (int i = from; i < line.length(); i++)
        {
            if (line.charAt(i) == SEPARATOR)
            {
                return i;
            }
        }
        return line.length();
    }
}
