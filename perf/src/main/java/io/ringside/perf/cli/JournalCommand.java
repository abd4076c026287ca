package io.ringside.perf.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./ringside journal dump}: the journal's commands.
 */
@Command(name = "journal", description = "A journal's records.", subcommands = {JournalDumpCommand.class})
public final class JournalCommand
{
    @Mixin
    private HelpOption help;
}
