package io.ringside.perf;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.ringside.engine.EventRecordDescriptor;
import io.ringside.engine.SlotType;
import io.ringside.engine.WaitStrategy;
import io.ringside.journal.DurabilityPolicy;
import io.ringside.journal.JournalAppender;
import io.ringside.journal.JournalContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The floor the engine is compared with, as a {@link LatencyTarget}: "a bare Disruptor plus one journal
 * append". A single-producer {@link RingBuffer} of 48-byte events and one {@link BatchEventProcessor} on its
 * own thread, waiting with the Disruptor strategy that matches the engine's, whose handler appends each
 * event to a {@link JournalAppender} ({@link DurabilityPolicy#PAGE_CACHE}, a record of the same size as the
 * engine's: the key, then the event), records its latency, and calls
 * {@link JournalAppender#endOfBatch()} at the Disruptor's end of batch (a no-op under page-cache, as in the
 * engine).
 */
final class BareDisruptorLatencyTarget implements LatencyTarget
{
    private static final int SOURCE_ID = 1;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Path directory;
    private final JournalAppender appender;
    private final RingBuffer<BareEvent> ring;
    private final BatchEventProcessor<BareEvent> processor;
    private final Thread thread;
    private final JournalingHandler handler;
    private final RingFullWaiter fullRing = new RingFullWaiter("bare");
    private volatile Throwable failure;

    BareDisruptorLatencyTarget(final WaitStrategy wait, final int ringSize)
    {
        directory = BenchmarkFiles.createScratchDirectory("ringside-latency-bare-");
        try
        {
            appender = JournalAppender.open(new JournalContext().directory(directory.resolve("journal"))
                .durability(DurabilityPolicy.PAGE_CACHE));
        }
        catch (final RuntimeException ex)
        {
            BenchmarkFiles.deleteRecursively(directory);
            throw ex;
        }
        handler = new JournalingHandler(appender);
        ring = RingBuffer.createSingleProducer(BareEvent::new, ringSize, disruptorWait(wait));
        processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        processor.setExceptionHandler(new FailureRecorder());
        ring.addGatingSequences(processor.getSequence());
        thread = new Thread(processor, "ringside-bare-disruptor");
        thread.start();
    }

    /**
     * @return the Disruptor wait strategy matching the engine's.
     * @throws IllegalArgumentException for {@link WaitStrategy#BACKOFF}, which has no counterpart.
     */
    @SuppressWarnings("checkstyle:InlineFullyQualifiedName")   // the engine's WaitStrategy is imported
    static com.lmax.disruptor.WaitStrategy disruptorWait(final WaitStrategy wait)
    {
        switch (wait)
        {
            case BUSY_SPIN:
                return new BusySpinWaitStrategy();
            case YIELDING:
                return new YieldingWaitStrategy();
            case SLEEPING:
                return new SleepingWaitStrategy();
            case BLOCKING:
                return new BlockingWaitStrategy();
            default:
                throw new IllegalArgumentException("the bare Disruptor has no counterpart of the '" +
                    wait.name().toLowerCase(Locale.ROOT).replace('_', '-') +
                    "' wait strategy: use busy-spin, yielding, sleeping or blocking, or --target engine");
        }
    }

    @Override
    public String name()
    {
        return "bare";
    }

    @Override
    public void publish(final long intendedNs, final long phase)
    {
        long sequence;
        while (true)
        {
            try
            {
                sequence = ring.tryNext();
                break;
            }
            catch (final InsufficientCapacityException ex)
            {
                checkFailure();
                fullRing.idle();
            }
        }
        fullRing.reset();
        final BareEvent event = ring.get(sequence);
        event.key = LatencyEventDescriptor.KEY;
        event.buffer.putLong(LatencyEventDescriptor.INTENDED_NS_OFFSET, intendedNs);
        event.buffer.putLong(LatencyEventDescriptor.PHASE_OFFSET, phase);
        ring.publish(sequence);
    }

    @Override
    public void close()
    {
        try
        {
            final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
            while (processor.getSequence().get() < ring.getCursor() && failure == null && System.nanoTime() - deadlineNs < 0)
            {
                Thread.yield();
            }
            processor.halt();
            thread.join(TimeUnit.NANOSECONDS.toMillis(DRAIN_TIMEOUT_NS));
            checkFailure();
            if (thread.isAlive())
            {
                throw new IllegalStateException("bare: the Disruptor's thread did not stop within 30 s");
            }
            if (processor.getSequence().get() < ring.getCursor())
            {
                throw new IllegalStateException("bare: the Disruptor did not drain within 30 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bare: interrupted while stopping", ex);
        }
        finally
        {
            appender.close();
            BenchmarkFiles.deleteRecursively(directory);
        }
    }

    @Override
    public IntendedLatencyRecorder recorder()
    {
        return handler.recorder;
    }

    private void checkFailure()
    {
        final Throwable error = failure;
        if (error != null)
        {
            throw new IllegalStateException("bare: the handler failed: " + error, error);
        }
    }

    /**
     * One ring entry: the key and a 48-byte buffer. Preallocated by the ring.
     */
    static final class BareEvent
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LatencyEventDescriptor.LENGTH]);
        long key;
    }

    /**
     * Journals each event (the key, then its bytes, as the engine's journaler does), records its latency,
     * and ends the journal batch at the ring's end of batch. The processor's thread only.
     */
    static final class JournalingHandler implements EventHandler<BareEvent>
    {
        private final JournalAppender appender;
        final IntendedLatencyRecorder recorder = new IntendedLatencyRecorder();

        JournalingHandler(final JournalAppender appender)
        {
            this.appender = appender;
        }

        @Override
        public void onEvent(final BareEvent event, final long sequence, final boolean endOfBatch)
        {
            appender.claim(SlotType.DATA, 0, SOURCE_ID, 0, sequence, 0, EventRecordDescriptor.EVENT_OFFSET + LatencyEventDescriptor.LENGTH);
            final int offset = appender.payloadOffset();
            appender.buffer().putLong(offset + EventRecordDescriptor.KEY_OFFSET, event.key);
            appender.buffer().putBytes(offset + EventRecordDescriptor.EVENT_OFFSET, event.buffer, 0, LatencyEventDescriptor.LENGTH);
            appender.commit();
            recorder.onEvent(event.buffer, 0);
            if (endOfBatch)
            {
                appender.endOfBatch();
            }
        }
    }

    /**
     * Keeps the first handler failure for the publisher to report, and stops the processor.
     */
    final class FailureRecorder implements ExceptionHandler<BareEvent>
    {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final BareEvent event)
        {
            if (failure == null)
            {
                failure = ex;
            }
            processor.halt();
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            failure = ex;
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            failure = ex;
        }
    }
}
