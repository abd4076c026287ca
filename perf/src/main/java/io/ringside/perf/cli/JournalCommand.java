package io.ringside.perf.cli;

import io.ringside.perf.JournalDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./ringside journal dump|demo}: the journal's commands.
 */
@Command(name = "journal", description = "A journal's records, and the journal's append and replay rates.",
    subcommands = {JournalDumpCommand.class, JournalDemo.class})
public final class JournalCommand
{
    @Mixin
    private HelpOption help;
}
