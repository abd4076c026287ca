package io.ringside.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.ringside.engine.tools.EngineStat;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the engine tests: a context that is light on a 2-core machine, bounded waiting
 * and a text form of outputs that two runs can be compared by.
 */
final class EngineTestSupport
{
    /** Small journal segments: a run rolls a few, and preallocating one costs little. */
    static final int SEGMENT_SIZE = 1024 * 1024;
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private EngineTestSupport()
    {
    }

    /**
     * @return a context on {@code dir} with small segments and waits that never spin.
     */
    static EngineContext context(final Path dir)
    {
        return new EngineContext()
            .directory(dir)
            .segmentSize(SEGMENT_SIZE)
            .journalerWait(WaitStrategy.BLOCKING)
            .shardWait(WaitStrategy.BLOCKING)
            .egressWait(WaitStrategy.SLEEPING);
    }

    /**
     * @return what {@code ./ringside stat DIR --once --errors} prints of an engine directory: state, counters, errors.
     */
    static String stat(final Path dir)
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        try (EngineStat stat = EngineStat.open(dir))
        {
            stat.print(out);
            stat.printErrors(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    /**
     * Publishes events {@code from} to {@code to} (exclusive), event i with key i and an 8-byte payload holding i.
     */
    static void publishCounting(final EventPublisher publisher, final int from, final int to)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        for (int i = from; i < to; i++)
        {
            event.putLong(0, i);
            publisher.publish(i, event, 0, 8);
        }
    }

    /**
     * Waits, parking 1 ms at a time, until the condition holds; fails after 30 s.
     */
    static void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                fail("timed out after 30 s waiting for " + what.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Closes an engine that a test may already have closed, without hiding the test's own failure.
     */
    static void closeQuietly(final Engine engine)
    {
        if (engine != null)
        {
            try
            {
                engine.close();
            }
            catch (final RuntimeException ignore)
            {
                // the test asserts what close() throws where it matters
            }
        }
    }

    /**
     * @return an output as {@code <position>:<shard>:<ordinal> <type> <key> <payload as hex>}, the format of
     * {@link io.ringside.engine.sink.FileSink#DEFAULT_FORMAT} for outputs that are not dead letters.
     */
    static String describe(final Output output)
    {
        return output.position() + ":" + output.shard() + ":" + output.ordinal() + " " + output.type() + " " + output.key() + " " +
            hex(output.buffer(), output.offset(), output.length());
    }

    static String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder text = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            text.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }
}
