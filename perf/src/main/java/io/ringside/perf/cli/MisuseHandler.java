package io.ringside.perf.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Misuse of a command: an unknown flag, a missing or malformed value, or a value its {@link CheckedCommand#check()}
 * refused. Prints {@code <command>: <what is wrong>} on standard error, the nearest flag names for an unknown one, the
 * synopsis and where the help is, and gives exit code 2, before the command has done anything.
 */
final class MisuseHandler implements IParameterExceptionHandler
{
    @Override
    public int handleParseException(final ParameterException parseError, final String[] args)
    {
        final CommandLine commandLine = parseError.getCommandLine();
        // picocli reports a missing required option or DIR before an unknown flag: the unknown flag is the likelier mistake
        final ParameterException ex = parseError instanceof UnmatchedArgumentException || commandLine.getUnmatchedArguments().isEmpty() ?
            parseError : new UnmatchedArgumentException(commandLine, commandLine.getUnmatchedArguments());
        final String name = commandLine.getCommandSpec().qualifiedName();
        final PrintWriter err = commandLine.getErr();
        err.println(name + ": " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        final String heading = "usage: ";
        err.print(heading + commandLine.getHelp().synopsis(heading.length()));
        err.println("'" + name + " --help' describes every option.");
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }
}
