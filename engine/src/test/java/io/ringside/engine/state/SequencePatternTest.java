package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pattern's edges, computed by hand: "a small charge followed by a large one within 300 s" (workload v2's
 * TESTCHARGE), lateness 5,000, then a three-step sequence.
 */
class SequencePatternTest
{
    private static final long T = 300_000;
    private static final long LATENESS = 5_000;
    private static final int SMALL = 0;
    private static final int LARGE = 1;

    @TempDir
    Path dir;

    private final List<String> matches = new ArrayList<>();

    private SequencePattern pattern(final int steps, final long within, final int slice)
    {
        return new SequencePattern("testcharge", steps, within, LATENESS, 16, 64, slice,
            (key, ids) -> matches.add(key + ":" + Arrays.toString(ids)));
    }

    @Test
    void shouldDecideOnlyOnceTheWatermarkMakesTheTriggerFinal()
    {
        try (SequencePattern p = pattern(2, T, 100))
        {
            p.add(1, SMALL, 5, 100_000);
            p.add(1, LARGE, 9, 400_000);
            p.close(Long.MIN_VALUE);
            p.close(404_999);
            assertTrue(matches.isEmpty(), "400,000 + 5,000 > 404,999: not final yet");
            p.close(405_000);
            assertEquals(List.of("1:[5, 9]"), matches, "S.time = L.time - 300,000: the lower bound is inclusive");
            p.close(Long.MAX_VALUE);
            assertEquals(1, matches.size(), "decided once");
        }
    }

    @Test
    void shouldExcludeASmallAtTheLargesTimeOrBeforeTheLowerBound()
    {
        try (SequencePattern p = pattern(2, T, 100))
        {
            p.add(1, SMALL, 1, 99_999);    // L.time - 300,001: too early
            p.add(1, SMALL, 2, 400_000);   // L.time itself: not strictly before
            p.add(1, SMALL, 3, 400_001);   // after
            p.add(1, LARGE, 9, 400_000);
            p.close(Long.MAX_VALUE);
            assertTrue(matches.isEmpty(), matches.toString());
        }
    }

    @Test
    void shouldChooseTheMostRecentSmallTiesTheSmallestIdWhateverTheArrivalOrder()
    {
        try (SequencePattern p = pattern(2, T, 100))
        {
            p.add(1, SMALL, 1, 150_000);
            p.add(1, SMALL, 7, 200_000);
            p.add(1, LARGE, 9, 300_000);
            p.add(1, SMALL, 6, 200_000);   // arrives after the large, earlier than it: counts, and wins the tie
            p.add(1, SMALL, 8, 200_000);
            p.add(2, SMALL, 4, 299_999);   // another key's: no effect
            p.close(Long.MAX_VALUE);
            assertEquals(List.of("1:[6, 9]"), matches);
        }
    }

    @Test
    void shouldNotConsumeASmallAndDecideInOrderOfTimeThenId()
    {
        try (SequencePattern p = pattern(2, T, 100))
        {
            p.add(1, SMALL, 2, 250_000);
            p.add(3, SMALL, 30, 100_000);
            p.add(1, LARGE, 21, 410_000);
            p.add(1, LARGE, 20, 400_000);
            p.add(3, LARGE, 31, 400_000);
            p.add(3, LARGE, 19, 400_000);
            p.close(420_000);
            assertEquals(List.of("3:[30, 19]", "1:[2, 20]", "3:[30, 31]", "1:[2, 21]"), matches,
                "time 400,000: ids 19, 20, 31; then 410,000; small 2 pairs twice, small 30 twice");
        }
    }

    @Test
    void shouldKeepASmallUntilNoTriggerCanUseItThenForgetTheKey()
    {
        try (SequencePattern p = pattern(2, T, 100))
        {
            p.add(1, SMALL, 5, 100_000);
            p.add(1, LARGE, 9, 400_000);
            p.close(404_999);
            assertEquals(1, p.heldEvents());
            p.close(405_000);   // the large's decision and the small's expiry fall due together: the decision first
            assertEquals(List.of("1:[5, 9]"), matches);
            assertEquals(0, p.heldEvents(), "100,000 + 300,000 + 5,000 <= 405,000: no trigger can use it");
            p.add(1, LARGE, 10, 400_001);   // late in a pipeline (its time + lateness is passed); decided at the next close
            p.close(405_001);
            assertEquals(1, matches.size());
        }
    }

    @Test
    void shouldDecideInSlicesAndEverythingAtTheEndOfInput()
    {
        try (SequencePattern p = pattern(2, T, 2))
        {
            for (long key = 1; key <= 5; key++)
            {
                p.add(key, SMALL, 100 + key, 1_000);
                p.add(key, LARGE, key, 2_000);
            }
            assertEquals(2, p.close(7_000));
            assertEquals(2, matches.size());
            assertTrue(p.hasDue());
            while (p.hasDue())
            {
                p.closeDue();
            }
            assertEquals(5, matches.size());
            p.add(6, SMALL, 106, 10_000);
            p.add(6, LARGE, 6, 20_000);
            p.close(Long.MAX_VALUE);
            assertEquals("6:[106, 6]", matches.get(5), "the end of input decides at once, whatever the slice");
            assertEquals(0, p.heldEvents());
            assertFalse(p.hasDue());
        }
    }

    @Test
    void shouldMatchALongerSequenceBackwardsFromItsTrigger()
    {
        try (SequencePattern p = pattern(3, 100, 100))
        {
            // key 1: A 10, B 20 and B 5, C 30: the most recent B before C (20), then the most recent A before it (10)
            p.add(1, 0, 1, 10);
            p.add(1, 1, 2, 20);
            p.add(1, 1, 3, 5);
            p.add(1, 2, 4, 30);
            // key 2: the only A comes after the only B: no A -> B -> C
            p.add(2, 1, 12, 20);
            p.add(2, 0, 11, 25);
            p.add(2, 2, 14, 30);
            // key 3: A -> B -> C, but A is more than T before C
            p.add(3, 0, 21, 29);
            p.add(3, 1, 22, 100);
            p.add(3, 2, 24, 130);
            // key 4: one event as two steps (B and A) cannot precede itself
            p.add(4, 0, 31, 50);
            p.add(4, 1, 31, 50);
            p.add(4, 2, 34, 60);
            p.close(Long.MAX_VALUE);
            assertEquals(List.of("1:[1, 2, 4]"), matches);
        }
    }

    @Test
    void shouldDecideAnAbsenceOnceNoFollowerCanArrive()
    {
        try (SequencePattern p = SequencePattern.notFollowedBy("unanswered", 100, 5, 16, 64, 100,
            (key, ids) -> matches.add(key + ":" + Arrays.toString(ids))))
        {
            p.add(1, 0, 1, 100);
            p.add(1, 1, 2, 150);   // followed within T
            p.add(2, 0, 3, 100);
            p.add(2, 1, 4, 201);   // 101 after: too late to count
            p.add(3, 0, 5, 100);
            p.add(3, 1, 6, 200);   // exactly T after: within, inclusive
            p.add(4, 1, 8, 100);   // at the same time: not after
            p.add(4, 0, 7, 100);
            p.add(5, 0, 9, 100);   // alone
            p.add(6, 1, 11, 120);  // a B before its A arrives, after it in time: counts
            p.add(6, 0, 10, 110);
            p.close(204);
            assertTrue(matches.isEmpty(), "100 + 100 + 5 > 204: a B may still come");
            p.close(205);
            assertEquals(List.of("2:[3, -1]", "4:[7, -1]", "5:[9, -1]"), matches, "in order of id at one time");
            p.close(Long.MAX_VALUE);
            assertEquals(3, matches.size());
            assertEquals(0, p.heldEvents(), "every B expired, every A decided");
        }
    }

    @Test
    void shouldRefuseAStepOutsideThePattern()
    {
        try (SequencePattern p = pattern(2, T, 10))
        {
            assertThrows(IllegalArgumentException.class, () -> p.add(1, 2, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> p.add(1, -1, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> p.add(1, 0, 1, Long.MAX_VALUE));
        }
        assertThrows(IllegalArgumentException.class, () -> pattern(1, T, 10));
    }

    @Test
    void shouldNotWrapNearTheEndsOfTime()
    {
        try (SequencePattern p = pattern(2, T, 10))
        {
            p.add(1, SMALL, 1, Long.MIN_VALUE);
            p.add(1, LARGE, 2, Long.MIN_VALUE + 1);
            p.add(2, SMALL, 3, Long.MAX_VALUE - 2);
            p.add(2, LARGE, 4, Long.MAX_VALUE - 1);
            p.close(Long.MIN_VALUE + 1 + LATENESS);
            assertEquals(List.of("1:[1, 2]"), matches);
            p.close(Long.MAX_VALUE);
            assertEquals(List.of("1:[1, 2]", "2:[3, 4]"), matches);
        }
    }

    @Test
    void shouldGoOnFromASnapshotAsTheOriginalDoes()
    {
        goOnFromASnapshot(false);
    }

    @Test
    void shouldGoOnFromASnapshotAsTheOriginalDoesForAnAbsence()
    {
        goOnFromASnapshot(true);
    }

    private void goOnFromASnapshot(final boolean absence)
    {
        final SplittableRandom random = new SplittableRandom(5);
        final List<String> original = new ArrayList<>();
        final List<String> restored = new ArrayList<>();
        final SequencePattern.MatchListener intoOriginal = (k, ids) -> original.add(k + ":" + Arrays.toString(ids));
        final SequencePattern.MatchListener intoRestored = (k, ids) -> restored.add(k + ":" + Arrays.toString(ids));
        try (SequencePattern a = absence ? SequencePattern.notFollowedBy("p", 30_000, LATENESS, 16, 64, 3, intoOriginal) :
                new SequencePattern("p", 2, 30_000, LATENESS, 16, 64, 3, intoOriginal);
             SequencePattern b = absence ? SequencePattern.notFollowedBy("p", 30_000, LATENESS, 16, 64, 3, intoRestored) :
                new SequencePattern("p", 2, 30_000, LATENESS, 16, 64, 3, intoRestored))
        {
            long time = 1_000_000;
            for (int i = 0; i < 6_000; i++)
            {
                if (i == 3_000)
                {
                    OperatorSnapshots.copy(dir.resolve("pattern.snap"), a::writeSnapshot, b::readSnapshot);
                    original.clear();
                }
                time += random.nextInt(50);
                final long key = random.nextInt(11);
                final int step = random.nextInt(absence ? 40 : 4) == 0 ? LARGE : SMALL;
                final long eventTime = time - random.nextInt(2_000);
                for (final SequencePattern p : i >= 3_000 ? new SequencePattern[] {a, b} : new SequencePattern[] {a})
                {
                    p.add(key, step, i, eventTime);
                    p.close(time - 2_000);
                }
            }
            a.close(Long.MAX_VALUE);
            b.close(Long.MAX_VALUE);
            assertEquals(0, a.heldEvents());
        }
        assertTrue(original.size() > 300, "matches all along: " + original.size());
        assertEquals(original, restored, "the same matches in the same order");
    }
}
