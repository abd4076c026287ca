/**
 * The fraud-velocity application: workloads v1 and v2 (their generators, event layouts and rules), the pipelines that
 * run them on the engine, the plain-Java references they are checked against, the demo ({@code ./ringside demo}), its
 * Kafka and Aeron variants, the replay command and the output records.
 * <p>
 * It does not depend on the benchmarks: nothing here imports {@code io.ringside.perf} (checked by checkstyle's
 * ImportControl, {@code config/import-control.xml}); the benchmarks use it as a workload. The command line's plumbing
 * ({@code io.ringside.perf.cli}) is shared. One JMH suite still lives here, {@code FraudPipelineBenchmark}, beside the
 * pipelines it feeds (it imports nothing of the benchmarks either).
 */
package io.ringside.perf.fraud;
