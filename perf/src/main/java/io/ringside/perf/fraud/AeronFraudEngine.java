package io.ringside.perf.fraud;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.aeron.Aeron;
import io.ringside.engine.Engine;
import io.ringside.engine.EngineContext;
import io.ringside.engine.Topology;
import io.ringside.engine.WaitStrategy;
import io.ringside.ingest.aeron.AeronIngress;
import io.ringside.ingest.aeron.AeronIngressContext;
import io.ringside.ingest.aeron.AeronSink;
import io.ringside.ingest.aeron.EmbeddedMediaDriver;
import io.ringside.ingest.aeron.MessageDecoder;
import io.ringside.journal.DurabilityPolicy;

/**
 * The engine side of the fraud-velocity workload over Aeron: the demo's engine (the pipeline on Chronicle Map state, or
 * the on-heap tables), events from an {@link AeronIngress} (source 1, sender 0 as its partition), decisions out through
 * an {@link AeronSink}; it runs until a sender's end of input is journaled, then closes the engine (every window closes,
 * every decision goes out). Its main is the engine process the crash tests kill:
 * <pre>
 * AeronFraudEngine AERON_DIR ENGINE_DIR ipc|udp EVENTS CARDS SHARDS SNAPSHOT_EVERY page-cache|group-commit [auto|thread|compact]
 * </pre>
 * (the last: the ingress's {@link AeronIngressContext.Placement}, auto by default: the compact engine's thread).
 */
public final class AeronFraudEngine
{
    public static final int SOURCE_ID = 1;

    /**
     * What a run decided.
     *
     * @param report    the shards' checksums (the whole run's, after a restart with Chronicle state).
     * @param liveNs    from the ingress's start to the end of input journaled.
     * @param published events the ingress published in this run.
     */
    public record Result(ChecksumReport report, long liveNs, long published, long duplicates, long gaps, long ringFull, long sinkBackPressured,
        Engine engine)
    {
    }

    private AeronFraudEngine()
    {
    }

    /**
     * Runs the engine until the end of input, printing a progress line a second to {@code progress}.
     */
    public static Result run(final Aeron aeron, final AeronChannels channels, final Path dir, final long events, final long cards,
        final int shards, final boolean chronicle, final long snapshotEvery, final DurabilityPolicy durability, final Consumer<String> progress)
    {
        return run(aeron, channels, dir, events, cards, shards, chronicle, snapshotEvery, durability, progress, Topology.COMPACT,
            AeronIngressContext.Placement.AUTO, ingress -> { });
    }

    /**
     * @param topology  the engine's.
     * @param placement where the ingress runs ({@link AeronIngressContext#placement}); the progress is told where it went.
     * @param started   told the ingress once it runs (its counters may be read from any thread).
     */
    public static Result run(final Aeron aeron, final AeronChannels channels, final Path dir, final long events, final long cards,
        final int shards, final boolean chronicle, final long snapshotEvery, final DurabilityPolicy durability, final Consumer<String> progress,
        final Topology topology, final AeronIngressContext.Placement placement, final Consumer<AeronIngress> started)
    {
        final List<ChecksumReport> reports = new ArrayList<>();
        final List<FraudVelocityPipeline> pipelines = new ArrayList<>();
        final int cardsPerShard = (int)Math.min(1 << 30, cards / shards + 1024);
        final int idsPerShard = (int)Math.min(1 << 30, Math.min(events, 6_000_000) / shards + 1024);
        final AeronSink sink = new AeronSink(aeron, channels.decisions(), AeronChannels.DECISION_STREAM_ID, 30_000);
        final EngineContext ctx = new EngineContext()
            .directory(dir)
            .shardCount(shards)
            .topology(topology)
            .maxEventLength(FraudEvent.LENGTH)
            .eventTime(FraudVelocityShard.EVENT_TIME)
            .maxOutOfOrdernessMs(FraudVelocityShard.MAX_OUT_OF_ORDERNESS_MS)
            .expectSource(SOURCE_ID, 1)
            .durability(durability)
            .egressWait(WaitStrategy.BLOCKING)
            .closeTimeoutMs(600_000)
            .snapshotEveryEvents(chronicle ? snapshotEvery : 0)
            .multiProducer(false)
            .handlersId(FraudVelocityPipeline.HANDLERS_ID)
            .addSink(sink)
            .handlers(shard ->
            {
                synchronized (reports)
                {
                    if (chronicle)
                    {
                        final FraudVelocityPipeline pipeline = FraudVelocityPipeline.forWorkload(shard, shards, events, cards);
                        pipelines.add(pipeline);
                        reports.add(pipeline.report());
                        return pipeline;
                    }
                    final FraudVelocityShard handler = new FraudVelocityShard(cardsPerShard, idsPerShard);
                    reports.add(handler.report());
                    return handler;
                }
            });
        final Engine engine = new Engine(ctx).start();
        if (!engine.recovery().isFresh())
        {
            progress.accept("recovered: " + engine.recovery());
        }
        final long startNs = System.nanoTime();
        final long endNs;
        AeronIngress ingress = null;
        try
        {
            ingress = new AeronIngress(new AeronIngressContext().aeron(aeron).channel(channels.events()).ackChannel(channels.acks())
                .sourceId(SOURCE_ID).decoder(MessageDecoder.fixedLength(FraudEvent.LENGTH, FraudEvent.CARD_ID_OFFSET, FraudEvent.BYTE_ORDER))
                .endOfInputAccepted(true).placement(placement), engine).start();
            progress.accept("aeron ingress on " + ingress.describePlacement());
            started.accept(ingress);
            long nextNs = startNs + TimeUnit.SECONDS.toNanos(1);
            long last = 0;
            long lastNs = startNs;
            while (!ingress.endAcknowledged())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                final long now = System.nanoTime();
                if (now >= nextNs)
                {
                    final long published = ingress.published();
                    progress.accept(String.format(Locale.ROOT, "  engine: %,12d events taken over aeron  %,10.0f events/s  ring %3d%% full  " +
                        "ring-full aborts %,d  resent dropped %,d", published, (published - last) / ((now - lastNs) / 1e9),
                        100 - 100 * engine.ringFreeSlots() / engine.context().ringSize(), ingress.ringFull(), ingress.duplicates()));
                    last = published;
                    lastNs = now;
                    nextNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
            endNs = System.nanoTime();
        }
        finally
        {
            try
            {
                if (ingress != null)
                {
                    ingress.close();
                }
                engine.close();
            }
            finally
            {
                for (final FraudVelocityPipeline pipeline : pipelines)
                {
                    pipeline.close();
                }
            }
        }
        final ChecksumReport report = new ChecksumReport();
        for (final ChecksumReport shardReport : reports)
        {
            report.add(shardReport);
        }
        return new Result(report, endNs - startNs, ingress.published(), ingress.duplicates(), ingress.gaps(), ingress.ringFull(),
            sink.backPressured(), engine);
    }

    public static void main(final String[] args)
    {
        final AeronIngressContext.Placement placement = args.length == 9 ? placement(args[8]) : AeronIngressContext.Placement.AUTO;
        if (args.length != 8 && (args.length != 9 || placement == null))
        {
            System.err.println("usage: AeronFraudEngine AERON_DIR ENGINE_DIR ipc|udp EVENTS CARDS SHARDS SNAPSHOT_EVERY page-cache|group-commit " +
                "[auto|thread|compact]");
            System.exit(2);
        }
        try (Aeron aeron = EmbeddedMediaDriver.connect(Path.of(args[0])))
        {
            final Result result = run(aeron, AeronChannels.of(args[2]), Path.of(args[1]), Long.parseLong(args[3]), Long.parseLong(args[4]),
                Integer.parseInt(args[5]), true, Long.parseLong(args[6]),
                args[7].equals("group-commit") ? DurabilityPolicy.GROUP_COMMIT : DurabilityPolicy.PAGE_CACHE, System.out::println,
                Topology.COMPACT, placement, ingress -> { });
            result.report().print(System.out);
            System.out.printf(Locale.ROOT, "engine done: %,d events published in this run, %,d resent dropped, %,d gaps%n", result.published(),
                result.duplicates(), result.gaps());
        }
    }

    /**
     * @return the placement named {@code auto}, {@code thread} or {@code compact} (any case), or null for anything else.
     */
    public static AeronIngressContext.Placement placement(final String name)
    {
        for (final AeronIngressContext.Placement placement : AeronIngressContext.Placement.values())
        {
            if (placement.name().equalsIgnoreCase(name))
            {
                return placement;
            }
        }
        return null;
    }
}
