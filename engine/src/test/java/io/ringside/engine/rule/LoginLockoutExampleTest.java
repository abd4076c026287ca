package io.ringside.engine.rule;

import java.nio.file.Files;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The login-lockout rules of README.md ("A rule in thirty lines"), compiled and run on the {@link TestDriver}: if this
 * changes, change the README with it.
 */
class LoginLockoutExampleTest
{
    static final long MINUTE = 60_000;

    @TempDir
    Path dir;

    // README layout: begin
    /** A login attempt, 32 bytes: the layout in one place. */
    static final class Login extends Flyweight<Login>
    {
        static final int EVENT_ID = 0, USER_ID = 8, TIME_MS = 16, FAILED = 24, LENGTH = 32;

        long eventId()              { return getLong(EVENT_ID); }
        long userId()               { return getLong(USER_ID); }
        long timeMs()               { return getLong(TIME_MS); }
        boolean failed()            { return getInt(FAILED) != 0; }
        Login eventId(final long v) { return putLong(EVENT_ID, v); }
        Login userId(final long v)  { return putLong(USER_ID, v); }
        Login timeMs(final long v)  { return putLong(TIME_MS, v); }
        Login failed(final boolean v) { return putInt(FAILED, v ? 1 : 0); }
        @Override public int length() { return LENGTH; }
    }

    /** LOCKOUT and SUMMARY outputs: a user's ten minutes. */
    static final class UserWindow extends Flyweight<UserWindow>
    {
        static final int USER_ID = 0, START_MS = 8, FAILURES = 16, SUCCESSES = 24, LENGTH = 32;

        UserWindow of(final long userId, final Window window)
        {
            return putLong(USER_ID, userId).putLong(START_MS, window.start())
                .putLong(FAILURES, window.result(0)).putLong(SUCCESSES, window.result(1));
        }
        @Override public int length() { return LENGTH; }
    }
    // README layout: end

    // README rule: begin
    /** Locks a user out at the 5th failed login in ten minutes (once per window); sums up each ten minutes. */
    static final class LoginRules extends Rule
    {
        static final int LOCKOUT = 1, SUMMARY = 2, LATE = 3;
        private final Login login = new Login();
        private final UserWindow out = new UserWindow().wrapNew();
        private final SeenIds seen;
        private final Tumbling tenMinutes;

        LoginRules(final int shard)
        {
            super("login-" + shard, MINUTE);                  // a window stays open a minute past its end
            operators().lateOutput(LATE);                     // later than that: a LATE output (the event's bytes), counted
            seen = operators().seenIds("ids", 60 * MINUTE, 10 * MINUTE, 100_000);
            tenMinutes = operators().tumbling("users", 10 * MINUTE, 3, 100_000, this::summary,
                Aggregates.sum(), Aggregates.sum());          // failures, successes
        }

        @Override
        protected void handle(final Event event, final ShardContext context)
        {
            login.wrap(event);
            final long failed = login.failed() ? 1 : 0;
            if (seen.add(login.eventId(), login.timeMs()) &&   // a re-sent duplicate is dropped
                tenMinutes.add(login.userId(), login.timeMs(), failed, 1 - failed) &&   // false when late
                tenMinutes.window().result(0) >= 5 && tenMinutes.once(0))
            {
                out.of(login.userId(), tenMinutes.window()).emit(context, LOCKOUT, login.userId());
            }
        }

        private void summary(final long userId, final Window window, final ShardContext context)
        {
            out.of(userId, window).emit(context, SUMMARY, userId);   // as the watermark closes the window
        }
    }
    // README rule: end

    private static EngineContext context()
    {
        // README context: begin
        return new EngineContext()
            .handlers(LoginRules::new)
            .eventTime((buffer, offset, length) -> buffer.getLong(offset + Login.TIME_MS, Flyweight.BYTE_ORDER));
        // README context: end
    }

    private static long nextId = 1;

    private static void login(final TestDriver driver, final long userId, final long timeMs, final boolean failed)
    {
        login(driver, nextId++, userId, timeMs, failed);
    }

    private static void login(final TestDriver driver, final long eventId, final long userId, final long timeMs, final boolean failed)
    {
        final byte[] bytes = new byte[Login.LENGTH];
        new Login().wrap(new UnsafeBuffer(bytes), 0).eventId(eventId).userId(userId).timeMs(timeMs).failed(failed);
        driver.pipe(userId, bytes);
    }

    private static List<String> read(final TestDriver driver)
    {
        final List<String> lines = new ArrayList<>();
        for (TestDriver.Record output = driver.readOutput(); output != null; output = driver.readOutput())
        {
            final String kind = output.type() == LoginRules.LOCKOUT ? "LOCKOUT" : output.type() == LoginRules.SUMMARY ? "SUMMARY" : "LATE";
            lines.add(output.position() + " " + kind + " " + output.key() + " " + output.longAt(1) + " " + output.longAt(2) +
                (output.type() == LoginRules.LATE ? "" : " " + output.longAt(3)));
        }
        return lines;
    }

    /** User 7 fails four times, user 8 logs in, and its login is re-sent. */
    private static void firstHalf(final TestDriver driver)
    {
        nextId = 1;
        for (int i = 0; i < 4; i++)
        {
            login(driver, 7, i * MINUTE, true);
        }
        login(driver, 100, 8, 3 * MINUTE, false);
        login(driver, 100, 8, 3 * MINUTE, false);                  // a duplicate: dropped
    }

    /** User 7 fails three times more (locked out at the 5th), logs in once; one login comes too late. */
    private static void secondHalf(final TestDriver driver)
    {
        nextId = 200;
        login(driver, 100, 8, 3 * MINUTE, false);                  // re-sent again, after the snapshot: still dropped
        login(driver, 7, 5 * MINUTE, true);                         // the 5th failure: LOCKOUT
        login(driver, 7, 6 * MINUTE, true);                         // the 6th: no second LOCKOUT
        login(driver, 7, 7 * MINUTE, false);
        login(driver, 8, 10 * MINUTE + 30_000, false);              // watermark 10.5 min: [0, 10) open until 11
        login(driver, 7, 9 * MINUTE + 36_000, true);                // 9.6 > 10.5 - 1: not late, counted
        login(driver, 8, 21 * MINUTE, false);                       // watermark 21 min: [0, 10) and [10, 20) close
        login(driver, 7, 8 * MINUTE, true);                         // late: LATE, counted, not in any window
        driver.endOfInput();                                        // [20, 30) closes
    }

    @Test
    void shouldLockOutOnceSumUpAtCloseAndReportLateLogins()
    {
        try (TestDriver driver = TestDriver.create(context()))
        {
            firstHalf(driver);
            secondHalf(driver);
            final List<String> outputs = read(driver);
            assertEquals(List.of("LOCKOUT 7 0 5 0", "SUMMARY 7 0 7 1", "SUMMARY 8 0 0 1", "SUMMARY 8 600000 0 1",
                "LATE 7 7 480000", "SUMMARY 8 1200000 0 1"), withoutPositions(outputs), String.valueOf(outputs));
            assertEquals(1, driver.lateEvents(0));
        }
    }

    @Test
    void shouldGiveTheSameOutputsAfterASnapshotMidStream() throws Exception
    {
        final List<String> uninterrupted;
        try (TestDriver driver = TestDriver.create(context()))
        {
            firstHalf(driver);
            read(driver);
            driver.snapshot(dir.resolve("snapshot"));
            secondHalf(driver);
            uninterrupted = read(driver);
        }
        try (TestDriver driver = TestDriver.restore(context(), dir.resolve("snapshot")))
        {
            secondHalf(driver);                                     // the dedup ids, windows and flags came back
            assertEquals(uninterrupted, read(driver));
            assertEquals(1, driver.lateEvents(0));
        }
        assertEquals(6, uninterrupted.size());
    }

    @Test
    void shouldBeWhatTheReadmeShows() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final List<String> source = Files.readAllLines(Path.of("src/test/java/io/ringside/engine/rule/LoginLockoutExampleTest.java"));
        for (final String block : List.of("layout", "rule"))
        {
            final int begin = source.indexOf("    // README " + block + ": begin");
            final int end = source.indexOf("    // README " + block + ": end");
            final StringBuilder text = new StringBuilder();
            for (final String line : source.subList(begin + 1, end))
            {
                text.append(line.length() >= 4 ? line.substring(4) : line.strip()).append('\n');
            }
            assertTrue(readme.contains("```java\n" + text + "```"), "README.md's \"A rule in thirty lines\" shows the " + block);
        }
    }

    private static List<String> withoutPositions(final List<String> lines)
    {
        final List<String> out = new ArrayList<>();
        for (final String line : lines)
        {
            out.add(line.substring(line.indexOf(' ') + 1));
        }
        return out;
    }
}
