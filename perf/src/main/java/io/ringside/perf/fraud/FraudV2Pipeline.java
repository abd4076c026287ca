package io.ringside.perf.fraud;

import java.io.IOException;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.ShardHandler;
import io.ringside.engine.SnapshotReader;
import io.ringside.engine.SnapshotWriter;
import io.ringside.engine.Snapshottable;
import io.ringside.engine.state.IntervalJoin;
import io.ringside.engine.state.KeyedTable;
import io.ringside.engine.state.SequencePattern;
import org.agrona.DirectBuffer;

/**
 * Workload v2 on the engine's operators, one instance per shard: v1's {@link FraudVelocityPipeline} for dedup and
 * lateness (every type of event) and the transactions' windows and alerts, composed with three more operators, all
 * keyed by card and off-heap:
 * <ul>
 *   <li>{@link KeyedTable} of profiles (limitCents, homeCountry): a PROFILE upserts its card's row, a limit of 0 is a
 *       tombstone; a TXN reads the row as of its arrival (OVERLIMIT, ABROAD);</li>
 *   <li>{@link IntervalJoin} of a TXN (left, by its event id, with its amount) and its CAPTURE (right) within
 *       [0, 120,000] ms: CAPTURED, or ORPHAN; a TXN never captured comes out UNCAPTURED once the watermark passes
 *       its time + 125,000;</li>
 *   <li>{@link SequencePattern} "a small TXN (below 150) followed by a large one (200,000 or more) within 300 s", decided
 *       once the large's time + 5,000 is passed (TESTCHARGE).</li>
 * </ul>
 * Closing, in {@link #onWatermark}, slices of each in turn: v1's windows, then the join, then the pattern, so that a
 * decision never waits behind more than a few of each. Outputs are {@link FraudOutput} flyweights, counted in a
 * {@link ChecksumReport} of fourteen kinds.
 */
public final class FraudV2Pipeline implements ShardHandler, Snapshottable, AutoCloseable
{
    /**
     * What the v2 demo records as its handlers (EngineContext.handlersId): a v1 engine directory restarted as v2, or
     * the other way round, is refused.
     */
    public static final String HANDLERS_ID = "fraud-velocity/2";
    static final long CAPTURE_LOWER_MS = 0;
    static final long CAPTURE_UPPER_MS = PlainJavaFraudV2.CAPTURE_UPPER_MS;
    static final long PATTERN_WITHIN_MS = PlainJavaFraudV2.PATTERN_WITHIN_MS;
    /** Unmatched transactions, or pattern decisions, closed at most per slot. */
    static final int CLOSE_SLICE = 8;
    private static final int SMALL = 0;
    private static final int LARGE = 1;
    private static final int LIMIT = 0;
    private static final int HOME_COUNTRY = 1;

    private final ChecksumReport report = ChecksumReport.v2();
    private final FraudVelocityPipeline v1;
    private final KeyedTable profiles;
    private final IntervalJoin captures;
    private final SequencePattern testCharges;
    private final long[] profile = new long[2];
    private final long[] txnAmount = new long[1];
    private final FraudOutput.OverLimit overLimit = new FraudOutput.OverLimit().wrapNew();
    private final FraudOutput.Abroad abroad = new FraudOutput.Abroad().wrapNew();
    private final FraudOutput.TestCharge testCharge = new FraudOutput.TestCharge().wrapNew();
    private final FraudOutput.Captured captured = new FraudOutput.Captured().wrapNew();
    private final FraudOutput.Uncaptured uncaptured = new FraudOutput.Uncaptured().wrapNew();
    private final FraudOutput.Orphan orphan = new FraudOutput.Orphan().wrapNew();
    private ShardContext context;

    /**
     * @param expectedCards    cards with open windows in this shard at once.
     * @param idsPerMinute     event ids this shard sees per minute of event time.
     * @param expectedProfiles cards with a profile in this shard.
     * @param expectedOpen     transactions open for capture in this shard at once (125 s of them).
     * @param expectedSmalls   small transactions held for the pattern at once (305 s of them).
     */
    public FraudV2Pipeline(final int shard, final long expectedCards, final long idsPerMinute, final long expectedProfiles,
        final long expectedOpen, final long expectedSmalls)
    {
        v1 = new FraudVelocityPipeline(shard, expectedCards, idsPerMinute, report);
        KeyedTable table = null;
        IntervalJoin join = null;
        try
        {
            table = new KeyedTable("profiles-" + shard, expectedProfiles, 2);
            join = new IntervalJoin("captures-" + shard, CAPTURE_LOWER_MS, CAPTURE_UPPER_MS, FraudVelocityPipeline.ALLOWED_LATENESS_MS,
                expectedOpen, 1, CLOSE_SLICE, this::onUncaptured);
            testCharges = new SequencePattern("testcharge-" + shard, 2, PATTERN_WITHIN_MS, FraudVelocityPipeline.ALLOWED_LATENESS_MS,
                Math.max(1_024, expectedSmalls), expectedSmalls, CLOSE_SLICE, this::onTestCharge);
        }
        catch (final RuntimeException | Error ex)
        {
            // what was made before the failure is freed: off-heap memory is not the garbage collector's
            v1.close();
            if (table != null)
            {
                table.close();
            }
            if (join != null)
            {
                join.close();
            }
            throw ex;
        }
        profiles = table;
        captures = join;
    }

    /**
     * Sized as the demo sizes each shard's pipeline for a v2 workload of {@code events} events over {@code cards} cards.
     */
    public static FraudV2Pipeline forWorkload(final int shard, final int shards, final long events, final long cards)
    {
        final long perShard = 1_024;
        return new FraudV2Pipeline(shard,
            Math.min(1 << 30, cards / shards + perShard),
            Math.max(1_024, Math.min(events, 600_000) / shards + perShard),
            Math.min(Math.min(cards, events * 3 / 100 + 1), 1 << 29) / shards + perShard,
            Math.min(events, 1_300_000) / shards + perShard,
            Math.min(events, 3_100_000) / 20 / shards + perShard);
    }

    @Override
    public void onEvent(final Event event, final ShardContext context) throws Exception
    {
        this.context = context;
        final DirectBuffer buffer = event.buffer();
        final int offset = event.offset();
        final long eventId = FraudEvent.eventId(buffer, offset);
        final long time = FraudEvent.eventTimeMs(buffer, offset);
        v1.onEvent(event, context);   // dedup and lateness for every type; a TXN's windows, VELOCITY, AMOUNT, COUNTRY
        if (!v1.admitted())
        {
            return;
        }
        final long cardId = FraudEvent.cardId(buffer, offset);
        switch (FraudV2Event.type(buffer, offset))
        {
            case FraudV2Event.TXN -> onTxn(eventId, cardId, FraudEvent.amountCents(buffer, offset), time, FraudEvent.country(buffer, offset));
            case FraudV2Event.PROFILE -> onProfile(cardId, FraudV2Event.limitCents(buffer, offset), FraudV2Event.homeCountry(buffer, offset));
            case FraudV2Event.CAPTURE -> onCapture(eventId, cardId, FraudV2Event.txnEventId(buffer, offset), time);
            default -> throw new IllegalArgumentException("event " + eventId + " has type " + FraudV2Event.type(buffer, offset) +
                ", not 0 (TXN), 1 (PROFILE) or 2 (CAPTURE)");
        }
    }

    private void onTxn(final long eventId, final long cardId, final long amountCents, final long time, final int country)
    {
        if (profiles.get(cardId, profile))
        {
            if (amountCents > profile[LIMIT])
            {
                send(OutputKind.OVERLIMIT, overLimit.cardId(cardId).eventId(eventId).limitCents(profile[LIMIT]));
            }
            if (country != profile[HOME_COUNTRY])
            {
                send(OutputKind.ABROAD, abroad.cardId(cardId).eventId(eventId).homeCountry(profile[HOME_COUNTRY]));
            }
        }
        txnAmount[0] = amountCents;
        captures.openLeft(cardId, eventId, time, txnAmount);
        if (amountCents < PlainJavaFraudV2.SMALL_BELOW_CENTS)
        {
            testCharges.add(cardId, SMALL, eventId, time);
        }
        else if (amountCents >= PlainJavaFraudV2.LARGE_FROM_CENTS)
        {
            testCharges.add(cardId, LARGE, eventId, time);
        }
    }

    private void onProfile(final long cardId, final long limitCents, final long homeCountry)
    {
        if (limitCents == 0)
        {
            profiles.delete(cardId);
        }
        else
        {
            profile[LIMIT] = limitCents;
            profile[HOME_COUNTRY] = homeCountry;
            profiles.upsert(cardId, profile);
        }
    }

    private void onCapture(final long captureId, final long cardId, final long txnId, final long time)
    {
        if (captures.matchRight(cardId, txnId, time) == IntervalJoin.MATCHED)
        {
            send(OutputKind.CAPTURED, captured.cardId(cardId).txnEventId(txnId).captureEventId(captureId)
                .captureDelayMs(time - captures.matched().time()));
        }
        else
        {
            send(OutputKind.ORPHAN, orphan.cardId(cardId).captureEventId(captureId).txnEventId(txnId));
        }
    }

    private void onUncaptured(final IntervalJoin.Left txn)
    {
        send(OutputKind.UNCAPTURED, uncaptured.cardId(txn.key()).txnEventId(txn.id()).amountCents(txn.payload(0)));
    }

    private void onTestCharge(final long cardId, final long[] ids)
    {
        send(OutputKind.TESTCHARGE, testCharge.cardId(cardId).smallEventId(ids[SMALL]).largeEventId(ids[LARGE]));
    }

    @Override
    public void onWatermark(final long watermark, final ShardContext context) throws Exception
    {
        this.context = context;
        v1.onWatermark(watermark, context);
        captures.close(watermark);
        testCharges.close(watermark);
    }

    @Override
    public boolean hasDueWork()
    {
        return v1.hasDueWork() || captures.hasDue() || testCharges.hasDue();
    }

    @Override
    public long prefetchEarly(final Event event)
    {
        return v1.prefetchEarly(event);
    }

    @Override
    public long prefetch(final Event event)
    {
        final DirectBuffer buffer = event.buffer();
        final int offset = event.offset();
        final long sum = v1.prefetch(event);
        return FraudV2Event.type(buffer, offset) == FraudV2Event.CAPTURE ?
            sum + captures.prefetch(FraudV2Event.txnEventId(buffer, offset)) : sum + profiles.prefetch(FraudEvent.cardId(buffer, offset));
    }

    /**
     * Counts the output in the report and emits it: type = the kind's number, key = its first field.
     */
    private void send(final OutputKind kind, final FraudOutput<?> output)
    {
        report.onOutput(kind, output);
        output.emit(context, kind);
    }

    @Override
    public void writeSnapshot(final SnapshotWriter out) throws IOException
    {
        v1.writeSnapshot(out);   // dedup, windows and the report of all fourteen kinds
        profiles.writeSnapshot(out);
        captures.writeSnapshot(out);
        testCharges.writeSnapshot(out);
    }

    @Override
    public void readSnapshot(final SnapshotReader in)
    {
        v1.readSnapshot(in);
        profiles.readSnapshot(in);
        captures.readSnapshot(in);
        testCharges.readSnapshot(in);
    }

    /**
     * @return this shard's counts and checksums of the fourteen kinds; read it once the engine is closed.
     */
    public ChecksumReport report()
    {
        return report;
    }

    @Override
    public void close()
    {
        try
        {
            v1.close();
            profiles.close();
        }
        finally
        {
            try
            {
                captures.close();
            }
            finally
            {
                testCharges.close();
            }
        }
    }
}
