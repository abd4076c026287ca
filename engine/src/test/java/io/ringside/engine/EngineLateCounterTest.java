package io.ringside.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.TumblingWindows;
import io.ringside.engine.state.Window;
import io.ringside.engine.state.WindowListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler whose window operator refuses a late event reports it: a LATE output and {@link ShardContext#late()},
 * which the engine counts per shard and {@code ./ringside stat} shows.
 */
class EngineLateCounterTest
{
    private static final int LATE = 1;
    private static final int CLOSED = 2;

    @TempDir
    Path dir;

    /** Tumbling windows of 1,000 ms, no allowed lateness; the event's time is its first 8 bytes. */
    static final class WindowedHandler implements ShardHandler
    {
        private final TumblingWindows windows = new TumblingWindows("late-test", 1_000, 0, 4, 100, Aggregates.count());
        private final long[] values = new long[1];
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[16]);
        private ShardContext context;
        private final WindowListener closed = this::onClosed;

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final Window window = windows.add(event.key(), event.eventTime(), values);
            if (window == null)
            {
                out.putLong(0, event.eventTime());
                context.emit(LATE, event.key(), out, 0, 8);
                context.late();
                return;
            }
            windows.release();
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context)
        {
            this.context = context;
            windows.close(watermark, closed);
        }

        private void onClosed(final long key, final Window window)
        {
            out.putLong(0, window.start());
            out.putLong(8, window.events());
            context.emit(CLOSED, key, out, 0, 16);
        }

        @Override
        public void onClose()
        {
            windows.close();
        }
    }

    @Test
    void shouldCountEachEventThatAWindowOperatorRefusedAsLate() throws InterruptedException
    {
        final List<String> outputs = new CopyOnWriteArrayList<>();
        final EngineContext ctx = EngineTestSupport.context(dir)
            .shardCount(2)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset))
            .maxOutOfOrdernessMs(0)
            .handlers(shard -> new WindowedHandler())
            .outputListener(output -> outputs.add((output.type() == LATE ? "LATE " : "CLOSED ") + output.key() + " " +
                output.buffer().getLong(output.offset())));
        // the watermark is the largest time seen: a window [s, s + 1000) closes once it is at or above s + 1000
        final long[] times = {500, 1_500, 2_500, 700, 1_999, 2_000, 3_500, 2_999, 3_000};
        final Engine engine = new Engine(ctx).start();
        try (engine)
        {
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (final long time : times)
            {
                event.putLong(0, time);
                publisher.publish(7, event, 0, 8);
            }
            publisher.endOfInput();
        }
        assertEquals(List.of("LATE 7 700", "LATE 7 1999", "LATE 7 2999"), outputs.stream().filter(o -> o.startsWith("LATE")).toList(),
            "700 and 1,999 come after the watermark reached 2,500, 2,999 after 3,500; 2,000 and 3,000 are in open windows");
        assertEquals(3, engine.counters().late());
        assertEquals(3, engine.counters().late(EventPublisher.shardOf(7, 2)));
        assertEquals(0, engine.counters().late(1 - EventPublisher.shardOf(7, 2)));
        assertEquals(List.of("CLOSED 7 0", "CLOSED 7 1000", "CLOSED 7 2000", "CLOSED 7 3000"),
            outputs.stream().filter(o -> o.startsWith("CLOSED")).toList(), "late events open no window");

        final String text = EngineTestSupport.stat(dir);
        assertTrue(text.lines().anyMatch(line -> line.contains("shard " + EventPublisher.shardOf(7, 2) + " late events") && line.trim().endsWith(" 3")),
            "stat shows the late events:\n" + text);
    }
}
