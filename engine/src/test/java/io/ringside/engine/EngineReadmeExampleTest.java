package io.ringside.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ringside.engine.sink.FileSink;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine example of README.md, compiled and run: if this changes, change the README with it.
 */
class EngineReadmeExampleTest
{
    @TempDir
    Path dir;

    // README example: begin
    /** Alerts once when a card's total spend crosses 10,000.00. One instance per shard, called on its thread. */
    static final class SpendRule implements ShardHandler
    {
        static final int ALERT = 1;
        private final Long2LongHashMap totals = new Long2LongHashMap(0);   // per-shard state: no locks
        private final UnsafeBuffer alert = new UnsafeBuffer(new byte[8]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            final long amountCents = event.buffer().getLong(event.offset());
            final long before = totals.get(event.key());
            totals.put(event.key(), before + amountCents);
            if (before <= 1_000_000 && before + amountCents > 1_000_000)
            {
                alert.putLong(0, before + amountCents);
                context.emit(ALERT, event.key(), alert, 0, 8);   // id: (journal position, ordinal)
            }
        }
    }
    // README example: end

    @Test
    void shouldRunTheReadmeExample() throws Exception
    {
        final List<Long> alerted = new CopyOnWriteArrayList<>();
        // README example: begin
        final EngineContext ctx = new EngineContext()
            .directory(dir)                                        // journal/ and counters.dat go here
            .shardCount(2)                                         // keys spread over 2 shards by hash
            .handlers(shard -> new SpendRule())
            .outputListener(output -> alerted.add(output.key()))   // inline, on the shard thread
            .addSink(new FileSink(dir.resolve("alerts.txt")));     // once the input is durable, on the egress thread

        try (Engine engine = new Engine(ctx).start())
        {
            final EventPublisher publisher = engine.newPublisher(1);   // one per publishing thread
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (long i = 0; i < 10_000; i++)
            {
                event.putLong(0, 20_000);                              // 200.00 on card i % 100
                publisher.publish(i % 100, event, 0, 8);               // journaled, then handled by its shard
            }
        }                                                              // drains: every event handled, every output written
        // README example: end
        assertEquals(100, alerted.size(), "each of the 100 cards crosses 1,000,000 cents once (100 x 20,000)");
        assertEquals(100, Files.readAllLines(dir.resolve("alerts.txt")).size());
    }

    @Test
    void shouldTestTheReadmeRuleOnTheTestDriver()
    {
        // README test driver: begin
        try (TestDriver driver = TestDriver.create(new EngineContext().handlers(shard -> new SpendRule())))
        {
            final byte[] spend = new byte[8];
            new UnsafeBuffer(spend).putLong(0, 600_000);            // 6,000.00
            driver.pipe(42, spend);
            assertNull(driver.readOutput());                        // 6,000.00 so far: no alert
            driver.pipe(42, spend);
            final TestDriver.Record alert = driver.readOutput();    // 12,000.00: the alert, as the engine would emit it
            assertEquals(SpendRule.ALERT, alert.type());
            assertEquals(42, alert.key());
            assertEquals(1_200_000, alert.longAt(0));
            driver.pipe(42, spend);
            assertNull(driver.readOutput());                        // once only
        }
        // README test driver: end
    }

    @Test
    void shouldListThePomsJvmFlagsInTheReadme() throws Exception
    {
        final String flags = System.getProperty("ringside.jvm.flags");
        final String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(flags != null && !flags.isBlank(), "surefire passes the parent pom's ringside.jvm.flags");
        for (final String flag : flags.trim().split(" "))
        {
            assertTrue(readme.contains(flag), "README.md's \"Embed it\" lists " + flag);
        }
    }
}
