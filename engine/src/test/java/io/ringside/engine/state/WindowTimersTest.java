package io.ringside.engine.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowTimersTest
{
    @Test
    void shouldSortLikeAListSortedByOrderThenKey()
    {
        final SplittableRandom random = new SplittableRandom(9);
        for (int round = 0; round < 200; round++)
        {
            final int n = random.nextInt(1, 3_000);
            final long[] order = new long[n];
            final long[] keys = new long[n];
            final List<long[]> model = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                order[i] = round % 2 == 0 ? random.nextLong(20) : random.nextLong();
                keys[i] = random.nextLong(50);
                model.add(new long[] {order[i], keys[i]});
            }
            model.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
            WindowTimers.sort(order, keys, 0, n - 1);
            for (int i = 0; i < n; i++)
            {
                assertArrayEquals(model.get(i), new long[] {order[i], keys[i]}, "round " + round + " at " + i);
            }
        }
    }

    @Test
    void shouldVisitEachKeyDueOnceInVisitOrderWhateverTheOrderItWasArmedIn()
    {
        final List<List<Long>> runs = new ArrayList<>();
        for (final long[] arming : new long[][] {{5, 1, 9, 3, 7, 5, 1}, {9, 7, 5, 3, 1, 1}, {3, 9, 1, 7, 5, 9}})
        {
            final WindowTimers timers = new WindowTimers();
            for (final long key : arming)
            {
                timers.arm(key, 100);
            }
            timers.arm(42, 50);
            final List<Long> visited = new ArrayList<>();
            assertEquals(6, timers.closeArmed(100, (key, deadline, limit) -> visited.add(key)));
            assertEquals(42L, visited.get(0), "the earlier deadline first");
            runs.add(visited);
        }
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(runs.get(0), runs.get(2));
        final List<Long> expected = new ArrayList<>(List.of(1L, 3L, 5L, 7L, 9L));
        expected.sort(Comparator.comparingLong(WindowTimers::visitOrder));
        assertEquals(expected, runs.get(0).subList(1, 6));
    }

    @Test
    void shouldChainManyKeysAtOneDeadlineAndReuseTheChunks()
    {
        final WindowTimers timers = new WindowTimers();
        int peak = 0;
        for (int round = 0; round < 4; round++)
        {
            final long deadline = 1_000L * (round + 1);
            final java.util.Set<Long> expected = new java.util.HashSet<>();
            for (long key = 0; key < 5_000; key++)
            {
                timers.arm(key * 7 + round, deadline);
                expected.add(key * 7 + round);
                if (key % 100 == 0)
                {
                    timers.arm(-key - 1, deadline + 1);
                    expected.add(-key - 1);
                }
            }
            final List<Long> visited = new ArrayList<>();
            timers.closeArmed(deadline + 1, (key, d, limit) -> visited.add(key));
            assertEquals(expected.size(), visited.size(), "each once");
            assertEquals(expected, new java.util.HashSet<>(visited));
            if (round == 0)
            {
                peak = timers.chunks();
            }
            assertEquals(peak, timers.chunks(), "later rounds reuse the chunks");
        }
    }
}
