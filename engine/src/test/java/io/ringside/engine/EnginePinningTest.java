package io.ringside.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

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

    private static String allowedCpusOfTheHandler(final EngineContext ctx)
    {
        final AtomicReference<String> allowed = new AtomicReference<>();
        ctx.handlers(shard -> (event, context) -> allowed.compareAndSet(null, cpusAllowedList()));
        try (Engine engine = new Engine(ctx).start())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            engine.newPublisher(1).publish(1, event, 0, 8);
            EngineTestSupport.await(() -> allowed.get() != null, () -> "the handler to see an event");
        }
        return allowed.get();
    }

    private static String cpusAllowedList()
    {
        try
        {
            for (final String line : Files.readAllLines(THREAD_STATUS))
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
