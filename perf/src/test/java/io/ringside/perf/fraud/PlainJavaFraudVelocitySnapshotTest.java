package io.ringside.perf.fraud;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PlainJavaFraudVelocity#writeSnapshot}, the state a consumer group's partition publishes for its next owner: a
 * run cut anywhere, written and read into a new instance, goes on with the same outputs in the same order as the run
 * uncut (a new owner's output ids, (offset, ordinal), are the old one's only if the order within an event is).
 */
class PlainJavaFraudVelocitySnapshotTest
{
    private static final long EVENTS = 120_000;

    @TempDir
    Path dir;

    @Test
    void aRestoredRunGivesTheOutputsOfTheUncutOneInOrder() throws IOException
    {
        final List<String> uncut = new ArrayList<>();
        final PlainJavaFraudVelocity whole = new PlainJavaFraudVelocity(recorder(uncut), 1 << 10, 1 << 12);
        final WorkloadGenerator all = new WorkloadGenerator(13, EVENTS, 5_000);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (all.next(event, 0))
        {
            whole.onEvent(event, 0);
        }
        whole.endOfInput();

        for (final long cut : new long[] {1, 33_333, 61_000, 119_999})
        {
            final List<String> outputs = new ArrayList<>();
            final OutputRecordSink sink = recorder(outputs);
            PlainJavaFraudVelocity rules = new PlainJavaFraudVelocity(sink, 1 << 10, 1 << 12);
            final WorkloadGenerator generator = new WorkloadGenerator(13, EVENTS, 5_000);
            for (long i = 0; generator.next(event, 0); i++)
            {
                if (i == cut)
                {
                    final Path file = dir.resolve("cut-" + cut + ".snap");
                    try (SnapshotWriter out = SnapshotWriter.create(file))
                    {
                        rules.writeSnapshot(out);
                        out.finish();
                    }
                    rules = new PlainJavaFraudVelocity(sink, 16, 16);   // sized otherwise: the tables come from the snapshot
                    try (SnapshotReader in = SnapshotReader.open(file))
                    {
                        rules.readSnapshot(in);
                        assertEquals(0, in.remaining(), "read what was written");
                    }
                }
                rules.onEvent(event, 0);
            }
            rules.endOfInput();
            assertEquals(uncut.size(), outputs.size(), "cut at " + cut);
            assertEquals(uncut, outputs, "cut at " + cut);
        }
    }

    private static OutputRecordSink recorder(final List<String> outputs)
    {
        return (kind, fields) -> outputs.add(kind + Arrays.toString(Arrays.copyOf(fields, kind.fieldCount())));
    }
}
