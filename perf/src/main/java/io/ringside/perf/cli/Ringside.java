package io.ringside.perf.cli;

import io.ringside.perf.KafkaBench;
import io.ringside.perf.LatencyHarness;
import io.ringside.perf.fraud.FraudVelocityDemo;
import io.ringside.perf.fraud.KafkaProduce;
import io.ringside.perf.fraud.ReplayCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The Java commands of the {@code ./ringside} launcher, one subcommand each; {@code ./ringside COMMAND ARGS} runs
 * {@code Ringside COMMAND ARGS}. Exit codes: 0; 1 for an expected failure, said in one line; 2 for misuse (an unknown
 * flag, a missing or bad value); {@code journal dump}: 3 at a corrupt record.
 */
@Command(name = "ringside", description = "Ringside's commands (the launcher ./ringside adds bench, broker and build).",
    subcommands = {FraudVelocityDemo.class, StatCommand.class, ReplayCommand.class, JournalCommand.class, LatencyHarness.class,
        KafkaProduce.class, ConsumeCommand.class, KafkaBench.class})
public final class Ringside
{
    @Mixin
    private HelpOption help;

    public static void main(final String[] args)
    {
        CommandLines.main(new Ringside(), args);
    }
}
