package io.ringside.engine;

/**
 * An {@link OutputSink} that can also take an output on the thread that decides it, without waiting: the compact
 * thread offers each output there once its input is durable under the journal's policy, and the egress thread takes
 * over only when the sink cannot take one at once (back pressure, no subscriber, an error). For sinks whose hand-over is
 * a non-blocking offer to memory another process reads (an Aeron publication), this takes the egress thread's wake-up
 * off every decision's way out.
 * <p>
 * <b>Order and exactly once are unchanged.</b> Per shard, the outputs reach the sink in the order the shard emitted
 * them, each once, whichever thread delivers it: an output refused here stays first in its shard's egress buffer, goes
 * to {@link #onOutput} on the egress thread (retried there as for any sink), and so does everything after it until the
 * egress thread has caught up (nothing durable left in the buffers) and hands delivery back. Outputs replayed at start are delivered by the egress
 * thread. Only one thread calls the sink at a time, with a happens-before edge at each hand-over.
 * <p>
 * Used only on a compact engine ({@code Topology.COMPACT}), only when every sink of the engine is one, and unless
 * {@link EngineContext#inlineDelivery(boolean)} turns it off.
 */
public interface InlineOutputSink extends OutputSink
{
    /**
     * Hands the output on now, without waiting, retrying, blocking, locking or allocating: it runs on the thread that
     * runs the shards. Nothing is flushed after it: an output taken here must be on its way when this returns.
     *
     * @param output valid only during the call.
     * @return true if the sink took it; false if it cannot now (it must then have taken nothing of it): the egress thread
     * delivers it with {@link #onOutput}. An exception counts as false.
     */
    boolean tryDeliverInline(Output output);
}
