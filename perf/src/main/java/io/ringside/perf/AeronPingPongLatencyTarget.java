package io.ringside.perf;

import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bare Aeron as a {@link LatencyTarget}, the floor of {@link AeronEngineLatencyTarget}: the publisher offers each event on
 * a publication, an echo thread polls it and offers it back on a second one, the receiver thread records it. The same
 * driver set-up, channels (IPC, or UDP on 127.0.0.1) and idle strategies (backing off to 100 us parks) as the engine's
 * path, without the ring, the journal, the shard and the egress.
 */
final class AeronPingPongLatencyTarget implements LatencyTarget
{
    private static final int PING_STREAM_ID = 2001;
    private static final int PONG_STREAM_ID = 2002;

    private final String name;
    private final EmbeddedMediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication ping;
    private final AgentRunner echo;
    private final AeronLatencyReceiver receiver;
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[LatencyEventDescriptor.LENGTH]);
    private final RingFullWaiter backPressure = new RingFullWaiter("aeron ping");
    private long published;

    /**
     * @param mode ipc or udp.
     */
    AeronPingPongLatencyTarget(final String mode)
    {
        this.name = "aeron-" + mode + "-bare";
        final boolean udp = mode.equals("udp");
        final String pingChannel = udp ? "aeron:udp?endpoint=127.0.0.1:40601" : "aeron:ipc";
        final String pongChannel = udp ? "aeron:udp?endpoint=127.0.0.1:40602" : "aeron:ipc";
        driver = EmbeddedMediaDriver.launch();
        aeron = driver.connect();
        final Subscription pings = aeron.addSubscription(pingChannel, PING_STREAM_ID);
        final ExclusivePublication pong = aeron.addExclusivePublication(pongChannel, PONG_STREAM_ID);
        final Subscription pongs = aeron.addSubscription(pongChannel, PONG_STREAM_ID);
        ping = aeron.addExclusivePublication(pingChannel, PING_STREAM_ID);
        echo = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 100_000), Throwable::printStackTrace, null, new Echo(pings, pong));
        AgentRunner.startOnThread(echo);
        final PongHandler pongHandler = new PongHandler();
        receiver = new AeronLatencyReceiver(name, r -> pongs.poll(pongHandler.assembler, 64));
        pongHandler.receiver = receiver;
        receiver.start();
        while (!ping.isConnected() || !pong.isConnected())
        {
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void publish(final long intendedNs, final long phase)
    {
        event.putLong(LatencyEventDescriptor.INTENDED_NS_OFFSET, intendedNs);
        event.putLong(LatencyEventDescriptor.PHASE_OFFSET, phase);
        long result;
        while ((result = ping.offer(event, 0, LatencyEventDescriptor.LENGTH)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("the ping publication: " + Publication.errorString(result));
            }
            backPressure.idle();
        }
        backPressure.reset();
        published++;
    }

    @Override
    public void close()
    {
        try
        {
            receiver.await(published, 60_000);
        }
        finally
        {
            CloseHelper.closeAll(receiver, echo, aeron, driver);
        }
    }

    @Override
    public IntendedLatencyRecorder recorder()
    {
        return receiver.recorder();
    }

    /**
     * Hands each pong to the receiver. Receiver thread (wired before it starts).
     */
    private static final class PongHandler
    {
        final FragmentHandler assembler = new FragmentAssembler(this::onPong);
        AeronLatencyReceiver receiver;

        private void onPong(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            receiver.onDecision(buffer, offset);
        }
    }

    /**
     * Offers back each message it polls. Echo thread.
     */
    private static final class Echo implements Agent
    {
        private final Subscription pings;
        private final ExclusivePublication pong;
        private final FragmentHandler handler;

        Echo(final Subscription pings, final ExclusivePublication pong)
        {
            this.pings = pings;
            this.pong = pong;
            this.handler = new FragmentAssembler(this::onPing);
        }

        private void onPing(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            while (pong.offer(buffer, offset, length) < 0)
            {
                Thread.onSpinWait();
            }
        }

        @Override
        public int doWork()
        {
            return pings.poll(handler, 64);
        }

        @Override
        public String roleName()
        {
            return "ringside-latency-aeron-echo";
        }
    }
}
