package io.ringside.engine.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.TestDriver;
import io.ringside.engine.state.Aggregates;
import io.ringside.engine.state.Window;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KeyGroup#hopping(long, Tumbling, Closed)} on the {@link TestDriver}: a rule that adds its events to the tumbling
 * only gets the outputs of a rule that adds them to a hopping operator of its own as well, late events included.
 */
class SharedPanesTest
{
    static final int TUMBLING = 1;
    static final int HOPPING = 2;
    static final int LATE = 3;
    static final long LATENESS_MS = 2_000;

    /** Tumbling 10 s and hopping 40 s every 10 s, count and sum; the hopping over the tumbling's windows or its own. */
    static final class VelocityRule extends Rule
    {
        final Tumbling tumbling;
        final Hopping hopping;
        private final boolean shared;
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);

        VelocityRule(final int shard, final boolean shared)
        {
            super("velocity-" + shard, LATENESS_MS);
            this.shared = shared;
            operators().lateOutput(LATE);
            final KeyGroup group = operators().group("cards", 64).closeSlice(2);
            tumbling = group.tumbling(10_000, 3, this::tumblingClosed, Aggregates.count(), Aggregates.sum());
            hopping = shared ? group.hopping(40_000, tumbling, this::hoppingClosed) :
                group.hopping(40_000, 10_000, 3, this::hoppingClosed, Aggregates.count(), Aggregates.sum());
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            final long time = event.buffer().getLong(event.offset() + 8);
            final long amount = event.buffer().getLong(event.offset());
            if (tumbling.add(event.key(), time, 0, amount))
            {
                tumbling.once(0);   // a flag in every tumbling window: none in a hopping one
                if (!shared)
                {
                    assertTrue(hopping.add(event.key(), time, 0, amount));
                }
            }
        }

        private void tumblingClosed(final long key, final Window window, final ShardContext context)
        {
            emit(TUMBLING, key, window, context);
        }

        private void hoppingClosed(final long key, final Window window, final ShardContext context)
        {
            emit(HOPPING, key, window, context);
        }

        private void emit(final int type, final long key, final Window window, final ShardContext context)
        {
            out.putLong(0, window.start());
            out.putLong(8, window.end());
            out.putLong(16, window.events());
            out.putLong(24, window.result(1));
            context.emit(type, key, out, 0, 32);
        }
    }

    private static List<String> run(final boolean shared, final long seed, final long[] late)
    {
        final EngineContext ctx = new EngineContext()
            .handlers(shard -> new VelocityRule(shard, shared))
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + 8));
        final List<String> lines = new ArrayList<>();
        try (TestDriver driver = TestDriver.create(ctx))
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final byte[] event = new byte[16];
            final UnsafeBuffer buffer = new UnsafeBuffer(event);
            for (int i = 0; i < 3_000; i++)
            {
                final long lag = random.nextInt(20) == 0 ? 2_000 + random.nextLong(20_000) : random.nextLong(1_500);
                buffer.putLong(0, 1 + random.nextLong(100));
                buffer.putLong(8, 1_000_000 + i * 97L - lag);
                driver.pipe(random.nextLong(40), event);
            }
            driver.endOfInput();
            for (final TestDriver.Record output : driver.outputs())
            {
                final StringBuilder line = new StringBuilder().append(output.type()).append(" key=").append(output.key());
                for (int i = 0; i < output.length() / 8; i++)
                {
                    line.append(' ').append(output.longAt(i));
                }
                lines.add(line.toString());
            }
            final VelocityRule rule = driver.handler(0, VelocityRule.class);
            late[0] = driver.lateEvents(0);
            if (shared)
            {
                assertEquals(rule.tumbling.lateEvents(), rule.hopping.lateEvents(), "late for a tumbling window: late for the hopping ones");
            }
        }
        return lines;
    }

    @Test
    void shouldGiveBothKindsOutputsFromTheTumblingsEvents()
    {
        for (long seed = 1; seed <= 4; seed++)
        {
            final long[] separateLate = new long[1];
            final long[] sharedLate = new long[1];
            final List<String> separate = run(false, seed, separateLate);
            final List<String> shared = run(true, seed, sharedLate);
            assertTrue(separate.stream().filter(line -> line.startsWith(HOPPING + " ")).count() > 500, "hopping windows");
            assertTrue(separateLate[0] > 50, "late events: " + separateLate[0]);
            assertEquals(separate, shared, "seed " + seed);
            assertEquals(separateLate[0], sharedLate[0], "each late event reported once");
        }
    }

    @Test
    void shouldRefuseAnAddAndPanesOfAnotherGroup() throws Exception
    {
        final VelocityRule rule = new VelocityRule(0, true);
        final Rule bare = new Rule("bare", LATENESS_MS)
        {
            @Override
            protected void handle(final Event event, final ShardContext context)
            {
            }
        };
        try
        {
            rule.operators().build();
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> rule.hopping.add(1, 1_000, 0, 5));
            assertTrue(refused.getMessage().contains("add events to the tumbling operator"), refused.getMessage());
            final KeyGroup group = bare.operators().group("other", 16);
            final IllegalArgumentException wrongGroup = assertThrows(IllegalArgumentException.class,
                () -> group.hopping(40_000, rule.tumbling, (key, window, context) -> { }));
            assertTrue(wrongGroup.getMessage().contains("a tumbling of this group"), wrongGroup.getMessage());
            final Tumbling tumbling = group.tumbling(10_000, 3, (key, window, context) -> { }, Aggregates.count());
            final IllegalArgumentException notWhole = assertThrows(IllegalArgumentException.class,
                () -> group.hopping(25_000, tumbling, (key, window, context) -> { }));
            assertTrue(notWhole.getMessage().contains("25000 and 10000"), notWhole.getMessage());
            bare.operators().build();
        }
        finally
        {
            rule.onClose();
            bare.onClose();
        }
    }
}
