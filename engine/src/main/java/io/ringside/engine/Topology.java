package io.ringside.engine;

/**
 * How the consumers of the ring are laid out on threads. Both give identical outputs.
 */
public enum Topology
{
    /**
     * One consumer thread journals each event, then runs its shard: for machines with few cores (2-core
     * boxes, CI). Shards still own their keys; they just take turns on one thread.
     */
    COMPACT,
    /**
     * A journaler thread, then one thread per shard gated on it: for machines with cores to spare.
     */
    PIPELINED
}
