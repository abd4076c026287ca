package io.ringside.engine.rule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.TestDriver;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operators that are not windows, on the {@link TestDriver}: {@link SeenIds} (ids forgotten as the watermark passes
 * their time to live) and {@link Store} (the rule's own keyed state), snapshotted and restored with the rule, and
 * {@link Rule#isLate} for an event that goes to no window.
 */
class KeyedStateOperatorsTest
{
    static final int TOTAL = 1;
    static final int DUPLICATE = 2;
    static final int LATE = 3;

    @TempDir
    Path dir;

    /** Per key, a running total of the values of the events not seen before (by id) and not late. */
    static final class TotalRule extends Rule
    {
        private final SeenIds seen;
        private final Store totals;
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);

        TotalRule(final int shard)
        {
            super("totals-" + shard, 1_000);
            operators().lateOutput(LATE);
            seen = operators().seenIds("ids", 10_000, 1_000, 1_024);
            totals = operators().store("totals", 1_024, 8);
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            final long id = event.buffer().getLong(event.offset());
            final long time = event.buffer().getLong(event.offset() + 8);
            if (!seen.add(id, time))
            {
                out.putLong(0, id);
                context.emit(DUPLICATE, event.key(), out, 0, 8);
                return;
            }
            if (isLate(time))
            {
                return;
            }
            final MutableDirectBuffer total = totals.get(event.key());
            total.putLong(0, total.getLong(0) + event.buffer().getLong(event.offset() + 16));
            context.emit(TOTAL, event.key(), total, 0, 8);
        }
    }

    private static EngineContext context()
    {
        return new EngineContext()
            .handlers(TotalRule::new)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + 8));
    }

    private static void pipe(final TestDriver driver, final long key, final long id, final long time, final long value)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[24]);
        event.putLong(0, id);
        event.putLong(8, time);
        event.putLong(16, value);
        driver.pipe(key, event, 0, 24);
    }

    private static List<String> read(final TestDriver driver)
    {
        final List<String> lines = new ArrayList<>();
        for (TestDriver.Record output = driver.readOutput(); output != null; output = driver.readOutput())
        {
            lines.add(output.position() + " " + output.type() + " " + output.key() + " " + output.longAt(0));
        }
        return lines;
    }

    private static void firstPart(final TestDriver driver)
    {
        pipe(driver, 5, 1, 1_000, 10);
        pipe(driver, 6, 2, 2_000, 20);
        pipe(driver, 5, 3, 3_000, 30);
    }

    private static void secondPart(final TestDriver driver)
    {
        pipe(driver, 5, 1, 1_000, 99);       // id 1 re-sent, within its time to live: a duplicate (not late: checked first)
        pipe(driver, 6, 4, 9_000, 40);
        pipe(driver, 5, 5, 7_500, 50);       // late: at or below 9,000 - 1,000
        pipe(driver, 5, 6, 30_000, 60);      // watermark 30 s: id 1's bucket forgotten
        pipe(driver, 5, 1, 1_000, 70);       // id 1 re-sent after its time to live: forgotten, so judged late
    }

    @Test
    void shouldDeduplicateKeepStateAndReportLateEvents()
    {
        try (TestDriver driver = TestDriver.create(context()))
        {
            firstPart(driver);
            secondPart(driver);
            final List<String> lines = read(driver);
            final List<String> kinds = new ArrayList<>();
            for (final String line : lines)
            {
                kinds.add(line.substring(line.indexOf(' ') + 1));
            }
            assertEquals(List.of("1 5 10", "1 6 20", "1 5 40", "2 5 1", "1 6 60", "3 5 5", "1 5 100", "3 5 1"), kinds);
            assertEquals(2, driver.lateEvents(0));
        }
    }

    @Test
    void shouldGiveTheSameOutputsAfterASnapshotMidStream() throws Exception
    {
        final List<String> uninterrupted;
        try (TestDriver driver = TestDriver.create(context()))
        {
            firstPart(driver);
            read(driver);
            driver.snapshot(dir.resolve("snapshot"));
            secondPart(driver);
            uninterrupted = read(driver);
        }
        try (TestDriver driver = TestDriver.restore(context(), dir.resolve("snapshot")))
        {
            secondPart(driver);
            assertEquals(uninterrupted, read(driver));
        }
    }
}
