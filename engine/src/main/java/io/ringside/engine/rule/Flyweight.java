package io.ringside.engine.rule;

import java.nio.ByteOrder;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The base of a typed event or output, in the Agrona/SBE flyweight style: a view over bytes that are not its own,
 * moved by {@link #wrap} (no copy, no allocation), read and written through the subclass's typed getters and setters,
 * whose field offsets are the one place the layout is written down. Fields are little-endian. One instance per use
 * (per rule, per shard), made once; an output flyweight may hold bytes of its own ({@link #wrapNew()}) and
 * {@link #emit} them.
 * <pre>
 *   public final class LoginEvent extends Flyweight&lt;LoginEvent&gt;
 *   {
 *       public static final int USER_ID = 8, TIME_MS = 16, LENGTH = 24;
 *       public long userId()            { return getLong(USER_ID); }
 *       public LoginEvent userId(long v) { return putLong(USER_ID, v); }
 *       ...
 *       public int length()             { return LENGTH; }
 *   }
 *   login.wrap(event).userId();
 * </pre>
 *
 * @param <F> the flyweight's own type, which {@link #wrap} and the setters return.
 */
public abstract class Flyweight<F extends Flyweight<F>>
{
    /** The byte order of every field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;

    /**
     * @return the bytes a whole record takes.
     */
    public abstract int length();

    /**
     * Views the record at {@code offset} of {@code buffer} (a {@link MutableDirectBuffer} to use the setters).
     */
    @SuppressWarnings("unchecked")
    public final F wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return (F)this;
    }

    /**
     * Views an event's bytes (valid during its callback).
     */
    public final F wrap(final Event event)
    {
        return wrap(event.buffer(), event.offset());
    }

    /**
     * Views bytes of its own, zeroed, made now: for an output the rule fills and {@link #emit}s (call it once).
     */
    public final F wrapNew()
    {
        return wrap(new UnsafeBuffer(new byte[length()]), 0);
    }

    /**
     * Emits the record viewed as an output of {@code type} and {@code key} (the bytes are copied).
     */
    public final void emit(final ShardContext context, final int type, final long key)
    {
        context.emit(type, key, buffer, offset, length());
    }

    public final DirectBuffer buffer()
    {
        return buffer;
    }

    public final int offset()
    {
        return offset;
    }

    protected final long getLong(final int field)
    {
        return buffer.getLong(offset + field, BYTE_ORDER);
    }

    protected final int getInt(final int field)
    {
        return buffer.getInt(offset + field, BYTE_ORDER);
    }

    @SuppressWarnings("unchecked")
    protected final F putLong(final int field, final long value)
    {
        ((MutableDirectBuffer)buffer).putLong(offset + field, value, BYTE_ORDER);
        return (F)this;
    }

    @SuppressWarnings("unchecked")
    protected final F putInt(final int field, final int value)
    {
        ((MutableDirectBuffer)buffer).putInt(offset + field, value, BYTE_ORDER);
        return (F)this;
    }
}
