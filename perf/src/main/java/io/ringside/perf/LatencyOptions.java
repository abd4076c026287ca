package io.ringside.perf;

import java.util.List;
import java.util.Locale;

import io.ringside.engine.EngineContext;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.perf.fraud.WorkloadGenerator;
import io.ringside.perf.fraud.WorkloadSize;
import picocli.CommandLine.Option;

/**
 * The {@link LatencyHarness}'s flags, set by picocli (a mixin), then checked once by {@link #check()}. Not thread-safe.
 */
final class LatencyOptions
{
    private static final long MAX_RATE = 50_000_000;
    private static final long MAX_SECONDS = 3_600;

    @Option(names = "--rates", paramLabel = "N", split = ",", description = "events per second, comma-separated " +
        "(default 10000,100000,1000000)")
    long[] rates = {10_000, 100_000, 1_000_000};

    @Option(names = "--warmup-s", paramLabel = "S", description = "seconds of warm-up per rate and target, not recorded (default 5)")
    long warmUpS = 5;

    @Option(names = "--measure-s", paramLabel = "S", description = "seconds measured per rate and target (default 10)")
    long measureS = 10;

    @Option(names = "--wait", paramLabel = "STRATEGY", description = "busy-spin, yielding, sleeping or blocking (default blocking; " +
        "backoff and backoff-blocking without bare only)")
    WaitStrategy wait = WaitStrategy.BLOCKING;

    @Option(names = "--topology", paramLabel = "compact|pipelined", description = "the engine's topology (default compact)")
    Topology topology = Topology.COMPACT;

    @Option(names = "--target", paramLabel = "T[,T...]", description = "what to measure, comma-separated (default both): engine, the " +
        "engine with a handler that only records the latency; bare, a bare Disruptor with one journal append; fraud, the engine " +
        "running the demo's fraud-velocity pipeline on the workload's events, latency to the return of its onEvent (builds ~1.4 GB " +
        "of state first, standard size); both: engine,bare; all: engine,bare,fraud")
    private String target = "both";

    /** From {@code --target}, by {@link #check()}. */
    boolean engine = true;
    boolean bare = true;
    boolean fraud;

    @Option(names = "--ring-size", paramLabel = "N", description = "slots in each ring, a power of two (default 16384)")
    int ringSize = EngineContext.DEFAULT_RING_SIZE;

    @Option(names = "--events", paramLabel = "N", description = "with fraud: the workload's events (default 10,000,000, the standard " +
        "size); rate x (warm-up + measured seconds) must fit in them")
    long events = WorkloadSize.STANDARD.events();

    @Option(names = "--cards", paramLabel = "K", description = "with fraud: the workload's cards (default 1,000,000)")
    long cards = WorkloadSize.STANDARD.cards();

    @Option(names = "--seed", paramLabel = "S", description = "with fraud: the generator's seed (default 42)")
    long seed = 42;

    @Option(names = "--transport", paramLabel = "aeron-ipc|aeron-udp", description = "instead of the targets above, the round trip " +
        "over Aeron (sender, media driver, ingress, engine, sink, subscriber) beside a bare Aeron ping-pong on the same driver set-up")
    private String transport;

    /** ipc or udp, from {@code --transport} by {@link #check()}; null: in-process. */
    String aeron;

    @Option(names = "--aeron-ingress", paramLabel = "auto|thread|compact|both", description = "with --transport: where the Aeron " +
        "ingress runs: auto (default), polled by the engine's compact thread with the compact topology and on a thread of its own with " +
        "--topology pipelined; thread, its own; compact, the compact thread; both: thread, then compact, at each rate")
    private String aeronIngress;

    @Option(names = "--egress-wait", paramLabel = "STRATEGY", description = "with --transport: how the egress thread (which offers each " +
        "decision to the AeronSink) waits: busy-spin, yielding, backoff, sleeping, blocking or backoff-blocking (10 spins and 20 yields " +
        "after each batch, as the bare ping-pong's threads back off, then parked until the journaler rings) (default: --wait's)")
    WaitStrategy egressWait;

    @Option(names = "--inline-delivery", paramLabel = "on|off", arity = "1", description = "with --transport: whether the engine's compact " +
        "thread offers each decision to the AeronSink itself once durable, the egress thread taking over only when the publication is " +
        "back-pressured (on, the default), or the egress thread offers every decision (off: EngineContext.inlineDelivery(false))")
    private String inlineDeliveryFlag;

    /** From {@code --inline-delivery} by {@link #check()}. */
    boolean inlineDelivery = true;

    /** From {@code --aeron-ingress} by {@link #check()}: the placements of the ingress measured at each rate, in turn. */
    List<AeronIngressContext.Placement> aeronPlacements = List.of(AeronIngressContext.Placement.AUTO);

    /**
     * @throws IllegalArgumentException naming the flag that is wrong.
     */
    void check()
    {
        for (final long rate : rates)
        {
            range("--rates", rate, 1, MAX_RATE);
        }
        range("--warmup-s", warmUpS, 0, MAX_SECONDS);
        range("--measure-s", measureS, 1, MAX_SECONDS);
        range("--ring-size", ringSize, 2, 1 << 24);
        if (Long.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("--ring-size must be a power of two, was " + ringSize);
        }
        range("--events", events, 1, Long.MAX_VALUE);
        range("--cards", cards, WorkloadGenerator.MIN_CARDS, Integer.MAX_VALUE);
        target(target);
        aeron = transport == null ? null : AeronLatency.transport(transport);
        if (aeronIngress != null)
        {
            aeronPlacements = aeronPlacements(aeronIngress);
        }
        if (egressWait != null && aeron == null)
        {
            throw new IllegalArgumentException("--egress-wait sets the wait of the egress that offers decisions to Aeron: give --transport too");
        }
        if (inlineDeliveryFlag != null)
        {
            if (aeron == null)
            {
                throw new IllegalArgumentException("--inline-delivery sets where decisions are offered to Aeron: give --transport too");
            }
            inlineDelivery = switch (inlineDeliveryFlag)
            {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException("--inline-delivery takes on or off, not '" + inlineDeliveryFlag + "'");
            };
        }
        if (egressWait == null)
        {
            egressWait = wait;
        }
        if (aeronIngress != null && aeron == null)
        {
            throw new IllegalArgumentException("--aeron-ingress places the Aeron ingress: give --transport aeron-ipc|aeron-udp too");
        }
        if (aeronPlacements.contains(AeronIngressContext.Placement.COMPACT) && topology != Topology.COMPACT)
        {
            throw new IllegalArgumentException("--aeron-ingress " + aeronIngress + " polls Aeron on the compact topology's thread, and " +
                "--topology pipelined has none: give auto (its own thread there) or thread");
        }
        if (bare && aeron == null)
        {
            BareDisruptorLatencyTarget.disruptorWait(wait);
        }
        if (fraud)
        {
            checkWorkloadFits();
        }
    }

    private static List<AeronIngressContext.Placement> aeronPlacements(final String value)
    {
        return switch (value)
        {
            case "auto" -> List.of(AeronIngressContext.Placement.AUTO);
            case "thread" -> List.of(AeronIngressContext.Placement.THREAD);
            case "compact" -> List.of(AeronIngressContext.Placement.COMPACT);
            case "both" -> List.of(AeronIngressContext.Placement.THREAD, AeronIngressContext.Placement.COMPACT);
            default -> throw new IllegalArgumentException("--aeron-ingress takes auto, thread, compact or both, not '" + value + "'");
        };
    }

    private static void range(final String flag, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(flag + " must be " + min + " to " + max + ", was " + value);
        }
    }

    private void target(final String value)
    {
        engine = false;
        bare = false;
        fraud = false;
        for (final String name : value.split(",", -1))
        {
            switch (name.trim().toLowerCase(Locale.ROOT))
            {
                case "engine" -> engine = true;
                case "bare" -> bare = true;
                case "fraud" -> fraud = true;
                case "both" ->
                {
                    engine = true;
                    bare = true;
                }
                case "all" ->
                {
                    engine = true;
                    bare = true;
                    fraud = true;
                }
                default -> throw new IllegalArgumentException("unknown target '" + name + "': use engine, bare, fraud, both or all, " +
                    "comma-separated");
            }
        }
    }

    /**
     * The fraud target sends each rate's warm-up and measured events from one workload: stop before building
     * anything if a rate needs more than it has.
     */
    private void checkWorkloadFits()
    {
        for (final long rate : rates)
        {
            final long needed = rate * (warmUpS + measureS);
            if (needed > events)
            {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "--target fraud at %,d events/s for %d + %d s sends %,d events, " +
                    "but the workload has %,d: lower the rate or the seconds, or raise --events (the same stream, longer)",
                    rate, warmUpS, measureS, needed, events));
            }
        }
    }
}
