package io.ringside.perf.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.ringside.journal.JournalAppender;
import io.ringside.journal.JournalContext;
import io.ringside.journal.RecordDescriptor;
import io.ringside.journal.SegmentDescriptor;
import io.ringside.perf.fraud.PlainJavaMain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command of {@code ./ringside}, run in this JVM as the launcher runs it ({@link Ringside}): {@code --help} prints
 * the usage and exits 0; an unknown flag, a missing or a bad value exits 2 and names the flag; an expected failure
 * exits 1 with one line on standard error and no stack trace. Each case ends before the command does its work: none
 * connects to Kafka (produce, consume and kafka-bench are given a bootstrap address that kafka-clients refuses to parse)
 * or runs a workload. {@code latency} has no expected failure to show short of measuring.
 */
class CommandLineTest
{
    private static final String[] COMMANDS = {"demo", "stat", "replay", "journal dump", "journal demo", "latency", "produce", "consume",
        "kafka-bench"};

    @TempDir
    Path tmp;

    private static String[] args(final String command, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "stat", "replay", "journal dump", "journal demo", "latency", "produce", "consume", "kafka-bench",
        "journal"})
    void helpPrintsTheUsageAndExits0(final String command)
    {
        for (final String help : new String[] {"--help", "-h"})
        {
            final CommandRun run = CommandRun.ringside(args(command, help));
            assertEquals(0, run.exitCode(), run::toString);
            assertTrue(run.out().startsWith("Usage: ringside " + command + " ") && run.out().contains("--help"), run::toString);
            assertEquals("", run.err(), run::toString);
        }
    }

    @Test
    void helpListsTheCommands()
    {
        final CommandRun run = CommandRun.ringside("--help");
        assertEquals(0, run.exitCode(), run::toString);
        for (final String command : COMMANDS)
        {
            assertTrue(run.out().contains("  " + command.split(" ")[0] + " "), () -> command + " listed: " + run);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "stat", "replay", "journal dump", "journal demo", "latency", "produce", "consume", "kafka-bench"})
    void anUnknownFlagExits2AndIsNamed(final String command)
    {
        // replay, journal dump, produce and consume also miss a DIR or a required option: the unknown flag is still the one named
        final CommandRun run = CommandRun.ringside(args(command, "--bogus"));
        assertMisuse(run, command, "Unknown option: '--bogus'");
        assertTrue(run.err().contains("usage: ringside " + command + " ") && run.err().contains("'ringside " + command + " --help'"),
            run::toString);
    }

    @Test
    void aMistypedFlagGetsASuggestion()
    {
        final CommandRun run = CommandRun.ringside("demo", "--event", "5");
        assertMisuse(run, "demo", "Unknown options: '--event', '5'");
        assertTrue(run.err().contains("Possible solutions: --events"), run::toString);
    }

    static Stream<Arguments> misuse()
    {
        return Stream.of(
            Arguments.of("demo", new String[] {"--events"}, "Missing required parameter for option '--events'"),
            Arguments.of("demo", new String[] {"--events", "ten"}, "Invalid value for option '--events': 'ten' is not a whole number"),
            Arguments.of("demo", new String[] {"--cards", "99"}, "--cards must be at least 100, was 99"),
            Arguments.of("demo", new String[] {"--wait", "lazy"}, "Invalid value for option '--wait': unknown wait strategy 'lazy'"),
            Arguments.of("stat", new String[] {"--once=maybe"}, "Invalid value for option '--once': 'maybe' is not a boolean"),
            Arguments.of("stat", new String[] {"a", "b"}, "Unmatched argument at index 2: 'b'"),
            Arguments.of("replay", new String[] {"dir", "--from"}, "Missing required parameter for option '--from'"),
            Arguments.of("replay", new String[] {"dir", "--shards", "x"}, "Invalid value for option '--shards': 'x' is not a whole number"),
            Arguments.of("replay", new String[] {"dir", "--state", "disk"}, "--state takes chronicle or heap, not 'disk'"),
            Arguments.of("replay", new String[0], "Missing required parameter: 'DIR'"),
            Arguments.of("journal dump", new String[] {"dir", "--limit"}, "Missing required parameter for option '--limit'"),
            Arguments.of("journal dump", new String[] {"dir", "--limit", "-1"}, "--from, --limit and --bytes take 0 or more, got --limit -1"),
            Arguments.of("journal dump", new String[] {"dir", "--limit", "ten"}, "'ten' is not a whole number"),
            Arguments.of("journal demo", new String[] {"--records"}, "Missing required parameter for option '--records'"),
            Arguments.of("journal demo", new String[] {"--payload", "4"}, "--payload must be at least 8, was 4"),
            Arguments.of("journal demo", new String[] {"--durability", "often"}, "Invalid value for option '--durability'"),
            Arguments.of("latency", new String[] {"--rates"}, "Missing required parameter for option '--rates'"),
            Arguments.of("latency", new String[] {"--ring-size", "1000"}, "--ring-size must be a power of two, was 1000"),
            Arguments.of("produce", new String[] {"--events", "-5", "--kafka", "x", "--topic", "t", "--partitions", "1"},
                "--events must be at least 1, was -5"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t"}, "Missing required option: '--partitions=P'"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t", "--partitions", "0"}, "--partitions must be at least 1, was 0"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t", "--partitions", "1", "--workload", "v3"},
                "--workload takes v1 or v2, not 'v3'"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t", "--partitions", "1", "--profiles-topic", "p"},
                "--profiles-topic goes with --workload v2"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t", "--partitions", "1", "--workload", "v2", "--profiles-topic", "t"},
                "--profiles-topic must differ from --topic"),
            Arguments.of("consume", new String[] {"--kafka", "x", "--topic", "t"}, "Missing required option: '--output=FILE'"),
            Arguments.of("consume", new String[] {"--kafka", "x", "--topic", "t", "--output", "o", "--idle-ms", "0"},
                "--idle-ms must be at least 1, was 0"),
            Arguments.of("kafka-bench", new String[] {"--events"}, "Missing required parameter for option '--events'"),
            Arguments.of("kafka-bench", new String[] {"--only", "both"}, "--only takes throughput or latency, not 'both'"),
            Arguments.of("kafka-bench", new String[] {"--consumer", "fetch.min.bytes"}, "--consumer takes name=value, not 'fetch.min.bytes'"),
            Arguments.of("journal", new String[0], "Missing required subcommand"),
            Arguments.of("journal", new String[] {"cat"}, "Unmatched argument at index 1: 'cat'"));
    }

    @ParameterizedTest
    @MethodSource
    void misuse(final String command, final String[] args, final String message)
    {
        assertMisuse(CommandRun.ringside(args(command, args)), command, message);
    }

    @Test
    void aCommandIsNeeded()
    {
        final CommandRun run = CommandRun.ringside();
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("ringside: Missing required subcommand"), run::toString);
    }

    static Stream<Arguments> expectedFailures()
    {
        return Stream.of(
            Arguments.of("demo", new String[] {"--events", "1000", "--cards", "100", "--state", "heap", "--journal", "FILE"},
                "cannot create the engine directory"),
            Arguments.of("stat", new String[] {"MISSING", "--once"}, "no counters file"),
            Arguments.of("replay", new String[] {"MISSING"}, "holds no journal/ directory: is it an engine directory?"),
            Arguments.of("journal dump", new String[] {"MISSING"}, "no such directory"),
            Arguments.of("journal demo", new String[] {"--journal", "FILE", "--records", "10"}, "is a file, not a directory"),
            Arguments.of("produce", new String[] {"--kafka", "x", "--topic", "t", "--partitions", "1", "--events", "10"},
                "Invalid url in bootstrap.servers: x"),
            Arguments.of("consume", new String[] {"--kafka", "x", "--topic", "t", "--output", "MISSING/out.txt"}, "no such file or directory"),
            Arguments.of("kafka-bench", new String[] {"--kafka", "x", "--only", "throughput", "--events", "10"},
                "Invalid url in bootstrap.servers: x"));
    }

    @ParameterizedTest
    @MethodSource
    void expectedFailures(final String command, final String[] args, final String message) throws IOException
    {
        final Path file = Files.createFile(tmp.resolve("file"));
        final Path missing = tmp.resolve("missing");
        final String[] resolved = new String[args.length];
        for (int i = 0; i < args.length; i++)
        {
            resolved[i] = args[i].replace("MISSING", missing.toString()).replace("FILE", file.toString());
        }
        assertFailure(CommandRun.ringside(args(command, resolved)), "ringside " + command, 1, message);
        assertFalse(Files.exists(missing), "nothing made where nothing was");
    }

    @Test
    void journalDumpExits3AtACorruptRecordAnd2AtAPositionThatIsNoRecords() throws IOException
    {
        final long[] positions = new long[3];
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(tmp).segmentSize(64 * 1024)))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
            for (int i = 0; i < positions.length; i++)
            {
                payload.putLong(0, i);
                positions[i] = appender.append(1, 0, 1, 0, i, i, payload, 0, 16);
            }
        }
        assertEquals(0, CommandRun.ringside("journal", "dump", tmp.toString()).exitCode());
        assertFailure(CommandRun.ringside("journal", "dump", tmp.toString(), "--from", Long.toString(positions[1] + 1)), "ringside journal dump",
            2, "not a record boundary");
        try (RandomAccessFile segment = new RandomAccessFile(tmp.resolve(SegmentDescriptor.fileName(0)).toFile(), "rw"))
        {
            segment.seek(positions[1] + RecordDescriptor.HEADER_LENGTH);
            segment.write(0xEE);
        }
        assertFailure(CommandRun.ringside("journal", "dump", tmp.toString()), "ringside journal dump", 3, "at position " + positions[1]);
    }

    @Test
    void plainJavaMainHasTheSameCommandLine()
    {
        final CommandRun help = CommandRun.of(new PlainJavaMain(), "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().startsWith("Usage: PlainJavaMain ") && help.out().contains("--impl"), help::toString);
        assertFailure(CommandRun.of(new PlainJavaMain(), "--bogus"), "PlainJavaMain", 2, "Unknown option: '--bogus'");
        assertFailure(CommandRun.of(new PlainJavaMain(), "--impl", "slow"), "PlainJavaMain", 2, "--impl takes fast or reference, not 'slow'");
        assertFailure(CommandRun.of(new PlainJavaMain(), "--size", "huge"), "PlainJavaMain", 2, "unknown size 'huge'");
        assertFailure(CommandRun.of(new PlainJavaMain(), "--cards", "99"), "PlainJavaMain", 2, "cards");
        assertFailure(CommandRun.of(new PlainJavaMain(), "--size", "smoke", "--output", tmp.resolve("missing").resolve("out.txt").toString()),
            "PlainJavaMain", 1, "no such file or directory");
    }

    @Test
    void aBugStillShowsItsStackTrace()
    {
        final CommandRun run = CommandRun.of(new Bug());
        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.err().contains("java.lang.NullPointerException: a bug") && run.err().contains("\tat "), run::toString);
    }

    /**
     * A command with a bug.
     */
    @Command(name = "bug")
    static final class Bug extends CheckedCommand
    {
        @Override
        protected void run()
        {
            throw new NullPointerException("a bug");
        }
    }

    private static void assertMisuse(final CommandRun run, final String command, final String message)
    {
        assertFailure(run, "ringside " + command, 2, message);
    }

    /**
     * The first line of standard error is {@code <name>: ...message...}; no stack trace; for an expected failure (not
     * misuse), that line is all.
     */
    private static void assertFailure(final CommandRun run, final String name, final int exitCode, final String message)
    {
        assertEquals(exitCode, run.exitCode(), run::toString);
        final String first = run.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith(name + ": ") && first.contains(message), () -> "'" + name + ": ..." + message + "...' first: " + run);
        assertFalse(run.err().contains("\tat "), () -> "no stack trace: " + run);
        if (exitCode != 2)
        {
            assertEquals(1, run.err().lines().count(), () -> "one line: " + run);
        }
        assertEquals("", run.out(), run::toString);
    }
}
