/**
 * Output sinks of the engine's own: {@link io.ringside.engine.sink.FileSink} writes one output per line to a file,
 * exactly once across crashes and restarts. A sink implements {@link io.ringside.engine.OutputSink} and runs on the
 * egress thread; the Kafka and Aeron sinks are in {@code ingest/}.
 */
package io.ringside.engine.sink;
