package io.ringside.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.ringside.engine.sink.FileSink;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * close() right after the last of many fast publishes: every event in flight is processed and every
 * output reaches the file sink.
 */
class EngineShutdownTest
{
    private static final int EVENTS = 50_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Topology.class)
    void shouldProcessAndDeliverEverythingInFlightWhenClosed(final Topology topology) throws Exception
    {
        final Path outputFile = dir.resolve("outputs.txt");
        final EngineContext ctx = EngineTestSupport.context(dir.resolve("engine"))
            .topology(topology)
            .shardCount(2)
            .multiProducer(false)
            .handlers(shard -> (event, context) -> context.emit(0, event.key(), event.buffer(), event.offset(), event.length()))
            .addSink(new FileSink(outputFile));
        final Engine engine = new Engine(ctx).start();
        try
        {
            EngineTestSupport.publishCounting(engine.newPublisher(1), 0, EVENTS);
            engine.close();
        }
        finally
        {
            EngineTestSupport.closeQuietly(engine);
        }

        assertEquals(EVENTS, engine.counters().processed(), "events processed");
        assertEquals(EVENTS, engine.counters().outputs(), "outputs emitted");
        assertEquals(EVENTS, engine.counters().delivered(), "outputs delivered");
        assertEquals(EVENTS, engine.latencyHistogram().getTotalCount(), "a latency recorded per event");
        final List<String> lines = Files.readAllLines(outputFile);
        assertEquals(EVENTS, lines.size(), "lines in the file sink");
        final Set<String> ids = new HashSet<>();
        final Set<Long> keys = new HashSet<>();
        for (final String line : lines)
        {
            final String[] fields = line.split(" ");
            ids.add(fields[0]);
            keys.add(Long.parseLong(fields[2]));
        }
        assertEquals(EVENTS, ids.size(), "distinct output ids");
        assertEquals(EVENTS, keys.size(), "one output per event");
    }
}
