package io.ringside.perf.cli;

import java.util.Locale;
import java.util.function.Function;

import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;
import io.ringside.perf.fraud.WorkloadSize;
import picocli.CommandLine;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Builds every command line of {@code ./ringside} one way: picocli with {@link MisuseHandler} (exit code 2) and
 * {@link ExpectedFailureHandler} (exit code 1), a command's own {@link IExitCodeExceptionMapper} if it is one, whole
 * numbers that may be written with {@code _} or {@code ,} between the digits ({@code 10_000_000}, {@code 100,000}),
 * wait strategies, topologies, durability policies and workload sizes by their names, and options listed in the order
 * they are declared.
 */
public final class CommandLines
{
    private CommandLines()
    {
    }

    /**
     * @param command a picocli command object, with its subcommands.
     * @return its command line, configured.
     */
    public static CommandLine of(final Object command)
    {
        final CommandLine commandLine = new CommandLine(command)
            .setParameterExceptionHandler(new MisuseHandler())
            .setExecutionExceptionHandler(new ExpectedFailureHandler());
        commandLine.registerConverter(Long.class, CommandLines::wholeNumber);
        commandLine.registerConverter(Long.TYPE, CommandLines::wholeNumber);
        commandLine.registerConverter(Integer.class, CommandLines::intNumber);
        commandLine.registerConverter(Integer.TYPE, CommandLines::intNumber);
        commandLine.registerConverter(WaitStrategy.class, parsing(WaitStrategy::parse));
        commandLine.registerConverter(Topology.class, parsing(CommandLines::topology));
        commandLine.registerConverter(DurabilityPolicy.class, parsing(DurabilityPolicy::parse));
        commandLine.registerConverter(WorkloadSize.class, parsing(WorkloadSize::parse));
        configure(commandLine);
        return commandLine;
    }

    /**
     * Runs a command with these arguments.
     *
     * @return the exit code.
     */
    public static int execute(final Object command, final String... args)
    {
        return of(command).execute(args);
    }

    /**
     * Runs a command with these arguments and ends the JVM with its exit code: a {@code main}.
     */
    public static void main(final Object command, final String... args)
    {
        final int exitCode = execute(command, args);
        System.out.flush();
        System.exit(exitCode);
    }

    private static void configure(final CommandLine commandLine)
    {
        commandLine.getCommandSpec().usageMessage().sortOptions(false).sortSynopsis(false);
        if (commandLine.getCommand() instanceof IExitCodeExceptionMapper)
        {
            commandLine.setExitCodeExceptionMapper((IExitCodeExceptionMapper)commandLine.getCommand());
        }
        for (final CommandLine subcommand : commandLine.getSubcommands().values())
        {
            configure(subcommand);
        }
    }

    private static <T> ITypeConverter<T> parsing(final Function<String, T> parse)
    {
        return value ->
        {
            try
            {
                return parse.apply(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        };
    }

    private static Long wholeNumber(final String value)
    {
        try
        {
            return Long.parseLong(value.trim().replace("_", "").replace(",", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + value + "' is not a whole number");
        }
    }

    private static Integer intNumber(final String value)
    {
        final long number = wholeNumber(value);
        if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)
        {
            throw new TypeConversionException("'" + value + "' is not within " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
        return (int)number;
    }

    private static Topology topology(final String value)
    {
        try
        {
            return Topology.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown topology '" + value + "': use compact or pipelined", ex);
        }
    }
}
