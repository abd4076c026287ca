package io.ringside.perf.fraud;

import io.ringside.engine.ShardContext;
import io.ringside.engine.rule.Flyweight;
import io.ringside.engine.state.Window;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The fraud workloads' outputs (workload v1's eight kinds, v2's six more): the byte layout of every {@link OutputKind}, in
 * one place. An output goes out of the engine with type = the kind's number, key = its first field (the card, or the
 * event id), and a payload of the kind's fields in order, each a little-endian int64, {@code 8 * fieldCount} bytes:
 * <pre>
 *   kind          0          8              16             24           32           40
 *   TUMBLING,     cardId     windowStart    windowEnd      count        sumCents                      {@link WindowTotals}
 *   HOPPING
 *   SESSION       cardId     firstMs        lastMs         count        sumCents     countries        {@link SessionTotals}
 *   VELOCITY,     cardId     eventId        windowStart                                               {@link WindowAlert}
 *   AMOUNT
 *   COUNTRY       cardId     eventId                                                                  {@link CountryChange}
 *   LATE,         eventId                                                                             {@link EventRef}
 *   DUPLICATE
 *   OVERLIMIT     cardId     eventId        limitCents                                                {@link OverLimit}
 *   ABROAD        cardId     eventId        homeCountry                                               {@link Abroad}
 *   TESTCHARGE    cardId     smallEventId   largeEventId                                              {@link TestCharge}
 *   CAPTURED      cardId     txnEventId     captureEventId captureDelayMs                             {@link Captured}
 *   UNCAPTURED    cardId     txnEventId     amountCents                                               {@link Uncaptured}
 *   ORPHAN        cardId     captureEventId txnEventId                                                {@link Orphan}
 * </pre>
 * Writers fill a flyweight over bytes of its own ({@link #wrapNew()}) and {@link #emit} it; readers wrap an output's
 * bytes, or read any kind's fields by index ({@link #field}, {@link #read}) as the checksum report and the sinks do.
 * One flyweight per user, no allocation. The static accessors are stateless: any thread.
 *
 * @param <F> the flyweight's own type.
 */
public abstract class FraudOutput<F extends FraudOutput<F>> extends Flyweight<F>
{
    /** Bytes per field. */
    public static final int FIELD_LENGTH = 8;
    /** The bytes of the longest output (SESSION's six fields). */
    public static final int MAX_LENGTH = FIELD_LENGTH * OutputKind.MAX_FIELDS;
    /** Every kind's first field, its key: the card id, or LATE's and DUPLICATE's event id. */
    public static final int KEY_OFFSET = 0;

    /**
     * @return the output's key: its first field.
     */
    public final long key()
    {
        return getLong(KEY_OFFSET);
    }

    /**
     * Emits the output viewed as {@code kind} (type the kind's number, key its first field); the bytes are copied.
     */
    public final void emit(final ShardContext context, final OutputKind kind)
    {
        emit(context, kind.number(), key());
    }

    /**
     * @return the payload length of {@code kind}'s outputs.
     */
    public static int length(final OutputKind kind)
    {
        return FIELD_LENGTH * kind.fieldCount();
    }

    /**
     * @return field {@code index} (0-based, in the order above) of the output at {@code offset}.
     */
    public static long field(final DirectBuffer buffer, final int offset, final int index)
    {
        return buffer.getLong(offset + index * FIELD_LENGTH, BYTE_ORDER);
    }

    /**
     * Reads the fields of a {@code kind} output into {@code fieldsOut[0 .. kind.fieldCount())}.
     */
    public static void read(final OutputKind kind, final DirectBuffer buffer, final int offset, final long[] fieldsOut)
    {
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            fieldsOut[i] = field(buffer, offset, i);
        }
    }

    /**
     * Writes {@code fields[0 .. kind.fieldCount())} as a {@code kind} output at {@code offset}.
     *
     * @return the bytes written: {@link #length(OutputKind)}.
     */
    public static int write(final OutputKind kind, final long[] fields, final MutableDirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < kind.fieldCount(); i++)
        {
            buffer.putLong(offset + i * FIELD_LENGTH, fields[i], BYTE_ORDER);
        }
        return length(kind);
    }

    /**
     * TUMBLING and HOPPING: a card's window as it closed.
     */
    public static final class WindowTotals extends FraudOutput<WindowTotals>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int WINDOW_START_OFFSET = 8;
        public static final int WINDOW_END_OFFSET = 16;
        public static final int COUNT_OFFSET = 24;
        public static final int SUM_CENTS_OFFSET = 32;
        public static final int LENGTH = 40;

        @Override
        public int length()
        {
            return LENGTH;
        }

        /**
         * Fills it from a closing window of count and sum.
         */
        public WindowTotals of(final long cardId, final Window window)
        {
            return cardId(cardId).windowStart(window.start()).windowEnd(window.end()).count(window.result(0)).sumCents(window.result(1));
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long windowStart()
        {
            return getLong(WINDOW_START_OFFSET);
        }

        public long windowEnd()
        {
            return getLong(WINDOW_END_OFFSET);
        }

        public long count()
        {
            return getLong(COUNT_OFFSET);
        }

        public long sumCents()
        {
            return getLong(SUM_CENTS_OFFSET);
        }

        public WindowTotals cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public WindowTotals windowStart(final long value)
        {
            return putLong(WINDOW_START_OFFSET, value);
        }

        public WindowTotals windowEnd(final long value)
        {
            return putLong(WINDOW_END_OFFSET, value);
        }

        public WindowTotals count(final long value)
        {
            return putLong(COUNT_OFFSET, value);
        }

        public WindowTotals sumCents(final long value)
        {
            return putLong(SUM_CENTS_OFFSET, value);
        }
    }

    /**
     * SESSION: a card's session as it closed (first and last event times, count, sum, distinct countries).
     */
    public static final class SessionTotals extends FraudOutput<SessionTotals>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int FIRST_MS_OFFSET = 8;
        public static final int LAST_MS_OFFSET = 16;
        public static final int COUNT_OFFSET = 24;
        public static final int SUM_CENTS_OFFSET = 32;
        public static final int COUNTRIES_OFFSET = 40;
        public static final int LENGTH = 48;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long firstMs()
        {
            return getLong(FIRST_MS_OFFSET);
        }

        public long lastMs()
        {
            return getLong(LAST_MS_OFFSET);
        }

        public long count()
        {
            return getLong(COUNT_OFFSET);
        }

        public long sumCents()
        {
            return getLong(SUM_CENTS_OFFSET);
        }

        public long countries()
        {
            return getLong(COUNTRIES_OFFSET);
        }

        public SessionTotals cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public SessionTotals firstMs(final long value)
        {
            return putLong(FIRST_MS_OFFSET, value);
        }

        public SessionTotals lastMs(final long value)
        {
            return putLong(LAST_MS_OFFSET, value);
        }

        public SessionTotals count(final long value)
        {
            return putLong(COUNT_OFFSET, value);
        }

        public SessionTotals sumCents(final long value)
        {
            return putLong(SUM_CENTS_OFFSET, value);
        }

        public SessionTotals countries(final long value)
        {
            return putLong(COUNTRIES_OFFSET, value);
        }
    }

    /**
     * VELOCITY and AMOUNT: the event that crossed a threshold in a card's tumbling window, and the window's start.
     */
    public static final class WindowAlert extends FraudOutput<WindowAlert>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int EVENT_ID_OFFSET = 8;
        public static final int WINDOW_START_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long eventId()
        {
            return getLong(EVENT_ID_OFFSET);
        }

        public long windowStart()
        {
            return getLong(WINDOW_START_OFFSET);
        }

        public WindowAlert cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public WindowAlert eventId(final long value)
        {
            return putLong(EVENT_ID_OFFSET, value);
        }

        public WindowAlert windowStart(final long value)
        {
            return putLong(WINDOW_START_OFFSET, value);
        }
    }

    /**
     * COUNTRY: the event that came from another country than the card's previous one, within a session gap.
     */
    public static final class CountryChange extends FraudOutput<CountryChange>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int EVENT_ID_OFFSET = 8;
        public static final int LENGTH = 16;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long eventId()
        {
            return getLong(EVENT_ID_OFFSET);
        }

        public CountryChange cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public CountryChange eventId(final long value)
        {
            return putLong(EVENT_ID_OFFSET, value);
        }
    }

    /**
     * LATE and DUPLICATE: the event's id.
     */
    public static final class EventRef extends FraudOutput<EventRef>
    {
        public static final int EVENT_ID_OFFSET = 0;
        public static final int LENGTH = 8;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long eventId()
        {
            return getLong(EVENT_ID_OFFSET);
        }

        public EventRef eventId(final long value)
        {
            return putLong(EVENT_ID_OFFSET, value);
        }
    }

    /**
     * OVERLIMIT (v2): a transaction above its card's limit, and the limit.
     */
    public static final class OverLimit extends FraudOutput<OverLimit>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int EVENT_ID_OFFSET = 8;
        public static final int LIMIT_CENTS_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long eventId()
        {
            return getLong(EVENT_ID_OFFSET);
        }

        public long limitCents()
        {
            return getLong(LIMIT_CENTS_OFFSET);
        }

        public OverLimit cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public OverLimit eventId(final long value)
        {
            return putLong(EVENT_ID_OFFSET, value);
        }

        public OverLimit limitCents(final long value)
        {
            return putLong(LIMIT_CENTS_OFFSET, value);
        }
    }

    /**
     * ABROAD (v2): a transaction from another country than its card's home, and the home country.
     */
    public static final class Abroad extends FraudOutput<Abroad>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int EVENT_ID_OFFSET = 8;
        public static final int HOME_COUNTRY_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long eventId()
        {
            return getLong(EVENT_ID_OFFSET);
        }

        public long homeCountry()
        {
            return getLong(HOME_COUNTRY_OFFSET);
        }

        public Abroad cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public Abroad eventId(final long value)
        {
            return putLong(EVENT_ID_OFFSET, value);
        }

        public Abroad homeCountry(final long value)
        {
            return putLong(HOME_COUNTRY_OFFSET, value);
        }
    }

    /**
     * TESTCHARGE (v2): a small transaction followed by a large one on the card within 300 s.
     */
    public static final class TestCharge extends FraudOutput<TestCharge>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int SMALL_EVENT_ID_OFFSET = 8;
        public static final int LARGE_EVENT_ID_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long smallEventId()
        {
            return getLong(SMALL_EVENT_ID_OFFSET);
        }

        public long largeEventId()
        {
            return getLong(LARGE_EVENT_ID_OFFSET);
        }

        public TestCharge cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public TestCharge smallEventId(final long value)
        {
            return putLong(SMALL_EVENT_ID_OFFSET, value);
        }

        public TestCharge largeEventId(final long value)
        {
            return putLong(LARGE_EVENT_ID_OFFSET, value);
        }
    }

    /**
     * CAPTURED (v2): a transaction and its capture, and the time between them.
     */
    public static final class Captured extends FraudOutput<Captured>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int TXN_EVENT_ID_OFFSET = 8;
        public static final int CAPTURE_EVENT_ID_OFFSET = 16;
        public static final int CAPTURE_DELAY_MS_OFFSET = 24;
        public static final int LENGTH = 32;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long txnEventId()
        {
            return getLong(TXN_EVENT_ID_OFFSET);
        }

        public long captureEventId()
        {
            return getLong(CAPTURE_EVENT_ID_OFFSET);
        }

        public long captureDelayMs()
        {
            return getLong(CAPTURE_DELAY_MS_OFFSET);
        }

        public Captured cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public Captured txnEventId(final long value)
        {
            return putLong(TXN_EVENT_ID_OFFSET, value);
        }

        public Captured captureEventId(final long value)
        {
            return putLong(CAPTURE_EVENT_ID_OFFSET, value);
        }

        public Captured captureDelayMs(final long value)
        {
            return putLong(CAPTURE_DELAY_MS_OFFSET, value);
        }
    }

    /**
     * UNCAPTURED (v2): a transaction no capture matched in time, and its amount.
     */
    public static final class Uncaptured extends FraudOutput<Uncaptured>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int TXN_EVENT_ID_OFFSET = 8;
        public static final int AMOUNT_CENTS_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long txnEventId()
        {
            return getLong(TXN_EVENT_ID_OFFSET);
        }

        public long amountCents()
        {
            return getLong(AMOUNT_CENTS_OFFSET);
        }

        public Uncaptured cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public Uncaptured txnEventId(final long value)
        {
            return putLong(TXN_EVENT_ID_OFFSET, value);
        }

        public Uncaptured amountCents(final long value)
        {
            return putLong(AMOUNT_CENTS_OFFSET, value);
        }
    }

    /**
     * ORPHAN (v2): a capture that matched no open transaction of its card.
     */
    public static final class Orphan extends FraudOutput<Orphan>
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int CAPTURE_EVENT_ID_OFFSET = 8;
        public static final int TXN_EVENT_ID_OFFSET = 16;
        public static final int LENGTH = 24;

        @Override
        public int length()
        {
            return LENGTH;
        }

        public long cardId()
        {
            return getLong(CARD_ID_OFFSET);
        }

        public long captureEventId()
        {
            return getLong(CAPTURE_EVENT_ID_OFFSET);
        }

        public long txnEventId()
        {
            return getLong(TXN_EVENT_ID_OFFSET);
        }

        public Orphan cardId(final long value)
        {
            return putLong(CARD_ID_OFFSET, value);
        }

        public Orphan captureEventId(final long value)
        {
            return putLong(CAPTURE_EVENT_ID_OFFSET, value);
        }

        public Orphan txnEventId(final long value)
        {
            return putLong(TXN_EVENT_ID_OFFSET, value);
        }
    }
}
