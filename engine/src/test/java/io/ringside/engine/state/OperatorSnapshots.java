package io.ringside.engine.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;

/**
 * Writes an operator's snapshot to a file and reads it into another instance: the round trip the engine makes.
 */
final class OperatorSnapshots
{
    interface Writing
    {
        void write(SnapshotWriter out) throws IOException;
    }

    interface Reading
    {
        void read(SnapshotReader in);
    }

    private OperatorSnapshots()
    {
    }

    static void copy(final Path file, final Writing from, final Reading into)
    {
        try
        {
            try (SnapshotWriter out = SnapshotWriter.create(file))
            {
                from.write(out);
                out.finish();
            }
            try (SnapshotReader in = SnapshotReader.open(file))
            {
                into.read(in);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
