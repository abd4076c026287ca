package io.ringside.perf.fraud;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract's claim for several sources, on the reference: each card on one source, the outputs depend only on
 * each source's own order, never on how the sources interleave.
 */
class ReferenceSeveralSourcesTest
{
    @Test
    void shouldNotDependOnHowTheSourcesInterleave()
    {
        final SplittableRandom random = new SplittableRandom(99);
        int outputs = 0;
        for (int stream = 0; stream < 100; stream++)
        {
            final long seed = random.nextLong();
            final SplittableRandom streamRandom = new SplittableRandom(seed);
            final int sources = 2 + streamRandom.nextInt(2);
            final List<FraudScenario.Event> events = RandomStreams.severalSources(streamRandom, sources);
            final List<String> expected = FraudScenario.sorted(
                FraudScenario.runReference(sources, RandomStreams.interleave(events, sources, streamRandom)).all());
            for (int i = 0; i < 3; i++)
            {
                final List<String> actual = FraudScenario.sorted(
                    FraudScenario.runReference(sources, RandomStreams.interleave(events, sources, streamRandom)).all());
                assertEquals(expected, actual, "stream seed " + seed + ", interleaving " + i);
            }
            outputs += expected.size();
        }
        assertTrue(outputs > 10_000);
    }
}
