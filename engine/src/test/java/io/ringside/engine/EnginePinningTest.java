package io.ringside.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Threads pinned by the context run on that CPU only: the handler reads its own thread's allowed CPUs
 * from Linux's {@code /proc/thread-self/status}.
 */
class EnginePinningTest
{
    private static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");

    @TempDir
    Path dir;

    @BeforeEach
    void needsTwoCpusOnLinux()
    {
        assumeTrue(Files.isReadable(THREAD_STATUS), "needs Linux's /proc/thread-self");
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs CPUs 0 and 1");
    }

    @Test
    void shouldPinAPipelinedShardThreadToItsCpu()
    {
        assertEquals("1", allowedCpusOfTheHandler(EngineTestSupport.context(dir).topology(Topology.PIPELINED).shardCpus(1)));
    }

    @Test
    void shouldPinTheCompactThreadToTheJournalerCpu()
    {
        assertEquals("0", allowedCpusOfTheHandler(EngineTestSupport.context(dir).topology(Topology.COMPACT).journalerCpu(0)));
    }

    @Test
    void shouldPinTheBackgroundAgentsToTheBackgroundCpu() throws IOException
    {
        final EngineContext ctx = EngineTestSupport.context(dir).topology(Topology.COMPACT).journalerCpu(0).backgroundCpu(1)
            .handlers(shard -> new EngineRecoveryTest.Totals()).snapshotEveryEvents(1).snapshotOnClose(false);
        try (Engine engine = new Engine(ctx).start())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            engine.newPublisher(1).publish(1, event, 0, 8);
            EngineTestSupport.await(() -> engine.counters().snapshots() == 1, () -> "a snapshot, completed in the background");
            // Linux keeps 15 characters of a thread's name (the compact one is ringside-compact)
            assertEquals("[1]", allowedCpusOfThreads("ringside-journa").toString(), "the journal's segment preparer");
            assertEquals("[0]", allowedCpusOfThreads("ringside-compac").toString(), "the compact thread");
            assertEquals("[1]", allowedCpusOfThreads("ringside-snapsh").toString(), "the snapshot completer");
        }
    }

    /**
     * @return the allowed CPUs of this process's threads whose (Linux, 15-character) name is {@code comm}, sorted.
     */
    private static List<String> allowedCpusOfThreads(final String comm) throws IOException
    {
        final List<String> allowed = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                if (Files.readString(task.resolve("comm")).trim().equals(comm))
                {
                    allowed.add(cpusAllowedList(task.resolve("status")));
                }
            }
        }
        allowed.sort(null);
        return allowed;
    }

    private static String allowedCpusOfTheHandler(final EngineContext ctx)
    {
        final AtomicReference<String> allowed = new AtomicReference<>();
        ctx.handlers(shard -> (event, context) -> allowed.compareAndSet(null, cpusAllowedList(THREAD_STATUS)));
        try (Engine engine = new Engine(ctx).start())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            engine.newPublisher(1).publish(1, event, 0, 8);
            EngineTestSupport.await(() -> allowed.get() != null, () -> "the handler to see an event");
        }
        return allowed.get();
    }

    private static String cpusAllowedList(final Path status)
    {
        try
        {
            for (final String line : Files.readAllLines(status))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring("Cpus_allowed_list:".length()).trim();
                }
            }
            return "no Cpus_allowed_list line";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
