package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.DeadLetter;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.Output;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs a hand-written or random stream of {@link FraudScenario.Event}s through an engine whose shards run
 * {@link FraudVelocityPipeline} (journal, ring, the engine's own watermarks, the Chronicle Map operators), each
 * source as a partition of one declared source, and returns every output as a line in {@link OutputLine}'s format.
 * It also checks that the engine's late counter equals the LATE outputs.
 */
final class EnginePipelineRunner
{
    private EnginePipelineRunner()
    {
    }

    static List<String> run(final Path dir, final int sources, final List<FraudScenario.Event> events, final Topology topology, final int shards)
    {
        final List<String> lines = new ArrayList<>();
        final List<FraudVelocityPipeline> pipelines = new ArrayList<>();
        final EngineContext ctx = new EngineContext()
            .directory(dir)
            .segmentSize(1024 * 1024)
            .topology(topology)
            .shardCount(shards)
            .waitStrategy(WaitStrategy.BLOCKING)
            .egressWait(WaitStrategy.SLEEPING)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(1, sources)
            .handlers(shard ->
            {
                final FraudVelocityPipeline pipeline = new FraudVelocityPipeline(shard, 64, 1_024);
                synchronized (pipelines)
                {
                    pipelines.add(pipeline);
                }
                return pipeline;
            })
            .outputListener(output ->
            {
                final String line = line(output);
                synchronized (lines)
                {
                    lines.add(line);
                }
            });
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final long[] offsets = new long[sources];
        final long late;
        try
        {
            final Engine engine = new Engine(ctx).start();
            try (engine)
            {
                final EventPublisher publisher = engine.newPublisher(1);
                for (final FraudScenario.Event e : events)
                {
                    FraudEvent.write(event, 0, e.eventId(), e.cardId(), 0, e.amountCents(), e.eventTimeMs(), e.country());
                    publisher.publish(e.cardId(), e.source(), offsets[e.source()]++, 0, event, 0, FraudEvent.LENGTH);
                }
                publisher.endOfInput();
            }
            late = engine.counters().late();
            assertEquals(0, engine.counters().errors(), () -> "handler errors: " +
                lines.stream().filter(line -> line.startsWith("DEAD_LETTER")).limit(3).toList());
        }
        finally
        {
            synchronized (pipelines)
            {
                pipelines.forEach(FraudVelocityPipeline::close);
            }
        }
        synchronized (lines)
        {
            assertEquals(lines.stream().filter(line -> line.startsWith(OutputKind.LATE.name() + ",")).count(), late,
                "the engine's late counter counts the LATE outputs");
            return new ArrayList<>(lines);
        }
    }

    private static String line(final Output output)
    {
        if (output.type() == Output.DEAD_LETTER)
        {
            return "DEAD_LETTER " + DeadLetter.reason(output);
        }
        final OutputKind kind = OutputKind.fromNumber(output.type());
        final long[] fields = new long[kind.fieldCount()];
        FraudOutput.read(kind, output.buffer(), output.offset(), fields);
        return OutputLine.format(kind, fields);
    }
}
