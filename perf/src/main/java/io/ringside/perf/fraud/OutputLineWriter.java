package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An {@link OutputRecordSink} that writes each record as an {@link OutputLine} and a {@code '\n'} to an
 * {@link Appendable} (a buffered writer for a file). Reuses one builder: allocates nothing per record beyond
 * what the appendable does. Not thread-safe: one thread at a time; the caller flushes and closes the appendable.
 */
public final class OutputLineWriter implements OutputRecordSink
{
    private final Appendable out;
    private final StringBuilder line = new StringBuilder(128);

    public OutputLineWriter(final Appendable out)
    {
        this.out = out;
    }

    /**
     * @throws UncheckedIOException if the appendable fails.
     */
    @Override
    public void onOutput(final OutputKind kind, final long[] fields)
    {
        line.setLength(0);
        OutputLine.append(line, kind, fields).append('\n');
        try
        {
            out.append(line);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("writing an output line failed", ex);
        }
    }
}
