package io.ringside.perf.fraud;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ringside.perf.cli.Ringside;

/**
 * Starts a main class of the test classpath in a child JVM with the project's JVM flags (the crash tests kill it).
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * Starts {@code ./ringside demo args...}.
     */
    static Process startDemo(final Path log, final String... args) throws IOException
    {
        return startCommand(log, "demo", args);
    }

    /**
     * Starts {@code ./ringside name args...}.
     */
    static Process startCommand(final Path log, final String name, final String... args) throws IOException
    {
        final String[] command = new String[args.length + 1];
        command[0] = name;
        System.arraycopy(args, 0, command, 1, args.length);
        return start(log, Ringside.class, command);
    }

    static Process start(final Path log, final Class<?> mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("ringside.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
