package io.ringside.journal;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The journal example of README.md, compiled and run: if this changes, change the README with it.
 */
class ReadmeExampleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunTheReadmeExample()
    {
        // README example: begin
        final JournalContext ctx = new JournalContext()
            .directory(dir)                                   // created if missing; one appender at a time
            .durability(DurabilityPolicy.GROUP_COMMIT);       // force once per batch: survives power loss

        final UnsafeBuffer event = new UnsafeBuffer(new byte[48]);
        try (JournalAppender appender = JournalAppender.open(ctx))   // recovers: cuts a torn tail, refuses corruption
        {
            System.out.println(appender.recovery());
            for (long offset = 0; offset < 1_000; offset++)
            {
                event.putLong(0, offset);
                appender.append(1, 0, /* source */ 0, /* partition */ 0, offset, /* timestamp */ offset, event, 0, 48);
            }
            appender.endOfBatch();                                   // one force for the whole batch
        }

        long sum = 0;
        try (JournalReader reader = JournalReader.open(dir))         // any thread or process; follows live appends
        {
            for (JournalRecord record = reader.next(); record != null; record = reader.next())
            {
                sum += record.buffer().getLong(record.payloadOffset());  // zero-copy flyweight over the mapped file
            }
        }
        // README example: end
        assertEquals(999L * 1_000 / 2, sum);
    }
}
