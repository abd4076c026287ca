package io.ringside.engine.rule;

import java.lang.management.ManagementFactory;

import com.sun.management.ThreadMXBean;

import io.ringside.engine.Event;
import io.ringside.engine.ShardContext;
import io.ringside.engine.SlotType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rule's per-event path allocates nothing in steady state: every window kind's {@code add}, lateness judged, closing
 * as the watermark moves, listeners emitting through the context; measured with the thread's allocation counter.
 */
class RuleAllocationTest
{
    private static final int EVENTS = 200_000;

    @ParameterizedTest
    @EnumSource(OperatorKindsTest.Kind.class)
    void shouldNotAllocatePerEvent(final OperatorKindsTest.Kind kind) throws Exception
    {
        final OperatorKindsTest.KindRule rule = new OperatorKindsTest.KindRule(0, kind);
        final TestEvent event = new TestEvent();
        final QuietContext context = new QuietContext();
        try
        {
            run(rule, event, context, 0);                    // warm-up: maps grown, code compiled
            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            run(rule, event, context, EVENTS);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64 * 1024, kind + ": " + allocated + " bytes allocated over " + EVENTS + " events");
            assertTrue(context.late > 0, "late events were reported");
            final boolean closes = kind != OperatorKindsTest.Kind.SESSIONS && kind != OperatorKindsTest.Kind.GLOBAL;
            assertTrue(!closes || context.emitted > 0, "windows closed (sessions and global windows stay open here)");
        }
        finally
        {
            rule.onClose();
        }
    }

    /** 16 keys, time moving on 10 ms an event, every 100th event 5 s late; the watermark follows the time. */
    private static void run(final OperatorKindsTest.KindRule rule, final TestEvent event, final QuietContext context, final long from)
        throws Exception
    {
        for (long i = from; i < from + EVENTS; i++)
        {
            final long time = i * 10;
            event.set(i % 16, i % 100 == 99 ? time - 5_000 : time, 7, time - 10);
            rule.onEvent(event, context);
            if (i % 100 == 0)
            {
                rule.onWatermark(time - 10, context);
                while (rule.hasDueWork())
                {
                    rule.onWatermark(time - 10, context);
                }
            }
        }
    }

    /** One 16-byte event (value, time), reused. */
    static final class TestEvent implements Event
    {
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        private long key;
        private long sourceWatermark;

        void set(final long key, final long time, final long value, final long sourceWatermark)
        {
            this.key = key;
            this.sourceWatermark = sourceWatermark;
            buffer.putLong(0, value);
            buffer.putLong(8, time);
        }

        public int type()
        {
            return SlotType.DATA;
        }

        public long key()
        {
            return key;
        }

        public int sourceId()
        {
            return 0;
        }

        public int partition()
        {
            return 0;
        }

        public long sourceOffset()
        {
            return 0;
        }

        public long timestamp()
        {
            return buffer.getLong(8);
        }

        public long journalPosition()
        {
            return 0;
        }

        public long eventTime()
        {
            return buffer.getLong(8);
        }

        public long sourceWatermark()
        {
            return sourceWatermark;
        }

        public long watermark()
        {
            return sourceWatermark;
        }

        public DirectBuffer buffer()
        {
            return buffer;
        }

        public int offset()
        {
            return 0;
        }

        public int length()
        {
            return 16;
        }
    }

    /** Counts what it is given. */
    static final class QuietContext implements ShardContext
    {
        long emitted;
        long late;

        public int shard()
        {
            return 0;
        }

        public long journalPosition()
        {
            return 0;
        }

        public void emit(final int type, final long key, final DirectBuffer buffer, final int offset, final int length)
        {
            emitted++;
        }

        public void late()
        {
            late++;
        }
    }
}
