package io.ringside.perf.fraud;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./ringside demo --workload v1|v2}: v1 by default; v2 only on the generator and the off-heap operators.
 */
class DemoWorkloadFlagTest
{
    @Test
    void shouldRunV1UnlessToldV2()
    {
        assertEquals(1, DemoOptions.parse(new String[0]).workload);
        assertEquals(1, DemoOptions.parse(new String[] {"--workload", "v1"}).workload);
        assertEquals(2, DemoOptions.parse(new String[] {"--workload", "v2", "--shards", "4", "--compare"}).workload);
    }

    @Test
    void shouldRefuseAnotherWorkloadAndV2WhereItDoesNotRun()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--workload", "v3"})).getMessage()
            .contains("v1 or v2"));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--workload", "v2", "--state", "heap"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--workload", "v2", "--kafka", "b:1", "--topic", "t"}));
    }
}
