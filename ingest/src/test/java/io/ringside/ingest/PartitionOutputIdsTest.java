package io.ringside.ingest;

import java.util.ArrayList;
import java.util.List;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.TestDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Output ids from a partition's offsets (issue 13): each output of a wrapped handler carries its cause's source offset,
 * the handler's payload comes back unchanged, and what a sink reads back from the group's offset metadata drops exactly
 * the outputs at or below the last one delivered.
 */
class PartitionOutputIdsTest
{
    /** Emits its event's first 8 bytes twice per event, and one output at the end of input. */
    private static final class TwoPerEvent implements ShardHandler
    {
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);

        @Override
        public void onEvent(final Event event, final ShardContext context)
        {
            out.putLong(0, event.buffer().getLong(event.offset()));
            context.emit(1, event.key(), out, 0, 8);
            context.emit(2, event.key(), out, 0, 8);
        }

        @Override
        public void onWatermark(final long watermark, final ShardContext context)
        {
            if (watermark == Long.MAX_VALUE)
            {
                out.putLong(0, -7);
                context.emit(3, 0, out, 0, 8);
            }
        }
    }

    @Test
    void everyOutputCarriesItsCausesOffsetAndItsPayloadUnchanged()
    {
        final TestDriver driver = TestDriver.create(new EngineContext().maxEventLength(8)
            .handlers(shard -> PartitionOutputIds.wrap(new TwoPerEvent())));
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
        final long[] offsets = {10, 11, 15};
        for (final long offset : offsets)
        {
            event.putLong(0, offset * 100);
            driver.pipe(0, 0, offset, offset, 0, event, 0, 8);
        }
        driver.endOfInput();
        final List<String> seen = new ArrayList<>();
        final PartitionOutputIds.Unwrapped unwrapped = new PartitionOutputIds.Unwrapped();
        for (final TestDriver.Record record : driver.outputs())
        {
            unwrapped.wrap(record);
            assertEquals(8, unwrapped.length());
            seen.add(unwrapped.sourceOffset() + ":" + unwrapped.ordinal() + ":" + unwrapped.type() + "=" +
                unwrapped.buffer().getLong(unwrapped.offset()));
        }
        assertEquals(List.of("10:0:1=1000", "10:1:2=1000", "11:0:1=1100", "11:1:2=1100", "15:0:1=1500", "15:1:2=1500", "16:0:3=-7"), seen);
        driver.close();
    }

    @Test
    void whatWasDeliveredCoversExactlyTheOutputsAtOrBelowIt()
    {
        final KafkaPartitionSink.Delivered delivered = new KafkaPartitionSink.Delivered(11, 0, false);
        assertEquals(delivered, KafkaPartitionSink.Delivered.parse(new OffsetAndMetadata(11, delivered.format())));
        assertTrue(delivered.covers(10, 5));
        assertTrue(delivered.covers(11, 0));
        assertFalse(delivered.covers(11, 1));
        assertFalse(delivered.covers(12, 0));
        final KafkaPartitionSink.Delivered ended = new KafkaPartitionSink.Delivered(16, 0, true);
        assertTrue(KafkaPartitionSink.Delivered.parse(new OffsetAndMetadata(17, ended.format())).ended());
        assertEquals(KafkaPartitionSink.Delivered.NOTHING, KafkaPartitionSink.Delivered.parse(new OffsetAndMetadata(5, "")));
        assertEquals(KafkaPartitionSink.Delivered.NOTHING, KafkaPartitionSink.Delivered.parse(null));
        assertFalse(KafkaPartitionSink.Delivered.NOTHING.covers(0, 0));
    }
}
