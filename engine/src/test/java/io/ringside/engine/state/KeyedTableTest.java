package io.ringside.engine.state;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedTableTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadTheLastUpsertOfTheKeyAsOfArrival()
    {
        try (KeyedTable table = new KeyedTable("profiles", 16, 2))
        {
            final long[] row = new long[2];
            assertFalse(table.get(7, row), "no row before the first upsert");
            table.upsert(7, new long[] {50_000, 3});
            table.upsert(8, new long[] {10_000, 4});
            assertTrue(table.get(7, row));
            assertArrayEquals(new long[] {50_000, 3}, row);
            table.upsert(7, new long[] {0, 9});
            assertTrue(table.get(7, row), "an upsert of zeros is a row, not a delete: only delete is a tombstone");
            assertArrayEquals(new long[] {0, 9}, row);
            table.upsert(7, new long[] {20_000, 1});
            assertTrue(table.get(7, row));
            assertArrayEquals(new long[] {20_000, 1}, row, "replaced, whatever the event times were: arrival order decides");
            assertTrue(table.get(8, row));
            assertArrayEquals(new long[] {10_000, 4}, row, "other keys untouched");
            assertEquals(2, table.size());
        }
    }

    @Test
    void shouldForgetARowOnATombstoneUntilTheNextUpsert()
    {
        try (KeyedTable table = new KeyedTable("profiles", 16, 2))
        {
            final long[] row = {-1, -1};
            assertFalse(table.delete(5), "a tombstone for an absent key changes nothing");
            table.upsert(5, new long[] {1, 2});
            assertTrue(table.delete(5));
            assertFalse(table.get(5, row));
            assertArrayEquals(new long[] {-1, -1}, row, "untouched when absent");
            assertFalse(table.delete(5));
            table.upsert(5, new long[] {3, 4});
            assertTrue(table.get(5, row));
            assertArrayEquals(new long[] {3, 4}, row);
            assertEquals(1, table.size());
        }
    }

    @Test
    void shouldSpillPastItsExpectedKeysAndStillAnswer()
    {
        try (KeyedTable table = new KeyedTable("profiles", 8, 1))
        {
            for (long key = 0; key < 200; key++)
            {
                table.upsert(key, new long[] {key * 3});
            }
            for (long key = 0; key < 200; key += 2)
            {
                table.delete(key);
            }
            final long[] row = new long[1];
            for (long key = 0; key < 200; key++)
            {
                assertEquals(key % 2 == 1, table.get(key, row), "key " + key);
                if (key % 2 == 1)
                {
                    assertEquals(key * 3, row[0]);
                }
            }
            assertEquals(100, table.size());
        }
    }

    @Test
    void shouldRestoreItsRowsFromASnapshot()
    {
        try (KeyedTable table = new KeyedTable("profiles", 16, 2); KeyedTable restored = new KeyedTable("profiles", 16, 2))
        {
            table.upsert(1, new long[] {10, 11});
            table.upsert(2, new long[] {20, 21});
            table.upsert(3, new long[] {30, 31});
            table.delete(2);
            OperatorSnapshots.copy(dir.resolve("table.snap"), table::writeSnapshot, restored::readSnapshot);
            final long[] row = new long[2];
            assertTrue(restored.get(1, row));
            assertArrayEquals(new long[] {10, 11}, row);
            assertFalse(restored.get(2, row), "the tombstone holds after the restore");
            assertTrue(restored.get(3, row));
            assertArrayEquals(new long[] {30, 31}, row);
            assertEquals(2, restored.size());
        }
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth()
    {
        try (KeyedTable table = new KeyedTable("profiles", 16, 2))
        {
            assertThrows(IllegalArgumentException.class, () -> table.upsert(1, new long[1]));
            assertThrows(IllegalArgumentException.class, () -> table.get(1, new long[1]));
        }
        assertThrows(IllegalArgumentException.class, () -> new KeyedTable("none", 16, 0));
    }
}
