package io.ringside.ingest;

import io.ringside.engine.Output;
import io.ringside.engine.OutputSink;

/**
 * The sink of a warm standby's partition engine ({@link KafkaGroupIngress#standbys}): while the partition belongs to
 * another member it sends nothing; once this member is assigned the partition, {@link #attach} hands the engine's
 * outputs to the new owner's transactional {@link KafkaPartitionSink}, and the engine goes on deciding from where the
 * standby had read, without a rebuild.
 * <p>
 * Discarding is safe only for outputs the owner has delivered. The member feeds the standby only records whose outputs
 * the group's committed mark covers ({@link #covered}: records up to two offsets below the mark's cause), and this sink
 * checks each discarded output's id against that mark: one it does not cover ({@link #overrun()}) would be lost, so the
 * member then rebuilds the partition instead of taking the standby's engine over.
 * <b>Threads:</b> {@link #onOutput}, {@link #flush}, {@link #close} on the engine's egress thread; {@link #covered} and
 * {@link #attach} on the member's thread (volatile hand-over).
 */
final class StandbySink implements OutputSink
{
    private final PartitionOutputIds.Unwrapped unwrapped = new PartitionOutputIds.Unwrapped();
    private volatile KafkaPartitionSink live;
    private volatile KafkaPartitionSink.Delivered covered;
    private volatile boolean overrun;
    private volatile long discarded;

    /**
     * @param covered what the group had delivered when the standby started (the outputs it may discard).
     */
    StandbySink(final KafkaPartitionSink.Delivered covered)
    {
        this.covered = covered;
    }

    /**
     * Raises what the standby may discard: the group's committed mark, read before feeding the records it covers.
     */
    void covered(final KafkaPartitionSink.Delivered mark)
    {
        covered = mark;
    }

    /**
     * @return the mark the standby discards up to.
     */
    KafkaPartitionSink.Delivered covered()
    {
        return covered;
    }

    /**
     * From now on the outputs go to {@code owner} (opened, its delivered mark set).
     */
    void attach(final KafkaPartitionSink owner)
    {
        live = owner;
    }

    /**
     * @return whether the standby discarded an output that the group had not delivered (it cannot take the partition over).
     */
    boolean overrun()
    {
        return overrun;
    }

    /**
     * @return outputs discarded while standing by (any thread, approximate).
     */
    long discarded()
    {
        return discarded;
    }

    @Override
    public void onOutput(final Output output) throws Exception
    {
        final KafkaPartitionSink owner = live;
        if (owner != null)
        {
            owner.onOutput(output);
            return;
        }
        final PartitionOutputIds.Unwrapped out = unwrapped.wrap(output);
        if (!covered.covers(out.sourceOffset(), out.ordinal()))
        {
            overrun = true;
        }
        discarded++;
    }

    @Override
    public void flush() throws Exception
    {
        final KafkaPartitionSink owner = live;
        if (owner != null)
        {
            owner.flush();
        }
    }

    @Override
    public void close() throws Exception
    {
        final KafkaPartitionSink owner = live;
        if (owner != null)
        {
            owner.close();
        }
    }
}
