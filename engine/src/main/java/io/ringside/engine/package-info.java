/**
 * The engine: ring, topologies, shards, windows, dedup, snapshots, egress and counters.
 * Empty until the engine-core issue; the module exists so the build and its dependencies are in place.
 */
package io.ringside.engine;
