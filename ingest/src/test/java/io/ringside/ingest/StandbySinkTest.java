package io.ringside.ingest;

import java.nio.ByteOrder;

import io.ringside.engine.Output;
import io.ringside.engine.TestDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A warm standby's sink (issue 13): it discards what the group's mark covers, flags an output the mark does not cover
 * (the standby could not take over), and once attached hands every output to the owner's sink, which drops those the
 * earlier owners delivered. No broker: the owner's sink is not opened (it only drops here).
 */
class StandbySinkTest
{
    @Test
    void discardsWhatTheMarkCoversFlagsWhatItDoesNotAndHandsOverOnceAttached() throws Exception
    {
        final StandbySink standby = new StandbySink(new KafkaPartitionSink.Delivered(10, 1, false));
        standby.onOutput(output(5, 0));
        standby.onOutput(output(10, 1));
        assertFalse(standby.overrun(), "outputs at or below the mark are delivered: discarding them loses nothing");
        assertEquals(2, standby.discarded());

        standby.covered(new KafkaPartitionSink.Delivered(20, 0, false));
        standby.onOutput(output(19, 3));
        assertFalse(standby.overrun());
        standby.onOutput(output(20, 1));
        assertTrue(standby.overrun(), "an output above the mark would be lost: the standby must not take the partition over");

        final KafkaPartitionSink owner = new KafkaPartitionSink("127.0.0.1:1", "out", "g", new TopicPartition("in", 0),
            (out, line, at) -> 0);
        owner.delivered(new KafkaPartitionSink.Delivered(30, 0, false));
        standby.attach(owner);
        standby.onOutput(output(25, 0));
        standby.flush();
        standby.close();
        assertEquals(1, owner.suppressed(), "attached: the owner's sink drops what earlier owners delivered");
        assertEquals(4, standby.discarded(), "nothing more discarded by the standby once attached");
    }

    /**
     * @return an output of a {@link PartitionOutputIds#wrap wrapped} handler caused at the source offset.
     */
    private static Output output(final long sourceOffset, final int ordinal)
    {
        final byte[] bytes = new byte[PartitionOutputIds.PREFIX_LENGTH + 4];
        new UnsafeBuffer(bytes).putLong(0, sourceOffset, ByteOrder.BIG_ENDIAN);
        return new TestDriver.Record(sourceOffset, 0, ordinal, 0, 7, bytes);
    }
}
