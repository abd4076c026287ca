package io.ringside.engine;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.ringside.engine.tools.EngineStat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters file read by {@link EngineStat} in another JVM while the engine runs.
 */
class EngineStatTest
{
    private static final int EVENTS = 1_234;

    @TempDir
    Path dir;

    @Test
    void shouldShowTheCountersOfARunningEngineToAnotherProcess() throws Exception
    {
        final EngineContext ctx = EngineTestSupport.context(dir)
            .handlers(shard -> (event, context) ->
            {
            });
        final String output;
        final int exit;
        try (Engine engine = new Engine(ctx).start())
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < EVENTS; i++)
            {
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
            }
            EngineTestSupport.await(() -> engine.counters().published() == EVENTS && engine.counters().processed() == EVENTS,
                () -> "the counters to show " + EVENTS + " events published and processed, published " +
                engine.counters().published() + ", processed " + engine.counters().processed());

            final Process child = ChildJvm.start(StatOnce.class, dir.toString());
            try (InputStream out = child.getInputStream())
            {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "stat did not exit within 30 s");
                exit = child.exitValue();
            }
            finally
            {
                child.destroyForcibly();
            }
        }

        assertEquals(0, exit, "stat's exit code; it printed:\n" + output);
        assertTrue(output.contains("running"), "stat says the engine runs:\n" + output);
        final String count = String.format(Locale.ROOT, "%,d", EVENTS);
        assertTrue(output.lines().anyMatch(line -> line.contains("events published") && line.trim().endsWith(" " + count)),
            "stat shows " + count + " events published:\n" + output);
        assertTrue(output.lines().anyMatch(line -> line.contains("shard 0 events processed") && line.trim().endsWith(" " + count)),
            "stat shows " + count + " events processed:\n" + output);

        final String closed = EngineTestSupport.stat(dir);
        assertTrue(closed.lines().findFirst().orElse("").endsWith(", closed"), "stat says the engine closed:\n" + closed);
    }

    @Test
    void shouldRefuseADirectoryWithoutACountersFile() throws IOException
    {
        assertTrue(assertThrows(FileNotFoundException.class, () -> EngineStat.open(dir)).getMessage().contains("no counters file"));
        Files.write(dir.resolve(EngineCounters.FILE_NAME), new byte[64]);
        assertTrue(assertThrows(IOException.class, () -> EngineStat.open(dir)).getMessage().contains("not a Ringside counters file"));
    }

    /**
     * The other process: prints the counters of the engine directory {@code args[0]} once.
     */
    static final class StatOnce
    {
        public static void main(final String[] args) throws IOException
        {
            try (EngineStat stat = EngineStat.open(Path.of(args[0])))
            {
                stat.print(System.out);
            }
        }
    }
}
