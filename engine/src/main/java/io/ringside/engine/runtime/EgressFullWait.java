package io.ringside.engine.runtime;

/**
 * What a shard's thread does meanwhile when its egress buffer is full, before it waits a moment and tries again. Its
 * owner is the agent that runs the shard: the compact topology's one thread also journals, so {@link CompactAgent}
 * publishes what it has journaled as durable (the egress frees space only for durable outputs).
 */
public interface EgressFullWait
{
    /**
     * The shard's thread, while its egress buffer is full.
     */
    void onEgressFull();
}
