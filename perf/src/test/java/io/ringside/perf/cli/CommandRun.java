package io.ringside.perf.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/**
 * A command line run in this JVM as {@code ./ringside} runs it ({@link CommandLines}), with what picocli writes (the
 * help, misuse and expected failures) captured. The command's own output still goes to {@code System.out}.
 *
 * @param exitCode the exit code.
 * @param out      its standard output as picocli wrote it: the help.
 * @param err      its standard error as picocli wrote it: misuse and expected failures.
 */
public record CommandRun(int exitCode, String out, String err)
{
    /**
     * Runs {@code command} (for {@code ./ringside}, a {@link Ringside}) with these arguments.
     */
    public static CommandRun of(final Object command, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = CommandLines.of(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /**
     * Runs {@code ./ringside args...}.
     */
    public static CommandRun ringside(final String... args)
    {
        return of(new Ringside(), args);
    }

    @Override
    public String toString()
    {
        return "exit code " + exitCode + "\n-- out:\n" + out + "-- err:\n" + err;
    }
}
