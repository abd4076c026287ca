package io.ringside.perf.cli;

import java.nio.file.Path;

import io.ringside.ingest.KafkaTopicDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ringside consume --kafka B --topic T --output FILE [--idle-ms MS]}: a topic into a file
 * ({@link KafkaTopicDump}).
 */
@Command(name = "consume", description = {"Writes every record value of a topic (read_committed), one per line, partition by " +
    "partition in offset order, to a file: for a KafkaSink's topic, the file sink's lines.",
    "Stops at the end offsets captured at start, or after MS with nothing new."})
public final class ConsumeCommand extends CheckedCommand
{
    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", required = true, description = "the brokers' bootstrap servers, host:port,...")
    private String bootstrap;

    @Option(names = "--topic", paramLabel = "T", required = true, description = "the topic")
    private String topic;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "the file to write (created or truncated)")
    private Path output;

    @Option(names = "--idle-ms", paramLabel = "MS", description = "stop after MS milliseconds with nothing new (default 10,000)")
    private long idleMs = 10_000;

    @Override
    protected void check()
    {
        if (idleMs < 1)
        {
            throw new IllegalArgumentException("--idle-ms must be at least 1, was " + idleMs);
        }
    }

    @Override
    protected void run() throws Exception
    {
        final long records = KafkaTopicDump.dump(bootstrap, topic, output, idleMs);
        System.out.println(records + " records from " + topic + " written to " + output);
    }
}
