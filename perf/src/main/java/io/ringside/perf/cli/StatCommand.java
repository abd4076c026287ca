package io.ringside.perf.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ringside.engine.tools.EngineStat;
import io.ringside.ingest.KafkaGroupIngress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./ringside stat [DIR] [--once] [--errors]}: attaches, read-only, to the counters file of an engine running in
 * another process and prints its counters every second, with rates, until interrupted ({@link EngineStat}).
 */
@Command(name = "stat", description = "Prints a running engine's live counters every second, with rates, until interrupted. " +
    "Read-only: it attaches to the counters file of an engine running in another process. For the directory of a consumer group's " +
    "member (demo --group), prints the partitions it owns, their rebuild progress, lag and outputs.")
public final class StatCommand extends CheckedCommand
{
    @Parameters(arity = "0..1", paramLabel = "DIR", description = "the engine directory (EngineContext.directory; it holds counters.dat); " +
        "default: the environment variable RINGSIDE_DIR")
    private Path dir;

    @Option(names = "--once", description = "print one snapshot and exit")
    private boolean once;

    @Option(names = "--errors", description = "also print the distinct error log")
    private boolean errors;

    @Override
    protected void check()
    {
        if (dir == null)
        {
            final String env = System.getenv("RINGSIDE_DIR");
            if (env == null)
            {
                throw new IllegalArgumentException("give the engine directory (or set RINGSIDE_DIR)");
            }
            dir = Path.of(env);
        }
    }

    @Override
    protected void run() throws Exception
    {
        final Path member = dir.resolve(KafkaGroupIngress.STATUS_FILE);
        if (Files.exists(member) && !Files.exists(dir.resolve("counters.dat")))
        {
            // a member of a consumer group (demo --group): one engine per owned partition, in DIR/p-<n>
            while (true)
            {
                System.out.print(Files.readString(member));
                System.out.println("  (each partition's engine: ./ringside stat " + dir.resolve("p-<n>") + ")");
                if (once)
                {
                    return;
                }
                Thread.sleep(1000);
            }
        }
        try (EngineStat stat = EngineStat.open(dir))
        {
            while (true)
            {
                stat.print(System.out);
                if (errors)
                {
                    stat.printErrors(System.out);
                }
                if (once)
                {
                    return;
                }
                Thread.sleep(1000);
            }
        }
    }
}
