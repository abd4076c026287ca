package io.ringside.perf.fraud;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.aeron.Aeron;
import io.ringside.engine.Topology;
import io.ringside.ingest.aeron.AeronIngress;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import io.ringside.journal.DurabilityPolicy;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Exactly once over Aeron IPC, with a real media driver (in this JVM) and two JVMs: the engine
 * ({@link AeronFraudEngine}, Chronicle state, snapshots) in a child JVM SIGKILLed at random moments and restarted
 * while this JVM's sender goes on, resending from what the restarted engine acknowledges; then the sender
 * ({@link AeronFraudSender}) in a child JVM SIGKILLed and restarted while the engine runs here. Either way the decisions
 * read back over Aeron equal those of an uninterrupted run of workload.md (the plain-Java implementation's), each once.
 * Each runs twice: the engine's ingress on a thread of its own, and polled by the engine's compact thread.
 */
class AeronCrashRecoveryTest
{
    private static final long EVENTS = 200_000;
    private static final long CARDS = 20_000;
    private static final long SEED = 11;
    private static final int KILLS = 3;
    private static final AeronChannels IPC = AeronChannels.of("ipc");

    @TempDir
    Path tmp;

    private EmbeddedMediaDriver driver;
    private Aeron aeron;
    private Process child;
    private Thread worker;

    @BeforeEach
    void launchDriver()
    {
        driver = EmbeddedMediaDriver.launch(EmbeddedMediaDriver.uniqueDirectory(), 2_000);
        aeron = driver.connect();
    }

    @AfterEach
    void stopEverything() throws Exception
    {
        try
        {
            if (child != null)
            {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (worker != null)
            {
                worker.interrupt();
                worker.join(30_000);
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(aeron, driver);
        }
    }

    @ParameterizedTest(name = "ingress placement: {0}")
    @ValueSource(strings = {"thread", "compact"})
    void anEngineKilledAgainAndAgainDecidesEveryEventExactlyOnce(final String placement) throws Exception
    {
        final Path engineDir = tmp.resolve("engine");
        final Path log = tmp.resolve("engine.log");
        final Path lines = tmp.resolve("decisions.txt");
        final AeronFraudSender client = new AeronFraudSender(aeron, IPC, true).lines(new PrintWriter(Files.newBufferedWriter(lines)));
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] finished = {0};
        final AtomicReference<String> ended = new AtomicReference<>();
        worker = new Thread(() ->
        {
            try
            {
                client.send(SEED, EVENTS, CARDS, 0, false);
                finished[0] = client.awaitDecisions(120_000) ? 1 : -1;
                ended.set(client.decisions().describeImages());
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
            finally
            {
                client.close();
            }
        }, "aeron-test-sender");
        worker.start();
        final long[] killAt = killMoments(new SplittableRandom(SEED));
        int kills = 0;
        while (true)
        {
            child = ChildJvm.start(log, AeronFraudEngine.class, driver.directory().toString(), engineDir.toString(), "ipc",
                Long.toString(EVENTS), Long.toString(CARDS), "1", "20000", "page-cache", placement);
            if (kills < KILLS)
            {
                // killed once the sender has had this many events acknowledged (by this run or an earlier one)
                final long target = killAt[kills];
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (child.isAlive() && client.sender().acked() < target && failure.get() == null)
                {
                    if (System.nanoTime() > deadline)
                    {
                        fail("no progress to " + target + " acknowledged in 90 s (acked " + client.sender().acked() + "); log:\n" + Files.readString(log));
                    }
                    Thread.sleep(2);
                }
                if (child.isAlive())
                {
                    child.destroyForcibly().waitFor();
                    kills++;
                    continue;
                }
            }
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the last engine run did not finish");
            assertEquals(0, child.exitValue(), () -> "the engine failed; log:\n" + readQuietly(log));
            break;
        }
        worker.join(150_000);
        assertTrue(failure.get() == null, () -> "the sender failed: " + failure.get());
        assertEquals(1, finished[0], () -> "the decisions ended (the last engine closed its publication): " + ended.get());
        System.out.printf("engine killed %d times at %s acknowledged; sender rewound %d times, resent %,d events; %,d replayed decisions " +
            "dropped by the subscriber%n", kills, java.util.Arrays.toString(killAt), client.sender().rewinds(), client.sender().resent(),
            client.decisions().duplicates());
        assertEquals(KILLS, kills);
        assertTrue(client.sender().rewinds() >= 1, "the sender went back at least once");
        assertExactlyTheReference(Files.readAllLines(lines));
    }

    @ParameterizedTest(name = "ingress placement: {0}")
    @ValueSource(strings = {"thread", "compact"})
    void aSenderKilledAgainAndAgainResumesFromItsAcknowledgedPositionExactlyOnce(final String placement) throws Exception
    {
        final Path engineDir = tmp.resolve("engine");
        final Path log = tmp.resolve("sender.log");
        final Path lines = tmp.resolve("decisions.txt");
        final AeronFraudSender decisions = AeronFraudSender.decisionsOnly(aeron, IPC).lines(new PrintWriter(Files.newBufferedWriter(lines)));
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicReference<AeronFraudEngine.Result> result = new AtomicReference<>();
        final AtomicReference<AeronIngress> ingress = new AtomicReference<>();
        worker = new Thread(() ->
        {
            try
            {
                result.set(AeronFraudEngine.run(aeron, IPC, engineDir, EVENTS, CARDS, 1, true, 20_000, DurabilityPolicy.PAGE_CACHE,
                    line -> { }, Topology.COMPACT, AeronFraudEngine.placement(placement), ingress::set));
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "aeron-test-engine");
        worker.start();
        int kills = 0;
        try
        {
            // paced, so that a sender's run lasts seconds and the kills find it sending
            final String[] args = {driver.directory().toString(), "ipc", Long.toString(EVENTS), Long.toString(CARDS), Long.toString(SEED),
                "40000", "-"};
            final long[] killAt = killMoments(new SplittableRandom(SEED + 1));
            while (true)
            {
                child = ChildJvm.start(log, AeronFraudSender.class, args);
                if (kills < KILLS)
                {
                    // killed once the engine has taken this many events (from this run or an earlier one), and at least
                    // one sent by this run past where it resumed: a sender killed before it sent anything would resume
                    // where its last did (what a killed sender left in the log buffer still arrives after its death)
                    final long target = Math.max(killAt[kills], resumedAt(log, kills + 1, child) + 1);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (child.isAlive() && (ingress.get() == null || ingress.get().published() < target) && failure.get() == null)
                    {
                        if (System.nanoTime() > deadline)
                        {
                            fail("the engine took no " + target + " events in 90 s; log:\n" + Files.readString(log));
                        }
                        if (decisions.work() == 0)
                        {
                            Thread.sleep(1);
                        }
                    }
                    if (child.isAlive())
                    {
                        child.destroyForcibly().waitFor();
                        kills++;
                        continue;
                    }
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (child.isAlive() && System.nanoTime() < deadline)
                {
                    if (decisions.work() == 0)
                    {
                        Thread.sleep(1);
                    }
                }
                assertTrue(child.waitFor(1, TimeUnit.SECONDS), () -> "the last sender run did not finish; log:\n" + readQuietly(log));
                assertEquals(0, child.exitValue(), () -> "the sender failed; log:\n" + readQuietly(log));
                break;
            }
            worker.join(120_000);
            assertTrue(failure.get() == null, () -> "the engine failed: " + failure.get());
            assertTrue(decisions.awaitDecisions(60_000), "the decisions ended (the engine closed its publication)");
        }
        finally
        {
            decisions.close();
        }
        System.out.printf("sender killed %d times at %s events taken; the engine dropped %,d resent events%n", kills,
            java.util.Arrays.toString(killMoments(new SplittableRandom(SEED + 1))), result.get().duplicates());
        assertEquals(KILLS, kills);
        final List<Long> resumes = new ArrayList<>();
        for (final String line : Files.readAllLines(log))
        {
            if (line.contains("resuming at sequence "))
            {
                resumes.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertEquals(KILLS + 1, resumes.size(), () -> "each sender run says where it resumed: " + resumes);
        // never back: a restarted sender resumes at or after where the last one did (at it, when the engine's
        // acknowledgement it met had not yet seen the last run's events durable: it resends them and the engine drops them)
        for (int i = 1; i < resumes.size(); i++)
        {
            assertTrue(resumes.get(i) >= resumes.get(i - 1), "a restarted sender resumed before the last: " + resumes);
        }
        assertTrue(resumes.get(resumes.size() - 1) > resumes.get(0), "the runs made progress: " + resumes);
        assertEquals(result.get().report().lines(), report(Files.readAllLines(lines)).lines(), "the engine's checksums against the decisions'");
        assertExactlyTheReference(Files.readAllLines(lines));
    }

    /**
     * Waits until the sender's {@code run}-th run has said where it resumes.
     *
     * @return that sequence.
     */
    private static long resumedAt(final Path log, final int run, final Process child) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final List<String> resumes = new ArrayList<>();
            final String text = Files.readString(log);
            // whole lines only: the child may be writing the last one
            for (final String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n"))
            {
                if (line.contains("resuming at sequence "))
                {
                    resumes.add(line.strip());
                }
            }
            if (resumes.size() >= run)
            {
                final String line = resumes.get(run - 1);
                return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            }
            if (!child.isAlive() || System.nanoTime() > deadline)
            {
                fail("the sender's run " + run + " never said where it resumed; log:\n" + Files.readString(log));
            }
            Thread.sleep(5);
        }
    }

    /**
     * @return {@value #KILLS} moments, in events taken, between 10% and 85% of the run, in order.
     */
    private static long[] killMoments(final SplittableRandom random)
    {
        final long[] killAt = new long[KILLS];
        for (int i = 0; i < KILLS; i++)
        {
            killAt[i] = (long)(EVENTS * (0.1 + 0.75 * random.nextDouble()));
        }
        java.util.Arrays.sort(killAt);
        return killAt;
    }

    private static void assertExactlyTheReference(final List<String> received)
    {
        final List<String> expected = reference();
        final List<String> actual = new ArrayList<>(received);
        assertEquals(expected.size(), actual.size(), "decisions received against an uninterrupted run");
        Collections.sort(expected);
        Collections.sort(actual);
        final Map<String, Integer> missing = LineMultisets.difference(expected, actual);
        final Map<String, Integer> extra = LineMultisets.difference(actual, expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> "missing " + LineMultisets.head(missing) + ", extra (duplicates) " + LineMultisets.head(extra));
    }

    private static List<String> reference()
    {
        final List<String> lines = new ArrayList<>();
        final PlainJavaFraudVelocity plain = new PlainJavaFraudVelocity(
            (kind, fields) -> lines.add(OutputLine.append(new StringBuilder(), kind, fields).toString()));
        final WorkloadGenerator generator = new WorkloadGenerator(SEED, EVENTS, CARDS);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[FraudEvent.LENGTH]);
        while (generator.next(event, 0))
        {
            plain.onEvent(event, 0);
        }
        plain.endOfInput();
        return lines;
    }

    private static ChecksumReport report(final List<String> lines)
    {
        final ChecksumReport report = new ChecksumReport();
        final long[] fields = new long[OutputKind.MAX_FIELDS];
        for (final String line : lines)
        {
            report.onOutput(OutputLine.parse(line, fields), fields);
        }
        return report;
    }

    private static String readQuietly(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
