package io.ringside.perf.fraud;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.ringside.engine.Output;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.ingest.aeron.AeronOutputSubscriber;
import io.ringside.ingest.aeron.AeronSender;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The gateway side of the fraud-velocity workload over Aeron: an {@link AeronSender} (sender 0) sends the workload's
 * events from where the engine says it stands, then the end of input, and (unless told not to) an
 * {@link AeronOutputSubscriber} reads the decisions back and sums them into a {@link ChecksumReport}. Its main is the
 * demo's sender process and the one the crash test kills:
 * <pre>
 * AeronFraudSender AERON_DIR ipc|udp EVENTS CARDS SEED RATE (0: as fast as it can) DECISIONS_FILE|- [LINES_FILE]
 * </pre>
 * With {@code -} it reads no decisions; otherwise it writes the report's lines to DECISIONS_FILE once every decision
 * has come (the engine closed its publication), and each decision's line to LINES_FILE if given.
 * One thread.
 */
public final class AeronFraudSender
{
    /** Unacknowledged events kept: 64 Ki, 4 MiB of slots. */
    public static final int CAPACITY = 1 << 16;

    private final AeronSender sender;
    private final AeronOutputSubscriber decisions;
    private final ChecksumReport report = new ChecksumReport();
    private final long[] fields = new long[OutputKind.MAX_FIELDS];
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    private final StringBuilder line = new StringBuilder(128);
    private PrintWriter lines;
    private long deadLetters;

    public AeronFraudSender(final Aeron aeron, final AeronChannels channels, final boolean readDecisions)
    {
        this(aeron, channels, true, readDecisions);
    }

    private AeronFraudSender(final Aeron aeron, final AeronChannels channels, final boolean send, final boolean readDecisions)
    {
        sender = send ? new AeronSender(aeron, channels.events(), AeronIngressContext.DEFAULT_STREAM_ID, channels.acks(),
            AeronIngressContext.DEFAULT_ACK_STREAM_ID, 0, CAPACITY, FraudEvent.LENGTH) : null;
        decisions = readDecisions ? new AeronOutputSubscriber(aeron, channels.decisions(), AeronChannels.DECISION_STREAM_ID, this::onDecision) : null;
    }

    /**
     * @return one that only reads the decisions (beside a sender in another process).
     */
    public static AeronFraudSender decisionsOnly(final Aeron aeron, final AeronChannels channels)
    {
        return new AeronFraudSender(aeron, channels, false, true);
    }

    /**
     * @param lines where each decision's line goes, or null.
     */
    public AeronFraudSender lines(final PrintWriter lines)
    {
        this.lines = lines;
        return this;
    }

    private void onDecision(final long position, final int shard, final int ordinal, final int type, final long key, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (type == Output.DEAD_LETTER)
        {
            deadLetters++;
            return;
        }
        final OutputKind kind = OutputKind.fromNumber(type);
        report.onOutput(kind, buffer, offset);
        if (lines != null)
        {
            FraudOutput.read(kind, buffer, offset, fields);
            line.setLength(0);
            lines.println(OutputLine.append(line, kind, fields));
        }
    }

    /**
     * Sends the workload from where the engine stands, then the end of input (its sequence is {@code events}), and waits
     * until it is acknowledged.
     *
     * @param ratePerS events per second, 0 for as fast as the engine takes them.
     * @param progress prints a line a second when true.
     * @return the first sequence sent (where the engine stood).
     */
    public long send(final long seed, final long events, final long cards, final long ratePerS, final boolean progress)
    {
        final long resume = sender.awaitResume(120_000, idle);
        if (progress)
        {
            System.out.printf(Locale.ROOT, "  sender: resuming at sequence %d%n", resume);
        }
        final WorkloadGenerator generator = new WorkloadGenerator(seed, events, cards);
        generator.skipTo(Math.min(resume, events));
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        final long startNs = System.nanoTime();
        final double periodNs = ratePerS > 0 ? 1e9 / ratePerS : 0;
        long sent = 0;
        long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long lastSent = 0;
        long lastNs = startNs;
        while (generator.next(event, 0))
        {
            if (periodNs > 0)
            {
                final long dueNs = startNs + (long)(sent * periodNs);
                long now;
                while ((now = System.nanoTime()) < dueNs)
                {
                    LockSupport.parkNanos(Math.min(dueNs - now, 1_000_000));
                }
            }
            while (sender.offer(event, 0, FraudEvent.LENGTH) < 0)
            {
                idle.idle(work());
            }
            idle.reset();
            sent++;
            if ((sent & 255) == 0)
            {
                work();
                if (progress && System.nanoTime() >= nextProgressNs)
                {
                    final long now = System.nanoTime();
                    System.out.printf(Locale.ROOT, "  sender: %,12d events sent  %,10.0f events/s  acknowledged %,d  back-pressured %,d%n",
                        resume + sent, (sent - lastSent) / ((now - lastNs) / 1e9), sender.acked() + 1, sender.backPressured());
                    lastSent = sent;
                    lastNs = now;
                    nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
        }
        if (resume > events)
        {
            return resume;   // the end of input (sequence = events) is acknowledged already: a sender restarted after it
        }
        long end;
        while ((end = sender.endOfInput()) < 0)
        {
            idle.idle(work());
        }
        long reportNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sender.acked() < end)
        {
            idle.idle(work());
            if (progress && System.nanoTime() >= reportNs)
            {
                System.out.printf(Locale.ROOT, "  sender: waiting for the end of input (%,d) to be acknowledged: acknowledged %,d, connected %b, " +
                    "rewinds %d, not connected %,d%n", end, sender.acked(), sender.isConnected(), sender.rewinds(), sender.notConnected());
                reportNs += TimeUnit.SECONDS.toNanos(5);
            }
        }
        return resume;
    }

    /**
     * Reads decisions until the engine has closed its publication (every decision out), for up to {@code timeoutMs}.
     *
     * @return true if it did.
     */
    public boolean awaitDecisions(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            final int read = work();
            // the last engine's image gone (read to its end), even if this was called after it went; an older engine's image
            // may still be connected then (a killed engine's, until the driver times its client out and drains it)
            if (read == 0 && (decisions.newestGone() || (decisions.imagesSeen() > 0 && !decisions.isConnected())))
            {
                return true;
            }
            idle.idle(read);
        }
        return false;
    }

    /**
     * @return work done: acknowledgements, sends and decisions read.
     */
    public int work()
    {
        return (sender != null ? sender.doWork() : 0) + (decisions != null ? decisions.poll(256) : 0);
    }

    public AeronSender sender()
    {
        return sender;
    }

    public AeronOutputSubscriber decisions()
    {
        return decisions;
    }

    public ChecksumReport report()
    {
        return report;
    }

    public long deadLetters()
    {
        return deadLetters;
    }

    public void close()
    {
        if (sender != null)
        {
            sender.close();
        }
        if (decisions != null)
        {
            decisions.close();
        }
        if (lines != null)
        {
            lines.close();
        }
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 7)
        {
            System.err.println("usage: AeronFraudSender AERON_DIR ipc|udp EVENTS CARDS SEED RATE DECISIONS_FILE|- [LINES_FILE]");
            System.exit(2);
        }
        final boolean readDecisions = !args[6].equals("-");
        try (Aeron aeron = EmbeddedMediaDriver.connect(Path.of(args[0])))
        {
            final AeronFraudSender client = new AeronFraudSender(aeron, AeronChannels.of(args[1]), readDecisions);
            try
            {
                if (args.length > 7)
                {
                    client.lines(new PrintWriter(Files.newBufferedWriter(Path.of(args[7]), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)));
                }
                final long startNs = System.nanoTime();
                final long events = Long.parseLong(args[2]);
                final long resume = client.send(Long.parseLong(args[4]), events, Long.parseLong(args[3]), Long.parseLong(args[5]), true);
                final long sentNs = System.nanoTime() - startNs;
                System.out.printf(Locale.ROOT, "  sender: %,d events sent from %,d and acknowledged in %.2f s = %,.0f events/s; back-pressured %,d " +
                    "times, %,d resent after %d rewinds%n", events - resume, resume, sentNs / 1e9, (events - resume) / (sentNs / 1e9),
                    client.sender().backPressured(), client.sender().resent(), client.sender().rewinds());
                if (readDecisions)
                {
                    if (!client.awaitDecisions(600_000))
                    {
                        System.err.println("sender: the decisions did not end within 600 s");
                        System.exit(1);
                    }
                    Files.write(Path.of(args[6]), client.report().lines());
                    System.out.printf(Locale.ROOT, "  sender: %,d decisions received over aeron (%,d replayed ones dropped), %,d dead letters%n",
                        client.decisions().delivered(), client.decisions().duplicates(), client.deadLetters());
                }
            }
            finally
            {
                client.close();
            }
        }
    }
}
