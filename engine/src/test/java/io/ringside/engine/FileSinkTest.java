package io.ringside.engine;

import io.ringside.engine.runtime.OutputView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ringside.engine.sink.FileSink;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file sink's exactly-once record: after a crash it cuts what was written after its last record (a torn line
 * included) and drops the replayed outputs it holds already.
 */
class FileSinkTest
{
    private static final long JOURNAL = 0x1234;

    @TempDir
    Path dir;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);

    private Output output(final long position, final int ordinal, final int shard)
    {
        payload.putLong(0, position * 10 + ordinal);
        return new OutputView().set(position, ordinal, 1, 7, shard, payload, 0, 8).replay(true);
    }

    @Test
    void aRestartCutsTheUnrecordedTailAndDropsWhatTheFileHolds() throws Exception
    {
        final Path file = dir.resolve("out.txt");
        final FileSink first = new FileSink(file);
        first.onStart(JOURNAL);
        first.onOutput(output(100, 0, 0));
        first.onOutput(output(100, 1, 0));
        first.onOutput(output(200, 0, 1));
        first.flush();
        first.onOutput(output(300, 0, 0));
        first.flush();
        first.close();   // nothing left to flush: as if the process died here (its lock goes with it)
        // a crash: one more line reached the file after the last record, and half of another
        Files.writeString(file, "999:0:0 1 7 00\n999:0:1 1 7", java.nio.file.StandardOpenOption.APPEND);
        final List<String> before = Files.readAllLines(file);
        assertEquals(6, before.size());

        final FileSink second = new FileSink(file);
        second.onStart(JOURNAL);
        final long[][] replayed = {{100, 0, 0}, {100, 1, 0}, {200, 0, 1}, {300, 0, 0}, {300, 1, 0}, {250, 0, 1}};
        for (final long[] id : replayed)
        {
            second.onOutput(output(id[0], (int)id[1], (int)id[2]));
        }
        second.close();
        assertEquals(4, second.skipped());
        final List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("100:0:0 1 7 e803000000000000", "100:0:1 1 7 e903000000000000", "200:1:0 1 7 d007000000000000",
            "300:0:0 1 7 b80b000000000000", "300:0:1 1 7 b90b000000000000", "250:1:0 1 7 c409000000000000"), lines);
    }

    @Test
    void aFileOfAnotherJournalOrWithoutItsRecordIsRefused() throws Exception
    {
        final Path file = dir.resolve("out.txt");
        final FileSink sink = new FileSink(file);
        sink.onStart(JOURNAL);
        sink.onOutput(output(1, 0, 0));
        sink.close();
        final IOException other = assertThrows(IOException.class, () -> new FileSink(file).onStart(JOURNAL + 1));
        assertTrue(other.getMessage().contains("another journal"), other.getMessage());

        final Path foreign = dir.resolve("foreign.txt");
        Files.writeString(foreign, "something\n");
        final IOException unknown = assertThrows(IOException.class, () -> new FileSink(foreign).onStart(JOURNAL));
        assertTrue(unknown.getMessage().contains("delete it or choose another file"), unknown.getMessage());
    }

    @Test
    void aFileAnotherSinkWritesIsRefused() throws Exception
    {
        final Path file = dir.resolve("shared.txt");
        final FileSink first = new FileSink(file);
        first.onStart(JOURNAL);
        try
        {
            final FileSink second = new FileSink(file);
            final IOException refused = assertThrows(IOException.class, () -> second.onStart(JOURNAL));
            assertTrue(refused.getMessage().contains("is being written by another sink"), refused.getMessage());
        }
        finally
        {
            first.close();
        }
        final FileSink after = new FileSink(file);
        after.onStart(JOURNAL);   // free again once the first is closed
        after.close();
    }
}
