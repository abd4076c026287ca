/**
 * The engine and its public API: configure and start an {@link io.ringside.engine.Engine}, publish events into its
 * ring, handle them per shard, and receive the outputs inline or through sinks. The runtime that runs it (the
 * journaler, shard, egress and snapshot agents) is in {@code io.ringside.engine.runtime}, not API. Rules on declared operators live in
 * {@code io.ringside.engine.rule}, the keyed off-heap operators under them in {@code io.ringside.engine.state}, the
 * file sink in {@code io.ringside.engine.sink} and the operator tools in {@code io.ringside.engine.tools}.
 * <p>
 * The first dozen types to learn, in reading order:
 * <ol>
 *   <li>{@link io.ringside.engine.Engine}: build, {@code start()}, publish, {@code close()}.</li>
 *   <li>{@link io.ringside.engine.EngineContext}: its configuration (directory, handlers, shards, topology, sinks).</li>
 *   <li>{@link io.ringside.engine.ShardHandler}: the per-shard logic, called for each event of the shard's keys.</li>
 *   <li>{@link io.ringside.engine.ShardContext}: what a handler may do while it handles an event (emit, report late).</li>
 *   <li>{@link io.ringside.engine.Event}: the event a handler sees, a view of one ring slot.</li>
 *   <li>{@link io.ringside.engine.EventPublisher}: how events get into the ring, one publisher per thread.</li>
 *   <li>{@link io.ringside.engine.Output} and {@link io.ringside.engine.OutputListener}: an output and its deterministic
 *       id, handed out inline on the shard's thread.</li>
 *   <li>{@link io.ringside.engine.OutputSink}: a destination that sees an output once its input is durable
 *       ({@link io.ringside.engine.sink.FileSink}, exactly once across restarts).</li>
 *   <li>{@link io.ringside.engine.Snapshottable}: a handler whose state snapshots, so recovery replays less.</li>
 *   <li>{@link io.ringside.engine.TestDriver}: a handler run in a test, on the calling thread, with the engine's ids.</li>
 *   <li>{@link io.ringside.engine.rule.Rule} and {@link io.ringside.engine.rule.Operators}: a handler written on
 *       declared operators, the way to write rules (see {@code io.ringside.engine.rule}).</li>
 *   <li>{@link io.ringside.engine.state.KeyedWindows}: several window kinds of a key in one off-heap entry, under the
 *       rule surface.</li>
 * </ol>
 * Operators of an engine: {@link io.ringside.engine.tools.EngineStat} reads a running engine's counters,
 * {@link io.ringside.engine.JournalReplay} rebuilds its outputs from its journal.
 */
package io.ringside.engine;
