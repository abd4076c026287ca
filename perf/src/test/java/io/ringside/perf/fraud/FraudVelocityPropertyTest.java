package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import io.ringside.engine.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: on random small streams (few cards, times on a coarse grid so that bounds are met exactly, out-of-order,
 * late and re-sent events, bursts over VELOCITY, amounts around the AMOUNT limit, jumps past the dedup horizon),
 * the engine running {@link FraudVelocityPipeline} emits exactly the outputs of {@link ReferenceFraudVelocity}: the
 * same records, as a multiset, for a random topology and shard count per stream; and the engine's late counter
 * equals the LATE outputs. One source: with several, a source far ahead of the global watermark that a quiet source
 * holds back opens more windows per card than the pipeline's fixed slots per card take (its events are then
 * dead-lettered), which is the pipeline's sizing to fix, not this property's.
 */
class FraudVelocityPropertyTest
{
    @TempDir
    Path dir;

    @Test
    void shouldEmitExactlyTheReferencesOutputsOnRandomStreamsFromOneSource()
    {
        final int[] kinds = new int[OutputKind.values().length];
        for (int seed = 0; seed < 40; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final List<FraudScenario.Event> events = RandomStreams.oneSource(random);
            final Topology topology = random.nextBoolean() ? Topology.COMPACT : Topology.PIPELINED;
            final int shards = 1 + random.nextInt(3);
            final List<String> expected = FraudScenario.sorted(FraudScenario.runReference(1, events).all());
            final List<String> actual = FraudScenario.sorted(EnginePipelineRunner.run(dir.resolve("one-" + seed), 1, events, topology, shards));
            assertEquals(expected, actual, "seed " + seed + ", " + topology + " x" + shards + ", " + events.size() + " events");
            expected.forEach(line -> kinds[OutputKind.valueOf(line.substring(0, line.indexOf(','))).ordinal()]++);
        }
        for (final OutputKind kind : OutputKind.v1())
        {
            assertTrue(kinds[kind.ordinal()] > 0, "the streams produce every kind of output, " + kind + " too");
        }
    }
}
