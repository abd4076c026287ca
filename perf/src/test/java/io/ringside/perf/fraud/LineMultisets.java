package io.ringside.perf.fraud;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Output lines compared as multisets, for the crash tests: what one list holds more often than the other.
 */
final class LineMultisets
{
    private LineMultisets()
    {
    }

    /**
     * @return each line of {@code from} with how many more times it is there than in {@code minus} (absent if not more).
     */
    static Map<String, Integer> difference(final List<String> from, final List<String> minus)
    {
        final Map<String, Integer> counts = new HashMap<>();
        for (final String line : from)
        {
            counts.merge(line, 1, Integer::sum);
        }
        for (final String line : minus)
        {
            counts.computeIfPresent(line, (k, v) -> v == 1 ? null : v - 1);
        }
        return counts;
    }

    /**
     * @return how many lines differ and the first five, for a failure message.
     */
    static String head(final Map<String, Integer> lines)
    {
        return lines.size() + " " + lines.entrySet().stream().limit(5).toList();
    }

    /**
     * Asserts that {@code actual} holds the lines of {@code expected}, each as many times, naming a few of the missing
     * and the extra ones otherwise.
     */
    static void assertSameLines(final List<String> expected, final List<String> actual)
    {
        final Map<String, Integer> missing = difference(expected, actual);
        final Map<String, Integer> extra = difference(actual, expected);
        org.junit.jupiter.api.Assertions.assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + head(missing) + ", extra " +
            head(extra));
        org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), "lines against the reference");
    }

    /**
     * @return the lines of {@link SeveralSourcesReference}'s outputs, in its order, with their checksums added to {@code report}.
     */
    static List<String> severalSourcesLines(final long seed, final long events, final long cards, final int partitions,
        final ChecksumReport report)
    {
        final List<String> lines = new java.util.ArrayList<>();
        SeveralSourcesReference.expected(seed, events, cards, partitions, OutputRecordSink.tee(report,
            (kind, fields) -> lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString())));
        return lines;
    }
}
