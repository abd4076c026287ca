package io.ringside.engine.state;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OffHeapLongSetTest
{
    @Test
    void shouldMatchAHashSetThroughGrowthAndClears()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final OffHeapLongSet set = new OffHeapLongSet(100);
        try
        {
            for (int round = 0; round < 5; round++)
            {
                final Set<Long> model = new HashSet<>();
                for (int i = 0; i < 20_000; i++)
                {
                    final long value = switch (random.nextInt(4))
                    {
                        case 0 -> random.nextLong(50) - 25;
                        case 1 -> random.nextLong();
                        default -> random.nextLong(5_000);
                    };
                    assertEquals(model.add(value), set.add(value), "add " + value);
                    assertEquals(model.size(), set.size());
                }
                for (long v = -30; v < 6_000; v++)
                {
                    assertEquals(model.contains(v), set.contains(v), "contains " + v);
                }
                set.clear();
                assertEquals(0, set.size());
                assertEquals(false, set.contains(0));
                assertEquals(false, set.contains(7));
            }
        }
        finally
        {
            set.close();
        }
    }
}
