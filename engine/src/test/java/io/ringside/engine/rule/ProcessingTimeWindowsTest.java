package io.ringside.engine.rule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.TestDriver;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Window;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Windows on processing time ({@link Operators#groupOnProcessingTime}): events go in at the last journaled tick's time
 * whatever their event time, windows close at the tick that passes their end (and at the end of input), no event is
 * late to them, and a snapshot restores processing time with the windows.
 */
class ProcessingTimeWindowsTest
{
    static final int CLOSED = 1;
    static final long SIZE_MS = 10_000;

    @TempDir
    Path dir;

    static final class PerTenSeconds extends Rule
    {
        private final Tumbling tumbling;
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);

        PerTenSeconds(final int shard)
        {
            super("pt-" + shard, 1_000);
            tumbling = operators().groupOnProcessingTime("counts", 16)
                .tumbling(SIZE_MS, 3, this::closed, Aggregates.count(), Aggregates.sum());
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            tumbling.add(event.key(), processingTime(), 0, event.buffer().getLong(event.offset()));
        }

        private void closed(final long key, final Window window, final ShardContext context)
        {
            out.putLong(0, window.start());
            out.putLong(8, window.end());
            out.putLong(16, window.result(0));
            out.putLong(24, window.result(1));
            context.emit(CLOSED, key, out, 0, 32);
        }

        long lateEvents()
        {
            return tumbling.lateEvents();
        }
    }

    private static EngineContext context()
    {
        return new EngineContext()
            .handlers(PerTenSeconds::new)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + 8));
    }

    private static void pipe(final TestDriver driver, final long key, final long value, final long eventTime)
    {
        final byte[] event = new byte[16];
        final UnsafeBuffer buffer = new UnsafeBuffer(event);
        buffer.putLong(0, value);
        buffer.putLong(8, eventTime);
        driver.pipe(key, event);
    }

    private static List<String> lines(final List<TestDriver.Record> outputs, final long base, final boolean ids)
    {
        final List<String> lines = new ArrayList<>();
        for (final TestDriver.Record output : outputs)
        {
            lines.add((ids ? output.position() + ":" + output.ordinal() + " " : "") + "key=" + output.key() + " [" +
                (output.longAt(0) - base) + "," + (output.longAt(1) - base) + ") count=" + output.longAt(2) + " sum=" + output.longAt(3));
        }
        return lines;
    }

    /** Aligns processing time to a window start, then 1 s into it. @return the window start. */
    private static long start(final TestDriver driver)
    {
        driver.advanceTime(SIZE_MS - Math.floorMod(driver.time(), SIZE_MS));
        final long base = driver.time();
        driver.advanceTime(1_000);
        return base;
    }

    @Test
    void shouldWindowByTheTicksTimeAndCloseAtTheTickPastTheEnd()
    {
        try (TestDriver driver = TestDriver.create(context()))
        {
            final long base = start(driver);
            pipe(driver, 1, 10, 500_000);
            pipe(driver, 2, 20, 400_000);   // by event time, late: not to processing time
            driver.advanceTime(4_000);
            pipe(driver, 1, 5, 100);
            assertEquals(List.of(), driver.outputs(), "nothing closes before a tick passes the end");
            driver.advanceTime(4_000);
            assertEquals(List.of(), driver.outputs(), "9 s in: still open");
            driver.advanceTime(6_000);   // 15 s in: the first window closed at this tick
            assertEquals(List.of("key=1 [0,10000) count=2 sum=15", "key=2 [0,10000) count=1 sum=20"),
                lines(driver.outputs(), base, false));
            pipe(driver, 1, 7, 0);
            driver.endOfInput();   // closes what is open on processing time too
            assertEquals("key=1 [10000,20000) count=1 sum=7", lines(driver.outputs(), base, false).get(2));
            assertEquals(3, driver.outputs().size());
            assertEquals(0, driver.handler(0, PerTenSeconds.class).lateEvents());
            assertEquals(0, driver.lateEvents(0), "no event is late to windows on processing time");
        }
    }

    @Test
    void shouldGiveTheSameOutputsAfterASnapshotMidStream() throws Exception
    {
        final List<String> uninterrupted;
        final long base;
        final int before;
        try (TestDriver driver = TestDriver.create(context()))
        {
            base = start(driver);
            pipe(driver, 1, 10, 0);
            pipe(driver, 2, 20, 0);
            before = driver.outputs().size();
            driver.snapshot(dir.resolve("snapshot"));
            pipe(driver, 1, 5, 0);   // same window: the restored rule must know processing time
            driver.advanceTime(12_000);
            pipe(driver, 2, 1, 0);
            driver.endOfInput();
            uninterrupted = lines(driver.outputs(), base, true);
        }
        try (TestDriver driver = TestDriver.restore(context(), dir.resolve("snapshot")))
        {
            pipe(driver, 1, 5, 0);
            driver.advanceTime(12_000);
            pipe(driver, 2, 1, 0);
            driver.endOfInput();
            assertEquals(uninterrupted.subList(before, uninterrupted.size()), lines(driver.outputs(), base, true));
        }
        assertEquals(List.of("key=1 [0,10000) count=2 sum=15", "key=2 [0,10000) count=1 sum=20", "key=2 [10000,20000) count=1 sum=1"),
            uninterrupted.stream().map(line -> line.substring(line.indexOf(' ') + 1)).toList());
    }
}
