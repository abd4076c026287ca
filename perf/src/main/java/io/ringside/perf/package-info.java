/**
 * The benchmarks and measuring harnesses: JMH suites of the journal, the engine's hop and the state operators
 * ({@code *Benchmark}, run with {@code ./ringside bench NAME}), the fixed-rate latency harness ({@link
 * io.ringside.perf.LatencyHarness} and its targets) and the Kafka consume-to-decision bench ({@link
 * io.ringside.perf.KafkaBench}).
 * <p>
 * <b>Dependencies go one way:</b> a benchmark may drive the fraud application ({@code io.ringside.perf.fraud}) as its
 * workload (its event layout, its shard, its generator); the application never imports this package (checked by
 * checkstyle's ImportControl, {@code config/import-control.xml}). The JMH setup the benchmarks share is in {@link
 * io.ringside.perf.BenchmarkFiles} (a scratch directory, and closing a trial's resources before deleting it) and {@link
 * io.ringside.perf.HopEngine} (the engine the hop benchmarks drive).
 */
package io.ringside.perf;
