package io.ringside.engine;

import io.ringside.engine.runtime.OutputView;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import io.ringside.engine.sink.FileSink;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler that throws: under {@link ErrorPolicy#DEAD_LETTER} the event becomes a dead letter and the
 * engine goes on; under {@link ErrorPolicy#STRICT} the first throw stops the engine.
 */
class EngineHandlerErrorTest
{
    private static final int EVENTS = 1_000;
    private static final int TYPE_VALUE = 0;

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterEveryThrowingEventAndKeepRunning() throws Exception
    {
        final Queue<Output> heard = new ConcurrentLinkedQueue<>();
        final Path outputFile = dir.resolve("outputs.txt");
        final EngineContext ctx = EngineTestSupport.context(dir.resolve("engine"))
            .topology(Topology.PIPELINED)
            .shardCount(2)
            .errorPolicy(ErrorPolicy.DEAD_LETTER)
            .handlers(shard -> EngineHandlerErrorTest::throwOnThrees)
            .outputListener(output -> heard.add(copy(output)))
            .addSink(new FileSink(outputFile));
        final Engine engine = new Engine(ctx).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < EVENTS / 2; i++)
            {
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
            }
            EngineTestSupport.await(() -> engine.counters().processed() == EVENTS / 2,
                () -> "the first half to be processed, processed " + engine.counters().processed());
            assertEquals(EVENTS / 20, engine.counters().errors(), "errors after the first half");
            for (int i = EVENTS / 2; i < EVENTS; i++)
            {
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
            }
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }

        final int throwing = EVENTS / 10;
        assertEquals(EVENTS, engine.counters().processed(), "events processed, the throwing ones included");
        assertEquals(throwing, engine.counters().errors(), "handler errors");
        assertEquals(throwing, engine.counters().deadLetters(), "dead letters");
        assertEquals(EVENTS, engine.counters().outputs(), "outputs: one value or one dead letter per event");
        assertEquals(EVENTS, engine.counters().delivered(), "outputs delivered to the sink");

        final boolean[] seen = new boolean[EVENTS];
        int deadLetters = 0;
        for (final Output output : heard)
        {
            final long value;
            if (output.type() == Output.DEAD_LETTER)
            {
                deadLetters++;
                assertEquals(8, DeadLetter.eventLength(output), "a dead letter carries the event's bytes");
                value = output.buffer().getLong(DeadLetter.eventOffset(output));
                assertEquals(3, value % 10, "only throwing events are dead-lettered: " + value);
                final String reason = DeadLetter.reason(output);
                assertTrue(reason.contains("no threes please: " + value), "the reason has the exception's message: " + reason);
                assertTrue(reason.contains(IllegalStateException.class.getName()), "the reason has the exception's class: " + reason);
                assertEquals(value, output.key(), "a dead letter has the event's key");
            }
            else
            {
                assertEquals(TYPE_VALUE, output.type());
                value = output.buffer().getLong(output.offset());
                assertTrue(value % 10 != 3, "a throwing event emitted a value output: " + value);
            }
            assertTrue(!seen[(int)value], "two outputs for event " + value);
            seen[(int)value] = true;
        }
        assertEquals(throwing, deadLetters, "dead letters heard");
        assertEquals(EVENTS, heard.size(), "outputs heard");

        final List<String> lines = Files.readAllLines(outputFile);
        assertEquals(EVENTS, lines.size(), "lines written by the file sink");
        final List<String> deadLines = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.contains(" DEAD_LETTER "))
            {
                deadLines.add(line);
            }
        }
        assertEquals(throwing, deadLines.size(), "dead letters written by the file sink");
        assertTrue(deadLines.get(0).contains("no threes please"), deadLines.get(0));

        final String statText = EngineTestSupport.stat(ctx.directory());
        assertTrue(statText.contains("IllegalStateException: no threes please"), "the error log has the handler's exception:\n" + statText);
    }

    @Test
    void shouldDeadLetterALongEventThroughASmallEgressBuffer()
    {
        final int maxEventLength = 400;
        final Queue<Output> heard = new ConcurrentLinkedQueue<>();
        final RecordingSink sink = new RecordingSink();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .egressBufferLength(4096)
            .maxEventLength(maxEventLength)
            .handlers(shard -> EngineHandlerErrorTest::throwOnThrees)
            .outputListener(output -> heard.add(copy(output)))
            .addSink(sink);
        final Engine engine = new Engine(ctx).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[maxEventLength]);
            for (int i = 0; i < maxEventLength; i++)
            {
                event.putByte(i, (byte)i);
            }
            event.putLong(0, 3);
            publisher.publish(3, event, 0, maxEventLength);
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(1, engine.counters().deadLetters(), "dead letters");
        assertEquals(1, sink.deadLetters, "dead letters delivered to the sink");
        final Output deadLetter = heard.peek();
        assertNotNull(deadLetter, "the listener heard the dead letter");
        assertEquals(maxEventLength, DeadLetter.eventLength(deadLetter), "the dead letter carries the whole event");
        assertEquals(99, deadLetter.buffer().getByte(DeadLetter.eventOffset(deadLetter) + 99), "the event's bytes");
        assertTrue(DeadLetter.reason(deadLetter).contains("no threes please: 3"), DeadLetter.reason(deadLetter));
    }

    @Test
    void shouldRejectAnEgressBufferTooSmallForTheDeadLetterOfTheLongestEvent()
    {
        final EngineContext ctx = EngineTestSupport.context(dir)
            .egressBufferLength(4096)
            .maxEventLength(1000)
            .handlers(shard -> EngineHandlerErrorTest::throwOnThrees)
            .addSink(new RecordingSink());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Engine(ctx).close());
        assertTrue(ex.getMessage().contains("egress buffer length"), ex.getMessage());
    }

    @Test
    void shouldStopTheEngineAtTheFirstThrowUnderTheStrictPolicy()
    {
        final AtomicReference<Exception> thrown = new AtomicReference<>();
        final Queue<Long> handled = new ConcurrentLinkedQueue<>();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .errorPolicy(ErrorPolicy.STRICT)
            .handlers(shard -> (event, context) ->
            {
                final long value = event.buffer().getLong(event.offset());
                handled.add(value);
                if (value == 5)
                {
                    final Exception ex = new IllegalArgumentException("five is not allowed");
                    thrown.set(ex);
                    throw ex;
                }
            });
        final Engine engine = new Engine(ctx).start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 10; i++)
            {
                event.putLong(0, i);
                publisher.publish(i, event, 0, 8);
            }
            final IllegalStateException refused = awaitRefusal(publisher, event);
            assertTrue(refused.getMessage().contains("failed"), refused.getMessage());
            assertThrows(IllegalStateException.class, () -> publisher.publish(1, event, 0, 8));

            final EngineFailedException failed = assertThrows(EngineFailedException.class, engine::close);
            assertNotNull(thrown.get(), "the handler threw");
            assertSame(thrown.get(), failed.getCause(), "close() throws with the handler's exception as cause");
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), new ArrayList<>(handled), "nothing is handled after the throw");
        assertEquals(1, engine.counters().errors(), "handler errors");
        assertEquals(0, engine.counters().deadLetters(), "no dead letter under STRICT");
    }

    @Test
    void shouldReleaseAPublisherWaitingOnAFullRingWhenTheEngineFails()
    {
        final AtomicReference<Engine> running = new AtomicReference<>();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .ringSize(64)
            .errorPolicy(ErrorPolicy.STRICT)
            .handlers(shard -> (event, context) ->
            {
                EngineTestSupport.await(() -> running.get().ringFreeSlots() == 0, () -> "the publisher to fill the ring");
                throw new IllegalArgumentException("the handler gives up");
            });
        final Engine engine = new Engine(ctx);
        running.set(engine);
        engine.start();
        try
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            final IllegalStateException refused = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                IllegalStateException.class, () ->
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        event.putLong(0, i);
                        publisher.publish(i, event, 0, 8);
                    }
                }), "a publisher blocked on the full ring of a failed engine must be released");
            assertTrue(refused.getMessage().contains("failed"), refused.getMessage());
            assertTrue(refused.getCause() instanceof EngineFailedException, "the cause is the engine's failure: " + refused.getCause());
            assertEquals("the handler gives up", refused.getCause().getCause().getMessage(), "whose cause is the handler's exception");
            assertTrue(publisher.fullCount() > 0, "the publisher waited on the full ring");
            assertThrows(EngineFailedException.class, engine::close);
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }
    }

    /**
     * Publishes events the handler accepts until the engine refuses them (it fails asynchronously).
     */
    private static IllegalStateException awaitRefusal(final EventPublisher publisher, final UnsafeBuffer event)
    {
        final IllegalStateException[] refusal = new IllegalStateException[1];
        EngineTestSupport.await(() ->
        {
            try
            {
                event.putLong(0, 100);
                publisher.tryPublish(100, event, 0, 8);
                return false;
            }
            catch (final IllegalStateException ex)
            {
                refusal[0] = ex;
                return true;
            }
        }, () -> "the engine to refuse events after the handler threw");
        return refusal[0];
    }

    private static void throwOnThrees(final Event event, final ShardContext context)
    {
        final long value = event.buffer().getLong(event.offset());
        if (value % 10 == 3)
        {
            throw new IllegalStateException("no threes please: " + value);
        }
        context.emit(TYPE_VALUE, event.key(), event.buffer(), event.offset(), 8);
    }

    /**
     * Counts the dead letters it is given. Egress thread only (read after close).
     */
    private static final class RecordingSink implements OutputSink
    {
        int deadLetters;

        @Override
        public void onOutput(final Output output)
        {
            if (output.type() == Output.DEAD_LETTER)
            {
                deadLetters++;
            }
        }
    }

    /**
     * @return a copy of an output that outlives the callback.
     */
    private static Output copy(final Output output)
    {
        final byte[] bytes = new byte[output.length()];
        output.buffer().getBytes(output.offset(), bytes);
        return new OutputView().set(output.position(), output.ordinal(), output.type(), output.key(), output.shard(),
            new UnsafeBuffer(bytes), 0, bytes.length);
    }
}
