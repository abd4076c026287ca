package io.ringside.perf.fraud;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects outputs as {@link OutputLine}s, for assertions that read like the demo's output file. One thread.
 */
final class LineCollector implements OutputRecordSink
{
    private final List<String> lines = new ArrayList<>();
    private int taken;

    @Override
    public void onOutput(final OutputKind kind, final long[] fields)
    {
        lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString());
    }

    List<String> lines()
    {
        return lines;
    }

    /**
     * @return the lines collected since the last call.
     */
    List<String> takeNew()
    {
        final List<String> fresh = new ArrayList<>(lines.subList(taken, lines.size()));
        taken = lines.size();
        return fresh;
    }
}
