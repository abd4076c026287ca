package io.ringside.perf.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help}: every command's usage help, on standard output, exit code 0. A picocli mixin.
 */
public final class HelpOption
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    private boolean help;
}
