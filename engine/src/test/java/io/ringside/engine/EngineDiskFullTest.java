package io.ringside.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A snapshot that fills the disk fails, says why in the error log, and the engine goes on: the error log is written
 * into a counters file allocated whole at start, so recording the failure cannot itself fault on the full disk (it
 * did, when the file was sparse, and left the engine hung). On a real small file system (a tmpfs mounted for the
 * test, which needs root: skipped where it cannot mount one).
 */
class EngineDiskFullTest
{
    @TempDir
    Path parent;

    private Path dir;
    private boolean mounted;

    /** Sums per key; its snapshot is 6 MiB of filler, more than the file system has left. */
    static final class BigSnapshot extends EngineRecoveryTest.Totals
    {
        @Override
        public void writeSnapshot(final SnapshotWriter out) throws IOException
        {
            super.writeSnapshot(out);
            final org.agrona.concurrent.UnsafeBuffer filler = new org.agrona.concurrent.UnsafeBuffer(new byte[64 * 1024]);
            for (int i = 0; i < 96; i++)
            {
                out.writeBytes(filler, 0, filler.capacity());
            }
        }
    }

    @BeforeEach
    void mountSmallFileSystem() throws Exception
    {
        dir = Files.createDirectory(parent.resolve("small"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", dir.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (not root?): the full-disk test needs one");
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mounted)
        {
            // a mapping the JVM has not released yet (a buffer the GC has not collected) keeps the file system busy
            for (int attempt = 0; attempt < 10 && run("umount", dir.toString()) != 0; attempt++)
            {
                System.gc();
                Thread.sleep(100);
            }
            if (Files.exists(dir.resolve("engine")))
            {
                assertEquals(0, run("umount", "-l", dir.toString()), "unmount " + dir);
            }
        }
    }

    @Test
    void aSnapshotThatFillsTheDiskFailsAndTheEngineGoesOn() throws InterruptedException
    {
        final Path engineDir = dir.resolve("engine");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        {
            try (Engine engine = new Engine(EngineTestSupport.context(engineDir).handlers(shard -> new BigSnapshot())
                .snapshotEveryEvents(1_000).snapshotOnClose(false)).start())
            {
                EngineRecoveryTest.publish(engine, 1, 1_500);
                EngineTestSupport.await(() -> engine.counters().snapshotsFailed() >= 1, () -> "the snapshot to fail");
                EngineRecoveryTest.publish(engine, 1_500, 2_500);
                EngineTestSupport.await(() -> engine.counters().processed() == 2_499, () -> "the engine to go on: " +
                    engine.counters().processed() + " events processed");
                assertEquals(0, engine.counters().snapshots());
            }
        }, "no hang: the engine goes on and closes");
        final String printed = EngineTestSupport.stat(engineDir);
        assertTrue(printed.contains("No space left on device") && printed.contains("snapshot at journal position"), printed);
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
