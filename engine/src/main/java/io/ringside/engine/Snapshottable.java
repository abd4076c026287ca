package io.ringside.engine;

import java.io.IOException;

/**
 * A {@link ShardHandler} whose state can be written to a snapshot and read back, so that recovery replays the
 * journal only from the newest snapshot instead of from its start. Both calls come on the shard's thread (or,
 * at start-up and close, on the thread that runs recovery or closes the engine, with the shard's thread not
 * running). {@link #readSnapshot} is called on a freshly built handler, before any event.
 * <p>
 * What {@link #writeSnapshot} writes must be everything that decides future outputs: the state is then a pure
 * function of the journal up to the snapshot's position. The order in which windows close must follow from the
 * state written, not from the history that built it, or outputs after a restore could take other ordinals.
 */
public interface Snapshottable
{
    void writeSnapshot(SnapshotWriter out) throws IOException;

    /**
     * @throws SnapshotCorruptedException if the bytes do not make sense; recovery then tries an older snapshot.
     */
    void readSnapshot(SnapshotReader in) throws IOException;
}
