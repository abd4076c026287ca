package io.ringside.perf.fraud;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.logbuffer.BufferClaim;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sender's wait for the end of the decisions: an engine whose publication came and went before the wait began (it
 * closed while the sender still waited for its last acknowledgement) has ended, and the wait returns at once instead of
 * timing out (what {@code AeronCrashRecoveryTest} hit now and then as a 120 s wait after an engine that exited 0).
 */
class AeronFraudSenderTest
{
    @Test
    void theDecisionsHaveEndedWhenThePublicationCameAndWentBeforeTheWait()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(EmbeddedMediaDriver.uniqueDirectory(), 2_000);
        final Aeron aeron = driver.connect();
        final AeronChannels ipc = AeronChannels.of("ipc");
        final AeronFraudSender decisions = AeronFraudSender.decisionsOnly(aeron, ipc);
        ExclusivePublication publication = null;
        try
        {
            publication = aeron.addExclusivePublication(ipc.decisions(), AeronChannels.DECISION_STREAM_ID);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!decisions.decisions().isConnected())
            {
                awaitStep(deadline, "the decisions' image");
            }
            publication.close();
            while (decisions.decisions().isConnected())
            {
                awaitStep(deadline, "the image to go");
            }
            final long startNs = System.nanoTime();
            assertTrue(decisions.awaitDecisions(20_000), "the decisions ended");
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "at once, not at the timeout");
        }
        finally
        {
            CloseHelper.quietCloseAll(publication, decisions::close, aeron, driver);
        }
    }

    @Test
    void theDecisionsHaveEndedWhenTheLastPublicationClosedThoughAnOlderOneStopsInTheMiddleOfAClaim()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(EmbeddedMediaDriver.uniqueDirectory(), 2_000);
        final Aeron aeron = driver.connect();
        final Aeron killed = driver.connect();
        final AeronChannels ipc = AeronChannels.of("ipc");
        final AeronFraudSender decisions = AeronFraudSender.decisionsOnly(aeron, ipc);
        ExclusivePublication last = null;
        try
        {
            // an engine that stops between a claim and its commit (as a SIGKILL can stop one): a frame that never completes
            final ExclusivePublication old = killed.addExclusivePublication(ipc.decisions(), AeronChannels.DECISION_STREAM_ID);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            final BufferClaim claim = new BufferClaim();
            while (old.tryClaim(64, claim) < 0)
            {
                decisions.work();
                awaitStep(deadline, "the first publication's claim");
            }
            killed.close();
            last = aeron.addExclusivePublication(ipc.decisions(), AeronChannels.DECISION_STREAM_ID);
            while (decisions.decisions().imagesSeen() < 2)
            {
                decisions.work();
                awaitStep(deadline, "the second image");
            }
            last.close();
            final long startNs = System.nanoTime();
            assertTrue(decisions.awaitDecisions(20_000), () -> "the decisions ended: " + decisions.decisions().describeImages());
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "at once, not at the timeout");
            System.out.println("when the last publication's image had gone: " + decisions.decisions().describeImages());
        }
        finally
        {
            CloseHelper.quietCloseAll(last, decisions::close, killed, aeron, driver);
        }
    }

    private static void awaitStep(final long deadline, final String what)
    {
        if (System.nanoTime() > deadline)
        {
            fail("timed out waiting for " + what);
        }
        LockSupport.parkNanos(1_000_000);
    }
}
