package io.ringside.engine.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.ringside.engine.state.IntervalJoin.MATCHED;
import static io.ringside.engine.state.IntervalJoin.NO_OPEN_LEFT;
import static io.ringside.engine.state.IntervalJoin.OUT_OF_BOUNDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interval join's edges, computed by hand: bounds [0, 120,000] inclusive, lateness 5,000 (workload v2's capture).
 */
class IntervalJoinTest
{
    private static final long LOWER = 0;
    private static final long UPPER = 120_000;
    private static final long LATENESS = 5_000;

    @TempDir
    Path dir;

    private final List<String> unmatched = new ArrayList<>();

    private IntervalJoin join(final int slice)
    {
        return new IntervalJoin("captures", LOWER, UPPER, LATENESS, 64, 1, slice,
            left -> unmatched.add(left.key() + ":" + left.id() + "@" + left.time() + "$" + left.payload(0)));
    }

    private static long[] amount(final long cents)
    {
        return new long[] {cents};
    }

    @Test
    void shouldMatchWithinBothBoundsInclusive()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 10, 1_000, amount(500));
            join.openLeft(1, 11, 1_000, amount(600));
            assertEquals(MATCHED, join.matchRight(1, 10, 1_000), "right.time - left.time = 0 = lower: inside");
            assertEquals(10, join.matched().id());
            assertEquals(1_000, join.matched().time());
            assertEquals(500, join.matched().payload(0));
            assertEquals(MATCHED, join.matchRight(1, 11, 121_000), "= 120,000 = upper: inside");
            assertEquals(600, join.matched().payload(0));
            assertEquals(0, join.open());
        }
    }

    @Test
    void shouldReportARightOutsideTheBoundsAndKeepTheLeftOpen()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 12, 1_000, amount(1));
            assertEquals(OUT_OF_BOUNDS, join.matchRight(1, 12, 121_001), "120,001 after: one past upper");
            assertEquals(OUT_OF_BOUNDS, join.matchRight(1, 12, 999), "1 ms before the left: below lower");
            assertEquals(1, join.open(), "still open");
            assertEquals(MATCHED, join.matchRight(1, 12, 5_000), "a later right within the bounds still matches");
        }
    }

    @Test
    void shouldReportASecondMatchAnUnknownIdAndAnotherKeysLeft()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 10, 1_000, amount(1));
            join.openLeft(2, 20, 1_000, amount(2));
            assertEquals(NO_OPEN_LEFT, join.matchRight(1, 99, 1_000), "never opened");
            assertEquals(NO_OPEN_LEFT, join.matchRight(1, 20, 1_000), "id 20 is key 2's");
            assertEquals(MATCHED, join.matchRight(1, 10, 2_000));
            assertEquals(NO_OPEN_LEFT, join.matchRight(1, 10, 2_000), "already matched");
            assertEquals(MATCHED, join.matchRight(2, 20, 2_000), "key 2's left was not touched by key 1's right");
            assertTrue(join.openLeft(3, 30, 1, amount(1)));
            assertFalse(join.openLeft(3, 30, 1, amount(2)), "a second open of an open id is refused");
        }
    }

    @Test
    void shouldEmitAnUnmatchedLeftOnceTheWatermarkReachesItsTimePlusUpperPlusLatenessThenRefuseItsRight()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 20, 1_000, amount(700));
            join.openLeft(1, 21, 1_000, amount(800));
            assertEquals(MATCHED, join.matchRight(1, 21, 60_000));
            join.close(Long.MIN_VALUE);
            join.close(Long.MIN_VALUE + 1);   // W - lateness would wrap: nothing closes
            join.close(125_999);
            assertTrue(unmatched.isEmpty(), "1,000 + 125,000 > 125,999");
            join.close(126_000);
            assertEquals(List.of("1:20@1000$700"), unmatched, "1,000 + 125,000 <= 126,000; the matched one never comes out");
            assertEquals(NO_OPEN_LEFT, join.matchRight(1, 20, 121_000), "closed: a right within the bounds is an orphan now");
            join.close(Long.MAX_VALUE);
            assertEquals(1, unmatched.size(), "emitted once");
        }
    }

    @Test
    void shouldEmitUnmatchedInOrderOfTimeThenIdWhateverTheArrivalOrder()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 33, 2_000, amount(1));
            join.openLeft(2, 31, 2_000, amount(1));
            join.openLeft(3, 32, 1_000, amount(1));
            join.openLeft(4, 30, 3_000, amount(1));
            join.openLeft(5, 29, 2_000, amount(1));
            join.close(Long.MAX_VALUE);   // the end of input: everything open closes
            assertEquals(List.of("3:32@1000$1", "5:29@2000$1", "2:31@2000$1", "1:33@2000$1", "4:30@3000$1"), unmatched);
            assertEquals(0, join.open());
        }
    }

    @Test
    void shouldCloseInSlicesAndTreatADueLeftAsClosed()
    {
        try (IntervalJoin join = join(2))
        {
            for (long id = 1; id <= 5; id++)
            {
                join.openLeft(id, id, 1_000, amount(id));
            }
            assertEquals(2, join.close(126_000));
            assertEquals(2, unmatched.size());
            assertTrue(join.hasDue());
            assertEquals(NO_OPEN_LEFT, join.matchRight(5, 5, 1_000), "due, not yet closed: closed for a right");
            join.closeDue();
            join.closeDue();
            assertFalse(join.hasDue());
            assertEquals(List.of("1:1@1000$1", "2:2@1000$2", "3:3@1000$3", "4:4@1000$4", "5:5@1000$5"), unmatched);
        }
    }

    @Test
    void shouldNotWrapNearTheEndsOfTime()
    {
        try (IntervalJoin join = join(100))
        {
            join.openLeft(1, 1, Long.MAX_VALUE - 10, amount(1));
            join.openLeft(1, 2, Long.MIN_VALUE, amount(2));
            assertEquals(MATCHED, join.matchRight(1, 1, Long.MAX_VALUE), "10 after: inside, without wrapping");
            join.openLeft(1, 3, Long.MAX_VALUE - 10, amount(3));
            join.close(Long.MAX_VALUE - 1);
            assertEquals(List.of("1:2@" + Long.MIN_VALUE + "$2"), unmatched, "a saturated deadline closes only at the end of input");
            join.close(Long.MAX_VALUE);
            assertEquals(2, unmatched.size());
        }
    }

    @Test
    void shouldGoOnFromASnapshotAsTheOriginalDoes()
    {
        final SplittableRandom random = new SplittableRandom(12);
        final List<String> originalOut = new ArrayList<>();
        final List<String> restoredOut = new ArrayList<>();
        final List<String> rights = new ArrayList<>();
        try (IntervalJoin original = new IntervalJoin("a", LOWER, UPPER, LATENESS, 64, 1, 3, l -> originalOut.add(l.id() + "@" + l.time()));
             IntervalJoin restored = new IntervalJoin("a", LOWER, UPPER, LATENESS, 64, 1, 3, l -> restoredOut.add(l.id() + "@" + l.time())))
        {
            long time = 1_000_000;
            long id = 0;
            for (int i = 0; i < 4_000; i++)
            {
                if (i == 2_000)
                {
                    assertTrue(original.hasDue() || original.open() > 0);
                    OperatorSnapshots.copy(dir.resolve("join.snap"), original::writeSnapshot, restored::readSnapshot);
                    originalOut.clear();
                }
                time += random.nextInt(100);
                final IntervalJoin[] both = i >= 2_000 ? new IntervalJoin[] {original, restored} : new IntervalJoin[] {original};
                final boolean isLeft = random.nextInt(3) != 0;
                final long leftTime = time - random.nextInt(2_000);
                final long target = Math.max(1, id - random.nextInt(3_000));
                final long rightTime = time - random.nextInt(2_000);
                final long nextId = ++id;
                final List<Integer> results = new ArrayList<>();
                for (final IntervalJoin join : both)
                {
                    if (isLeft)
                    {
                        join.openLeft(nextId % 7, nextId, leftTime, amount(nextId));
                    }
                    else
                    {
                        results.add(join.matchRight(target % 7, target, rightTime));
                    }
                    join.close(time - 2_000);
                }
                if (results.size() == 2)
                {
                    assertEquals(results.get(0), results.get(1), "right " + i);
                    rights.add(target + ":" + results.get(0));
                }
            }
            original.close(Long.MAX_VALUE);
            restored.close(Long.MAX_VALUE);
        }
        assertTrue(originalOut.size() > 100, "closes all along: " + originalOut.size());
        assertTrue(rights.stream().anyMatch(r -> r.endsWith(":" + MATCHED)), "some matches after the restore");
        assertEquals(originalOut, restoredOut, "the same unmatched lefts in the same order");
    }
}
