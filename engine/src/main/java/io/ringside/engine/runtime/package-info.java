/**
 * The engine's runtime, behind the API of {@link io.ringside.engine}: the ring's consumers and agents
 * ({@link io.ringside.engine.runtime.JournalerAgent}, {@link io.ringside.engine.runtime.ShardAgent},
 * {@link io.ringside.engine.runtime.CompactAgent}, {@link io.ringside.engine.runtime.EgressAgent}), the journaler and
 * its watermarks ({@link io.ringside.engine.runtime.Journaler}, {@link io.ringside.engine.runtime.WatermarkTracker}),
 * the shards ({@link io.ringside.engine.runtime.ShardRunner}), snapshots ({@link io.ringside.engine.runtime.SnapshotTaker},
 * {@link io.ringside.engine.runtime.SnapshotReplica}), ticks, counters and the engine's lifecycle. Not API: its types are
 * public only so that {@link io.ringside.engine.Engine}, {@link io.ringside.engine.TestDriver} and the other API classes
 * can assemble them; embedders use {@link io.ringside.engine} and may not rely on anything here staying as it is.
 */
package io.ringside.engine.runtime;
