package io.ringside.engine.rule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.SnapshotCorruptedException;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.TestDriver;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Window;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operator kind of a {@link Rule} on the {@link TestDriver}, with the same inputs: the order windows close in,
 * late events (judged and reported by the rule, left out of the windows), a snapshot and restore mid-stream (the same
 * outputs, ids included, as the run that went on), and a control event that changes a threshold the listeners use (and
 * fires a global window).
 */
class OperatorKindsTest
{
    static final int CLOSED = 1;
    static final int LATE = 2;
    static final int ALERT = 3;
    static final long LATENESS_MS = 1_000;

    enum Kind
    {
        TUMBLING, HOPPING, SESSIONS, COUNTING, GLOBAL, SLIDING
    }

    @TempDir
    Path dir;

    /** The rule under test: one window kind, count and sum per window, alerts at close above a threshold set by control. */
    static final class KindRule extends Rule
    {
        private final Windows windows;
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);
        private final boolean sessions;
        private long threshold = Long.MAX_VALUE;

        KindRule(final int shard, final Kind kind)
        {
            super("kinds-" + shard, LATENESS_MS);
            operators().lateOutput(LATE);
            sessions = kind == Kind.SESSIONS;
            switch (kind)
            {
                case TUMBLING -> windows = operators().tumbling("t", 10_000, 4, 16, this::closed, Aggregates.count(), Aggregates.sum());
                case HOPPING -> windows = operators().hopping("h", 20_000, 10_000, 6, 16, this::closed, Aggregates.count(), Aggregates.sum());
                case SESSIONS -> windows = operators().sessions("s", 5_000, 4, 16, this::closed, Aggregates.count(), Aggregates.sum());
                case COUNTING -> windows = operators().counting("c", 2, 2, 16, this::closed, Aggregates.count(), Aggregates.sum());
                case SLIDING -> windows = operators().sliding("w", 10_000, 128, 16, this::closed, Aggregates.count(), Aggregates.sum());
                default -> windows = operators().global("g", 0, 16, this::closed, Aggregates.count(), Aggregates.sum());
            }
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            windows.add(event.key(), event.buffer().getLong(event.offset() + 8), 0, event.buffer().getLong(event.offset()));
        }

        @Override
        protected void control(final Event control, final ShardContext context)
        {
            threshold = control.buffer().getLong(control.offset());
            final long fire = control.buffer().getLong(control.offset() + 8);
            if (fire != 0 && windows instanceof Global global)
            {
                global.fire(fire);
            }
        }

        private void closed(final long key, final Window window, final ShardContext context)
        {
            out.putLong(0, window.start());
            out.putLong(8, sessions ? Sessions.last(window) + 5_000 : window.end());
            out.putLong(16, window.result(0));
            out.putLong(24, window.result(1));
            context.emit(CLOSED, key, out, 0, 32);
            if (window.result(1) >= threshold)
            {
                context.emit(ALERT, key, out, 0, 32);
            }
        }

        @Override
        protected void writeState(final SnapshotWriter out) throws IOException
        {
            out.writeLong(threshold);
        }

        @Override
        protected void readState(final SnapshotReader in)
        {
            threshold = in.readLong();
        }

        long lateEvents()
        {
            return windows.lateEvents();
        }
    }

    private static EngineContext context(final Kind kind)
    {
        return new EngineContext()
            .handlers(shard -> new KindRule(shard, kind))
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + 8));
    }

    private static void pipe(final TestDriver driver, final long key, final long time, final long value)
    {
        final byte[] event = new byte[16];
        final UnsafeBuffer buffer = new UnsafeBuffer(event);
        buffer.putLong(0, value);
        buffer.putLong(8, time);
        driver.pipe(key, event);
    }

    private static void control(final TestDriver driver, final long threshold, final long fireKey)
    {
        final byte[] control = new byte[16];
        final UnsafeBuffer buffer = new UnsafeBuffer(control);
        buffer.putLong(0, threshold);
        buffer.putLong(8, fireKey);
        driver.control(control);
    }

    /** Three keys in the first 10 s, key 1 again at 12 s (closing the first tumbling windows), key 2 at 25 s. */
    private static void firstPart(final TestDriver driver)
    {
        pipe(driver, 3, 1_000, 10);
        pipe(driver, 1, 2_000, 20);
        pipe(driver, 2, 3_000, 30);
    }

    private static void secondPart(final TestDriver driver)
    {
        pipe(driver, 1, 12_000, 40);
        pipe(driver, 2, 25_000, 50);
        pipe(driver, 1, 23_000, 99);   // late: at or below 25,000 - 1,000
        pipe(driver, 1, 24_500, 7);    // not late
    }

    private static List<String> lines(final List<TestDriver.Record> outputs, final boolean ids)
    {
        final List<String> lines = new ArrayList<>();
        for (final TestDriver.Record output : outputs)
        {
            final StringBuilder line = new StringBuilder();
            if (ids)
            {
                line.append(output.position()).append(':').append(output.shard()).append(':').append(output.ordinal()).append(' ');
            }
            line.append(output.type() == CLOSED ? "CLOSED" : output.type() == LATE ? "LATE" : "ALERT").append(" key=").append(output.key());
            for (int i = 0; i < output.length() / 8; i++)
            {
                line.append(' ').append(output.longAt(i));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldCloseInOrderAndReportLateEvents(final Kind kind)
    {
        try (TestDriver driver = TestDriver.create(context(kind)))
        {
            firstPart(driver);
            secondPart(driver);
            driver.endOfInput();
            assertEquals(expected(kind), lines(driver.outputs(), false), kind.name());
            assertEquals(1, driver.lateEvents(0), "the late event is counted once");
            assertEquals(1, driver.handler(0, KindRule.class).lateEvents());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldGiveTheSameOutputsAfterASnapshotMidStream(final Kind kind) throws Exception
    {
        final List<String> uninterrupted;
        final int before;
        try (TestDriver driver = TestDriver.create(context(kind)))
        {
            firstPart(driver);
            control(driver, 30, 0);
            pipe(driver, 1, 12_000, 40);
            before = driver.outputs().size();
            driver.snapshot(dir.resolve("snapshot"));
            pipe(driver, 2, 25_000, 50);
            pipe(driver, 1, 23_000, 99);
            pipe(driver, 1, 24_500, 7);
            driver.endOfInput();
            uninterrupted = lines(driver.outputs(), true);
        }
        try (TestDriver driver = TestDriver.restore(context(kind), dir.resolve("snapshot")))
        {
            pipe(driver, 2, 25_000, 50);
            pipe(driver, 1, 23_000, 99);
            pipe(driver, 1, 24_500, 7);
            driver.endOfInput();
            assertEquals(uninterrupted.subList(before, uninterrupted.size()), lines(driver.outputs(), true), kind.name());
            assertEquals(1, driver.lateEvents(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldApplyAControlEventAtItsPlaceInTheStream(final Kind kind)
    {
        try (TestDriver driver = TestDriver.create(context(kind)))
        {
            firstPart(driver);
            control(driver, 30, kind == Kind.GLOBAL ? 2 : 0);
            secondPart(driver);
            driver.endOfInput();
            final List<String> alerts = new ArrayList<>();
            final List<String> all = lines(driver.outputs(), false);
            for (int i = 0; i < all.size(); i++)
            {
                if (all.get(i).startsWith("ALERT"))
                {
                    assertEquals(all.get(i).replace("ALERT", "CLOSED"), all.get(i - 1), "an alert follows its window");
                    alerts.add(all.get(i));
                }
            }
            assertEquals(expectedAlerts(kind), alerts, kind.name());
        }
    }

    /**
     * Windows due at one watermark close in the order of their ends, then of their keys' timers (armed order); hopping
     * windows due at one deadline come from the pane logs, last armed first; count windows close in the add of their
     * last event; the end of input closes what is left.
     */
    @Test
    void shouldRefuseASnapshotOfOtherOperators() throws Exception
    {
        try (TestDriver driver = TestDriver.create(context(Kind.TUMBLING)))
        {
            firstPart(driver);
            driver.snapshot(dir.resolve("snapshot"));
        }
        final SnapshotCorruptedException refused = assertThrows(SnapshotCorruptedException.class,
            () -> TestDriver.restore(context(Kind.COUNTING), dir.resolve("snapshot")));
        assertTrue(refused.getMessage().contains("is not a Counting"), refused.getMessage());
    }

    private static List<String> expected(final Kind kind)
    {
        return switch (kind)
        {
            case TUMBLING -> List.of(
                "CLOSED key=3 0 10000 1 10", "CLOSED key=1 0 10000 1 20", "CLOSED key=2 0 10000 1 30",   // at 12,000, in armed order
                "CLOSED key=1 10000 20000 1 40",                                                         // at 25,000
                "LATE key=1 99 23000",                                                                   // the event's bytes
                "CLOSED key=2 20000 30000 1 50", "CLOSED key=1 20000 30000 1 7");                        // end of input
            case HOPPING -> List.of(
                "CLOSED key=2 -10000 10000 1 30", "CLOSED key=1 -10000 10000 1 20", "CLOSED key=3 -10000 10000 1 10",
                "CLOSED key=2 0 20000 1 30", "CLOSED key=1 0 20000 2 60", "CLOSED key=3 0 20000 1 10",
                "LATE key=1 99 23000",
                "CLOSED key=2 10000 30000 1 50", "CLOSED key=1 10000 30000 2 47", "CLOSED key=2 20000 40000 1 50",
                "CLOSED key=1 20000 40000 1 7");
            case SESSIONS -> List.of(
                "CLOSED key=3 1000 6000 1 10", "CLOSED key=1 2000 7000 1 20", "CLOSED key=2 3000 8000 1 30",
                "CLOSED key=1 12000 17000 1 40",
                "LATE key=1 99 23000",
                "CLOSED key=1 24500 29500 1 7", "CLOSED key=2 25000 30000 1 50");
            case COUNTING -> List.of(
                "CLOSED key=1 0 2 2 60",                                    // in the add of key 1's second event
                "CLOSED key=2 0 2 2 80",
                "LATE key=1 99 23000",
                "CLOSED key=3 0 2 1 10", "CLOSED key=1 2 4 1 7");           // end of input: the windows not full
            case GLOBAL -> List.of(
                "LATE key=1 99 23000",
                "CLOSED key=3 0 9223372036854775807 1 10", "CLOSED key=1 0 9223372036854775807 3 67",
                "CLOSED key=2 0 9223372036854775807 2 80");
            case SLIDING -> List.of(
                "CLOSED key=3 -9000 1000 1 10",                             // at 2,000: [t - 10 s, t] per event
                "CLOSED key=1 -8000 2000 1 20", "CLOSED key=2 -7000 3000 1 30",
                "CLOSED key=1 2000 12000 2 60",                             // both ends inclusive: the event at 2,000 counts
                "LATE key=1 99 23000",
                "CLOSED key=1 14500 24500 1 7", "CLOSED key=2 15000 25000 1 50");   // end of input, in order of their ends
        };
    }

    /**
     * Threshold 30 from the control event on: windows closed after it with a sum of 30 or more; a global window fired by it.
     */
    private static List<String> expectedAlerts(final Kind kind)
    {
        return switch (kind)
        {
            case TUMBLING -> List.of("ALERT key=2 0 10000 1 30", "ALERT key=1 10000 20000 1 40", "ALERT key=2 20000 30000 1 50");
            case HOPPING -> List.of("ALERT key=2 -10000 10000 1 30", "ALERT key=2 0 20000 1 30", "ALERT key=1 0 20000 2 60",
                "ALERT key=2 10000 30000 1 50", "ALERT key=1 10000 30000 2 47", "ALERT key=2 20000 40000 1 50");
            case SESSIONS -> List.of("ALERT key=2 3000 8000 1 30", "ALERT key=1 12000 17000 1 40", "ALERT key=2 25000 30000 1 50");
            case COUNTING -> List.of("ALERT key=1 0 2 2 60", "ALERT key=2 0 2 2 80");
            case GLOBAL -> List.of("ALERT key=2 0 9223372036854775807 1 30",   // fired by the control event
                "ALERT key=1 0 9223372036854775807 3 67", "ALERT key=2 1 9223372036854775807 1 50");
            case SLIDING -> List.of("ALERT key=2 -7000 3000 1 30", "ALERT key=1 2000 12000 2 60", "ALERT key=2 15000 25000 1 50");
        };
    }
}
