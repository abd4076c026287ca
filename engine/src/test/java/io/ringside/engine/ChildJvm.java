package io.ringside.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts a main class of the test classpath in a child JVM with the project's JVM flags, for tests
 * that need a second process (reading the counters of a running engine). A copy of the journal tests'
 * helper, so that the engine's tests do not depend on the journal's test jar.
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    static Process start(final Class<?> mainClass, final String... args) throws IOException
    {
        final List<String> flags = new ArrayList<>();
        for (final String flag : System.getProperty("ringside.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                flags.add(flag);
            }
        }
        return start(flags, true, mainClass, args);
    }

    /**
     * With these JVM flags only, not the project's (as a new embedder might start one); its standard error, merged into
     * its standard output, is the caller's to read.
     */
    static Process startWith(final List<String> jvmFlags, final Class<?> mainClass, final String... args) throws IOException
    {
        return start(jvmFlags, false, mainClass, args);
    }

    private static Process start(final List<String> jvmFlags, final boolean inheritError, final Class<?> mainClass, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        return (inheritError ? builder.redirectError(ProcessBuilder.Redirect.INHERIT) : builder.redirectErrorStream(true)).start();
    }
}
