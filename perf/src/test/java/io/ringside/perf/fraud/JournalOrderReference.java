package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ringside.engine.EventRecordDescriptor;
import io.ringside.engine.SlotType;
import io.ringside.journal.JournalReader;
import io.ringside.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Workload v2's reference over an engine's arrival order: reads the DATA records of an engine directory's journal in
 * journal order and feeds them to one {@link PlainJavaFraudV2}, with the watermarks the engine computes for
 * {@link KafkaFraudV2}'s sources: each (source, partition) judged late against its own W_s; the global W the minimum
 * over the transaction topic's partitions once each has spoken; the profile source (a table source) in no W but its
 * own. The journal's end of input is the reference's.
 */
final class JournalOrderReference
{
    private JournalOrderReference()
    {
    }

    /**
     * @param partitions the transaction topic's partitions (declared up front, as the engine does).
     * @param lines      receives each output line, as the file sink and the Kafka sink write it.
     * @return the per-kind counts and checksums.
     */
    static ChecksumReport outputs(final Path engineDir, final int partitions, final List<String> lines)
    {
        final ChecksumReport report = ChecksumReport.v2();
        final PlainJavaFraudV2 plain = new PlainJavaFraudV2(OutputRecordSink.tee(report,
            (kind, fields) -> lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString())));
        final long[] eventsWatermark = new long[partitions];
        Arrays.fill(eventsWatermark, Long.MIN_VALUE);
        final boolean[] spoken = new boolean[partitions];
        int silent = partitions;
        final Map<Integer, Long> profilesWatermark = new HashMap<>();
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        long global = Long.MIN_VALUE;
        boolean ended = false;
        try (JournalReader reader = JournalReader.open(engineDir.resolve("journal")))
        {
            JournalRecord record;
            while ((record = reader.next()) != null)
            {
                if (record.type() == SlotType.SHUTDOWN)
                {
                    plain.endOfInput();
                    ended = true;
                    break;
                }
                if (record.type() != SlotType.DATA)
                {
                    continue;
                }
                record.buffer().getBytes(record.payloadOffset() + EventRecordDescriptor.EVENT_OFFSET, event, 0, FraudEvent.LENGTH);
                final long candidate = FraudEvent.eventTimeMs(event, 0) - FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS;
                final int p = record.partition();
                if (record.sourceId() == KafkaFraudV2.PROFILES_SOURCE_ID)
                {
                    final long own = profilesWatermark.getOrDefault(p, Long.MIN_VALUE);
                    plain.onEvent(event, 0, own);
                    profilesWatermark.put(p, Math.max(own, candidate));
                    continue;
                }
                if (record.sourceId() != KafkaFraudV2.EVENTS_SOURCE_ID)
                {
                    throw new IllegalStateException("a DATA record of source " + record.sourceId() + " in the journal");
                }
                plain.onEvent(event, 0, eventsWatermark[p]);
                eventsWatermark[p] = Math.max(eventsWatermark[p], candidate);
                if (!spoken[p])
                {
                    spoken[p] = true;
                    silent--;
                }
                if (silent == 0)
                {
                    final long min = Arrays.stream(eventsWatermark).min().getAsLong();
                    if (min > global)
                    {
                        global = min;
                        plain.onWatermark(global);
                    }
                }
            }
        }
        if (!ended)
        {
            throw new IllegalStateException("the journal in " + engineDir + " has no end of input");
        }
        return report;
    }
}
