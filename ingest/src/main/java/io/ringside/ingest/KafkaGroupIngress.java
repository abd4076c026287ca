package io.ringside.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import io.ringside.engine.Engine;
import io.ringside.engine.EventPublisher;
import io.ringside.engine.OutputSink;
import io.ringside.engine.sink.FileSink;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One member of a consumer group reading a topic (subscribe, the cooperative sticky assignor): each partition it owns
 * gets its own engine (its own journal directory, {@code DIR/p-<n>}, one shard), its own {@link KafkaPartitionSink}
 * (a transactional producer whose id is the partition's) and ids from the partition's own offsets
 * ({@link PartitionOutputIds}), so that a partition's state, journal and outputs move with it.
 * <ul>
 * <li><b>Assigned.</b> The sink is opened first (initTransactions fences the previous owner and ends its open
 * transaction), then the group's committed offset of the partition says what was delivered. The engine starts empty
 * and the partition is read again from its beginning: the state is rebuilt from the records, and the outputs up to
 * the delivered id are dropped; the first output after it is the new owner's first decision. With
 * {@link #publishSnapshots}, the engine starts instead from the newest usable snapshot an earlier owner published, and
 * the partition is read from the offset after it (a refused snapshot is logged with its reason, and the next older one
 * or the beginning is used).</li>
 * <li><b>Warm standbys.</b> With {@link #standbys}, the member tails every partition it does not own in an engine of
 * its own whose outputs go nowhere, fed only records whose outputs the group has delivered; assigned such a partition,
 * it attaches the new sink to that engine and goes on from where it read, without a rebuild.</li>
 * <li><b>Published snapshots.</b> With {@link #publishSnapshots}, each snapshot a partition's engine completes (as its
 * context schedules them) is copied to the shared directory with the offset it covers and the delivered mark, once
 * the sink has committed every output caused up to that offset.</li>
 * <li><b>Revoked.</b> The partition's records stop, its engine drains what is in flight and closes; the sink commits
 * the last transaction (a clean hand-over: the next owner drops what this one delivered).</li>
 * <li><b>Lost</b> (the member was evicted): as revoked; if a new owner already fenced this one, its commit fails and
 * the new owner makes those outputs.</li>
 * <li><b>End of input.</b> A record with the header {@value #END_OF_INPUT_HEADER} ends its partition's input (a place
 * in the partition, the same for every owner, unlike an end offset seen at some moment): the partition's engine is told
 * the end of input (its last windows close), closes, and the sink commits the end mark, which later owners find and
 * skip. Without such a record the input never ends.</li>
 * <li><b>Backpressure.</b> A partition whose engine's ring is full is sought back and paused alone.</li>
 * <li>Records the decoder refuses are counted and skipped (every owner skips the same ones); no dead-letter topic.</li>
 * </ul>
 * Static assignment stays {@link KafkaIngress}'s. <b>Threads:</b> an {@link Agent} on its own thread ({@link #start()});
 * the rebalance callbacks run on it (inside poll); {@link #close()} from any thread.
 */
public final class KafkaGroupIngress implements Agent, AutoCloseable
{
    /**
     * Starts the engine of one partition.
     */
    @FunctionalInterface
    public interface PartitionEngines
    {
        /**
         * @param partition the input partition.
         * @param directory the engine's directory (empty).
         * @param seed      a snapshot to start from ({@link io.ringside.engine.EngineContext#seedSnapshot}), or null: start empty.
         * @param sink      to add to the engine's sinks (a {@link KafkaPartitionSink}, or a standby's sink that sends
         *                  nothing until the partition is assigned); its handler must be wrapped by
         *                  {@link PartitionOutputIds#wrap}, one shard, the source {@link KafkaIngressContext#sourceId()}
         *                  expected with one partition (0).
         * @return the started engine.
         */
        Engine start(int partition, Path directory, OutputSink sink, Path seed) throws Exception;
    }

    /** The member's status, rewritten once a second in its directory (read by {@code ./ringside stat DIR}). */
    public static final String STATUS_FILE = "group-member.txt";

    /** A record with this header ends its partition's input (its value is ignored). */
    public static final String END_OF_INPUT_HEADER = "ringside.end-of-input";

    private static final int NONE = 0;
    private static final int LIVE = 1;
    private static final int ENDED = 2;
    private static final int STANDBY = 3;
    private static final long GATE_REFRESH_MS = 500;

    private final KafkaIngressContext ctx;
    private final Path directory;
    private final String outputTopic;
    private final FileSink.OutputFormatter formatter;
    private final PartitionEngines engines;
    private final Consumer<String> log;
    private PublishedSnapshots shared;
    private boolean standbys;
    private KafkaConsumer<byte[], byte[]> consumer;
    /** The standbys' consumer (assign mode, no group), or null without standbys. */
    private KafkaConsumer<byte[], byte[]> tail;
    private final Set<TopicPartition> tailed = new java.util.HashSet<>();
    private StandbySink[] standbySink;
    /** Per standby partition: the last offset it may be fed (its outputs are covered by the group's committed mark). */
    private long[] gate;
    private boolean[] tailPaused;
    /** Per partition: no standby for it (its input ended, or its standby could not start). */
    private boolean[] noStandby;
    /** Per partition: the offset from which the owner went on from its standby's engine, -1 if not taken from a standby. */
    private long[] fromStandby;
    private long nextGateMs;
    /** Reads the group's committed marks for the standbys (only what committed transactions wrote: not require_stable). */
    private org.apache.kafka.clients.admin.Admin admin;
    private org.apache.kafka.common.KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> marksAsked;
    private TopicPartition[] byPartition;
    private int[] state;
    private Engine[] engine;
    private EventPublisher[] publisher;
    private KafkaPartitionSink[] sink;
    private long[] nextOffset;
    private long[] takenNs;
    private boolean[] full;
    private boolean[] rebuilt;
    private boolean[] decided;
    private boolean[] work;
    /** Per partition: the engine's snapshots seen, the offset of the newest published (or loaded), the one loaded (-1: none). */
    private long[] snapshotsSeen;
    /** Written at a take and by the publishing thread. */
    private java.util.concurrent.atomic.AtomicLongArray publishedOffset;
    private long[] seededOffset;
    private volatile long snapshotsPublished;
    private int resumeFreeSlots;
    private volatile long published;
    private volatile long refused;
    private volatile long lastActivityMs = System.currentTimeMillis();
    private volatile long firstRecordMs;
    private volatile long lastRecordMs;
    private volatile String ownedText = "[]";
    private volatile boolean allEnded;
    private volatile Throwable failure;
    private long nextStatusMs;
    private boolean joined;
    private AgentRunner runner;
    /** Copies snapshots to the shared directory (reads, CRCs, forces), off the member's thread, one at a time. */
    private final java.util.concurrent.ExecutorService publishing = java.util.concurrent.Executors.newSingleThreadExecutor(r ->
    {
        final Thread thread = new Thread(r, "ringside-kafka-group-snapshot-publisher");
        thread.setDaemon(true);
        return thread;
    });
    private final java.util.concurrent.ExecutorService opener = java.util.concurrent.Executors.newCachedThreadPool(r ->
    {
        final Thread thread = new Thread(r, "ringside-kafka-group-sink-opener");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param ctx         the topic, group, source id, decoder; its partitions, end-offset and dead-letter settings are not
     *                    used (the group assigns the partitions; end of input is a record's header).
     * @param directory   the instance's directory: each owned partition's engine in {@code p-<n>} under it.
     * @param outputTopic where the outputs go (exists, or is created before).
     * @param log         told what the member does (partitions taken, rebuilt, handed over); any thread's printing.
     */
    public KafkaGroupIngress(final KafkaIngressContext ctx, final Path directory, final String outputTopic,
        final FileSink.OutputFormatter formatter, final PartitionEngines engines, final Consumer<String> log)
    {
        this.ctx = ctx.conclude();
        this.directory = directory;
        this.outputTopic = outputTopic;
        this.formatter = formatter;
        this.engines = engines;
        this.log = log;
    }

    /**
     * Publishes the partitions' engine snapshots in a shared directory and starts new owners from them. Call before
     * {@link #start()}. The engines must take snapshots ({@code EngineContext.snapshotEveryEvents}) to publish any.
     *
     * @return this.
     */
    public KafkaGroupIngress publishSnapshots(final PublishedSnapshots shared)
    {
        this.shared = shared;
        return this;
    }

    /**
     * Keeps a warm standby of every partition of the topic this member does not own: an engine per partition (in
     * {@code p-<n>}, started as an owner's would be: from the newest usable published snapshot, else empty) fed by a
     * consumer of its own in assign mode, its outputs sent nowhere ({@link StandbySink}). It is fed only the records whose
     * outputs the group's committed offset says were delivered (the mark is read every {@value #GATE_REFRESH_MS} ms), so
     * it stays a couple of transactions behind the owner and discards nothing the owner has not delivered. When the group
     * assigns this member such a partition, its sink is opened (fencing the old owner) and attached to the standby's
     * engine, which goes on from where it had read, its outputs up to what was delivered dropped: no rebuild. A partition
     * this member loses becomes a standby again, started afresh. A standby whose partition's input ended is closed. Call
     * before {@link #start()}.
     *
     * @return this.
     */
    public KafkaGroupIngress standbys()
    {
        this.standbys = true;
        return this;
    }

    /**
     * Starts the member on its own thread, {@code ringside-kafka-group-<topic>}.
     *
     * @return this.
     */
    public KafkaGroupIngress start()
    {
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), error ->
        {
            if (failure == null)
            {
                failure = error;
            }
            log.accept("error: " + error);
        }, null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public String roleName()
    {
        return "ringside-kafka-group-" + ctx.topic();
    }

    @Override
    public void onStart()
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, ctx.groupId());
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a killed member's partitions move after the session timeout (45 s by default; 6 s, the broker's smallest, evicted
        // members of a machine loaded 10 times over its cores)
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        props.putAll(KafkaIngress.consumerDefaults());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, roleName());
        props.putAll(ctx.consumerProperties());
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<PartitionInfo> infos = consumer.partitionsFor(ctx.topic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty())
        {
            throw new IllegalStateException("topic " + ctx.topic() + " has no partitions (does it exist?)");
        }
        final int count = infos.size();
        byPartition = new TopicPartition[count];
        for (int p = 0; p < count; p++)
        {
            byPartition[p] = new TopicPartition(ctx.topic(), p);
        }
        state = new int[count];
        engine = new Engine[count];
        publisher = new EventPublisher[count];
        sink = new KafkaPartitionSink[count];
        nextOffset = new long[count];
        takenNs = new long[count];
        full = new boolean[count];
        rebuilt = new boolean[count];
        decided = new boolean[count];
        work = new boolean[count];
        snapshotsSeen = new long[count];
        publishedOffset = new java.util.concurrent.atomic.AtomicLongArray(count);
        seededOffset = new long[count];
        standbySink = new StandbySink[count];
        gate = new long[count];
        tailPaused = new boolean[count];
        noStandby = new boolean[count];
        fromStandby = new long[count];
        java.util.Arrays.fill(fromStandby, -1);
        if (standbys)
        {
            final Properties tailProps = new Properties();
            tailProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
            tailProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            tailProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            tailProps.putAll(KafkaIngress.consumerDefaults());
            tailProps.putAll(ctx.consumerProperties());
            tailProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
            tailProps.put(ConsumerConfig.CLIENT_ID_CONFIG, roleName() + "-standby");
            tail = new KafkaConsumer<>(tailProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            final Properties adminProps = new Properties();
            adminProps.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
            adminProps.put(org.apache.kafka.clients.admin.AdminClientConfig.CLIENT_ID_CONFIG, roleName() + "-standby-marks");
            admin = org.apache.kafka.clients.admin.Admin.create(adminProps);
        }
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create the member's directory " + directory + ": " + ex, ex);
        }
        consumer.subscribe(List.of(ctx.topic()), new Listener());
    }

    @Override
    public int doWork()
    {
        for (int p = 0; p < state.length; p++)
        {
            if (full[p] && state[p] == LIVE && engine[p].ringFreeSlots() >= resumeFreeSlots(p))
            {
                consumer.resume(List.of(byPartition[p]));
                full[p] = false;
            }
        }
        final int tailCount = standbys ? tailWork() : 0;
        final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(tailCount > 0 ? 0 : ctx.pollTimeoutMs()));
        int count = 0;
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            final int p = record.partition();
            if (state[p] != LIVE || full[p])
            {
                continue;
            }
            if (!offer(p, record))
            {
                consumer.seek(byPartition[p], nextOffset[p]);
                consumer.pause(List.of(byPartition[p]));
                full[p] = true;
                continue;
            }
            count++;
        }
        if (count > 0)
        {
            lastActivityMs = System.currentTimeMillis();
            lastRecordMs = lastActivityMs;
            if (firstRecordMs == 0)
            {
                firstRecordMs = lastActivityMs;
            }
        }
        boolean ended = true;
        for (int p = 0; p < state.length; p++)
        {
            if (work[p])
            {
                work[p] = false;
                if (publisher[p] != null)
                {
                    publisher[p].wake();
                }
            }
            if (state[p] == LIVE)
            {
                progress(p);
                publishSnapshot(p);
                if (state[p] == LIVE && sink[p].failure() != null)
                {
                    log.accept("partition " + p + ": its sink failed (" + sink[p].failure() + "): rebuilding it");
                    release(p);
                    takenNs[p] = System.nanoTime();
                    take(p, openSink(p));
                }
            }
            ended &= state[p] != LIVE;
        }
        allEnded = ended && joined;
        if (standbys && joined)
        {
            standbyUpkeep();
        }
        final long nowMs = System.currentTimeMillis();
        if (nowMs >= nextStatusMs)
        {
            nextStatusMs = nowMs + 1_000;
            writeStatus(nowMs);
        }
        return count + tailCount;
    }

    /**
     * Rewrites {@value #STATUS_FILE}: the partitions owned, each one's rebuild progress, lag and outputs (once a second).
     */
    private void writeStatus(final long nowMs)
    {
        final StringBuilder text = new StringBuilder(512);
        text.append(String.format(java.util.Locale.ROOT, "member %s of group %s, topic %s, at %s: owns %s%n", roleName(), ctx.groupId(),
            ctx.topic(), java.time.Instant.ofEpochMilli(nowMs), ownedText));
        for (final TopicPartition tp : consumer.assignment())
        {
            final int p = tp.partition();
            text.append("  partition ").append(p).append(": ");
            if (state[p] == ENDED)
            {
                text.append("input ended, outputs delivered\n");
            }
            else if (state[p] == LIVE)
            {
                final KafkaPartitionSink s = sink[p];
                final long delivered = s.delivered().offset();
                final java.util.OptionalLong lag = consumer.currentLag(tp);
                text.append(String.format(java.util.Locale.ROOT, "%s, read to offset %,d, lag %s; earlier owners delivered to offset %,d " +
                    "(%,d of their outputs dropped); this owner sent %,d outputs in %,d transactions%s%n",
                    rebuilt[p] || delivered < 0 ? "deciding" : String.format(java.util.Locale.ROOT, "rebuilding (%d%%)", 100 * nextOffset[p] /
                    Math.max(1, delivered)), nextOffset[p], lag.isPresent() ? String.format(java.util.Locale.ROOT, "%,d", lag.getAsLong()) : "?",
                    delivered, s.suppressed(), s.sent(), s.committedTransactions(),
                    (seededOffset[p] >= 0 ? String.format(java.util.Locale.ROOT, "; started from the published snapshot at offset %,d",
                    seededOffset[p]) : "") + (shared != null && publishedOffset.get(p) >= 0 ? String.format(java.util.Locale.ROOT,
                    "; newest published snapshot at offset %,d", publishedOffset.get(p)) : "")));
            }
            else
            {
                text.append("being taken\n");
            }
        }
        for (int p = 0; p < state.length; p++)
        {
            if (state[p] == STANDBY)
            {
                text.append(String.format(java.util.Locale.ROOT, "  partition %d: standby, read to offset %,d (may read to %,d: the group " +
                    "delivered up to offset %,d), %,d outputs discarded%n", p, nextOffset[p], gate[p], standbySink[p].covered().offset(),
                    standbySink[p].discarded()));
            }
        }
        try
        {
            final Path tmp = directory.resolve(STATUS_FILE + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, directory.resolve(STATUS_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            log.accept("could not write " + directory.resolve(STATUS_FILE) + ": " + ex);
        }
    }

    private int resumeFreeSlots(final int p)
    {
        return ctx.resumeFreeSlots() > 0 ? ctx.resumeFreeSlots() : Math.max(1, engine[p].context().ringSize() / 4);
    }

    private boolean offer(final int p, final ConsumerRecord<byte[], byte[]> record)
    {
        if (record.headers().lastHeader(END_OF_INPUT_HEADER) != null)
        {
            nextOffset[p] = record.offset() + 1;
            endPartition(p);
            return true;
        }
        if (ctx.decoder().check(record.key(), record.value()) != null)
        {
            refused++;
        }
        else
        {
            if (!publish(p, record))
            {
                return false;
            }
            published++;
        }
        nextOffset[p] = record.offset() + 1;
        return true;
    }

    /**
     * Publishes a record the decoder accepted into the partition's engine (owner's or standby's).
     *
     * @return false if its ring is full.
     */
    private boolean publish(final int p, final ConsumerRecord<byte[], byte[]> record)
    {
        final byte[] value = record.value();
        final EventPublisher pub = publisher[p];
        if (!pub.tryClaim(ctx.decoder().key(record.key(), value), value.length))
        {
            return false;
        }
        pub.buffer().putBytes(0, value);
        pub.partition(0).sourceOffset(record.offset()).timestamp(record.timestamp());
        pub.commitQuietly();
        work[p] = true;
        return true;
    }

    private void progress(final int p)
    {
        final KafkaPartitionSink s = sink[p];
        if (!rebuilt[p] && nextOffset[p] > s.delivered().offset())
        {
            rebuilt[p] = true;
            if (s.delivered().offset() >= 0)
            {
                log.accept(String.format("partition %d: state rebuilt %s up to offset %,d (what earlier owners delivered) in %,d ms; " +
                    "deciding from here", p, fromStandby[p] >= 0 ? String.format("by its standby (taken at offset %,d) and Kafka",
                    fromStandby[p]) : seededOffset[p] >= 0 ? String.format("from the published snapshot at offset %,d and Kafka",
                    seededOffset[p]) : "from Kafka", s.delivered().offset(), (System.nanoTime() - takenNs[p]) / 1_000_000));
            }
        }
        if (!decided[p] && s.sent() > 0)
        {
            decided[p] = true;
            log.accept(String.format("partition %d: first decision sent %,d ms after taking it (cause offset %,d; %,d outputs of earlier " +
                "owners dropped)", p, (System.nanoTime() - takenNs[p]) / 1_000_000, s.lastSentOffset(), s.suppressed()));
        }
    }

    private KafkaPartitionSink openSink(final int p)
    {
        return new KafkaPartitionSink(ctx.bootstrapServers(), outputTopic, ctx.groupId(), byPartition[p], formatter).open();
    }

    /**
     * Takes the partition: its sink opened (the previous owner fenced), what was delivered read; then its standby's
     * engine goes on with the sink attached, or its engine starts from the newest usable published snapshot or empty and
     * the partition is read again from the offset after it or from its beginning.
     */
    private void take(final int p, final KafkaPartitionSink s)
    {
        final TopicPartition tp = byPartition[p];
        rebuilt[p] = false;
        decided[p] = false;
        full[p] = false;
        fromStandby[p] = -1;
        final Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(tp));
        final KafkaPartitionSink.Delivered delivered = KafkaPartitionSink.Delivered.parse(committed.get(tp));
        s.delivered(delivered);
        if (state[p] == STANDBY && !delivered.ended() && promote(p, s, delivered))
        {
            return;
        }
        dropStandby(p);
        if (delivered.ended())
        {
            s.abandon();
            state[p] = ENDED;
            consumer.pause(List.of(tp));
            log.accept("partition " + p + ": its input ended and was delivered by an earlier owner: nothing to do");
            return;
        }
        final long begin = consumer.beginningOffsets(Set.of(tp)).get(tp);
        final long loadNs = System.nanoTime();
        final KafkaPartitionSink[] taking = {s};
        final Started started;
        try
        {
            started = startPartition(p, s, delivered, begin, () ->
            {
                taking[0].abandon();   // the failed start closed it: a new one fences nothing but its own
                taking[0] = openSink(p);
                taking[0].delivered(delivered);
                return taking[0];
            });
        }
        catch (final Exception ex)
        {
            taking[0].abandon();
            throw new IllegalStateException("partition " + p + ": its engine did not start in " + directory.resolve("p-" + p) + ": " + ex, ex);
        }
        sink[p] = taking[0];
        final long from = install(p, started, begin);
        consumer.seek(tp, from);
        state[p] = LIVE;
        log.accept(started.seed() != null ?
            String.format("partition %d: taken; its state loaded from the published snapshot at offset %,d (%s) in %,d ms; rebuilding from " +
                "offset %,d (earlier owners delivered up to offset %,d)", p, started.seed().offset(), shared.directory(p).resolve(
                PublishedSnapshots.name(started.seed().offset(), started.seed().delivered())), (System.nanoTime() - loadNs) / 1_000_000,
                from, delivered.offset()) :
            String.format("partition %d: taken; rebuilding its state from offset %,d (earlier owners delivered up to offset %,d)",
                p, begin, delivered.offset()));
    }

    /**
     * The new owner's sink attached to the partition's standby engine, which goes on from where it read.
     *
     * @return false if the standby cannot take over (it discarded an output the group had not delivered): closed.
     */
    private boolean promote(final int p, final KafkaPartitionSink s, final KafkaPartitionSink.Delivered delivered)
    {
        final StandbySink standby = standbySink[p];
        untail(p);
        final KafkaPartitionSink.Delivered covered = standby.covered();
        if (standby.overrun() || !delivered.covers(covered.offset(), covered.ordinal()))
        {
            log.accept(String.format("partition %d: its standby discarded outputs the group has not delivered (it discarded up to %d:%d, " +
                "the group delivered up to %d:%d): rebuilding instead", p, covered.offset(), covered.ordinal(), delivered.offset(),
                delivered.ordinal()));
            return false;
        }
        standby.attach(s);
        standbySink[p] = null;
        sink[p] = s;
        snapshotsSeen[p] = engine[p].counters().snapshots();
        publishedOffset.set(p, seededOffset[p]);
        fromStandby[p] = nextOffset[p];
        consumer.seek(byPartition[p], nextOffset[p]);
        state[p] = LIVE;
        log.accept(String.format("partition %d: taken; its standby's engine goes on from offset %,d (no rebuild; %,d outputs discarded " +
            "while standing by; earlier owners delivered up to offset %,d)", p, nextOffset[p], standby.discarded(), delivered.offset()));
        return true;
    }

    /**
     * An engine started for a partition, and the published snapshot it started from (null: empty).
     */
    private record Started(Engine engine, OutputSink sink, PublishedSnapshots.Published seed)
    {
    }

    /**
     * Starts the partition's engine in {@code p-<n>}: from the newest usable published snapshot (a refused one is logged
     * and the next older one tried), else empty.
     *
     * @param reopen gives a new sink after a seeded start failed (the engine's failed start closed the first).
     * @throws Exception if the empty engine did not start.
     */
    private Started startPartition(final int p, final OutputSink s, final KafkaPartitionSink.Delivered delivered, final long begin,
        final java.util.function.Supplier<OutputSink> reopen) throws Exception
    {
        final Path dir = directory.resolve("p-" + p);
        final PublishedSnapshots.Published seed = shared == null ? null :
            shared.newest(p, ctx.sourceId(), delivered, begin, directory.resolve("seed-" + p), line -> log.accept("partition " + p + ": " + line));
        OutputSink starting = s;
        if (seed != null)
        {
            try
            {
                return new Started(startEngine(dir, p, starting, seed.directory()), starting, seed);
            }
            catch (final Exception ex)
            {
                log.accept("partition " + p + ": refused the published snapshot " + shared.directory(p).resolve(PublishedSnapshots.name(
                    seed.offset(), seed.delivered())) + ": its engine did not start from it (" + ex.getMessage() + "): rebuilding from Kafka");
                starting = reopen.get();
            }
        }
        return new Started(startEngine(dir, p, starting, null), starting, null);
    }

    /**
     * Makes a started engine the partition's: its publisher, the snapshot it started from noted (and its local copy
     * deleted).
     *
     * @return the offset to read the partition from.
     */
    private long install(final int p, final Started started, final long begin)
    {
        final Engine e = started.engine();
        final long seeded = started.seed() == null ? -1 : started.seed().offset();
        if (started.seed() != null)
        {
            try
            {
                PublishedSnapshots.deleteTree(started.seed().directory());   // the engine holds it now, as its own snapshot
            }
            catch (final IOException ex)
            {
                log.accept("partition " + p + ": could not delete " + started.seed().directory() + ": " + ex);
            }
        }
        engine[p] = e;
        seededOffset[p] = seeded;
        publishedOffset.set(p, seeded);
        snapshotsSeen[p] = e.counters().snapshots();
        publisher[p] = e.newPublisher(ctx.sourceId());
        final long from = seeded >= 0 ? seeded + 1 : begin;
        nextOffset[p] = from;
        return from;
    }

    private Engine startEngine(final Path dir, final int p, final OutputSink s, final Path seed) throws Exception
    {
        PublishedSnapshots.deleteTree(dir);
        Files.createDirectories(dir);
        return engines.start(p, dir, s, seed);
    }

    /**
     * Starts a standby for one partition that the member neither owns nor tails yet (at most one per call: each is an
     * engine start), and raises the standbys' gates every {@value #GATE_REFRESH_MS} ms.
     */
    private void standbyUpkeep()
    {
        final Set<TopicPartition> owned = consumer.assignment();
        for (int p = 0; p < state.length; p++)
        {
            if (state[p] == NONE && !noStandby[p] && !owned.contains(byPartition[p]))
            {
                startStandby(p);
                break;
            }
        }
        if (marksAsked == null && !tailed.isEmpty() && System.currentTimeMillis() >= nextGateMs)
        {
            marksAsked = askMarks();
        }
        if (marksAsked != null && marksAsked.isDone())
        {
            raiseGates();
        }
    }

    /**
     * @return the group's committed offsets as committed transactions left them (an open transaction's offset is not
     * waited for, unlike a read_committed consumer's committed(), which an owner committing a transaction per batch
     * would keep waiting).
     */
    private org.apache.kafka.common.KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> askMarks()
    {
        return admin.listConsumerGroupOffsets(ctx.groupId(), new org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions()
            .requireStable(false)).partitionsToOffsetAndMetadata();
    }

    /**
     * Starts the partition's standby engine as a new owner would start (from the newest usable published snapshot, else
     * empty), its outputs discarded up to what the group delivered; the standbys' consumer reads it from there.
     */
    private void startStandby(final int p)
    {
        final TopicPartition tp = byPartition[p];
        final KafkaPartitionSink.Delivered delivered;
        final long begin;
        try
        {
            delivered = KafkaPartitionSink.Delivered.parse(askMarks().get(5, java.util.concurrent.TimeUnit.SECONDS).get(tp));
            // the admin, not the tail consumer: a read_committed consumer warns of each partition it asks about unassigned
            begin = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest())).partitionResult(tp)
                .get(5, java.util.concurrent.TimeUnit.SECONDS).offset();
        }
        catch (final org.apache.kafka.common.KafkaException | java.util.concurrent.ExecutionException |
            java.util.concurrent.TimeoutException ex)
        {
            log.accept("partition " + p + ": cannot read its committed offset for a standby (tried again later): " + ex);
            return;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return;
        }
        if (delivered.ended())
        {
            noStandby[p] = true;
            return;
        }
        final StandbySink standby = new StandbySink(delivered);
        final Started started;
        try
        {
            started = startPartition(p, standby, delivered, begin, () -> standby);
        }
        catch (final Exception ex)
        {
            noStandby[p] = true;
            log.accept("partition " + p + ": its standby's engine did not start (no standby for it): " + ex);
            return;
        }
        standbySink[p] = standby;
        final long from = install(p, started, begin);
        gate[p] = delivered.offset() - 2;
        tailPaused[p] = false;
        tailed.add(tp);
        tail.assign(tailed);
        tail.seek(tp, from);
        state[p] = STANDBY;
        log.accept(String.format("partition %d: standby started %s, reading from offset %,d (the group delivered up to offset %,d)", p,
            started.seed() != null ? "from the published snapshot at offset " + started.seed().offset() : "empty", from, delivered.offset()));
    }

    /**
     * Takes the group's committed marks asked for: each standby may then be fed the records up to two offsets below its
     * mark's cause (every output they cause is delivered). A partition whose input ended stops being tailed.
     */
    private void raiseGates()
    {
        final Map<TopicPartition, OffsetAndMetadata> marks;
        try
        {
            marks = marksAsked.get();
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            log.accept("cannot read the group's committed offsets for the standbys (tried again later): " + ex.getCause());
            return;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return;
        }
        finally
        {
            marksAsked = null;
            nextGateMs = System.currentTimeMillis() + GATE_REFRESH_MS;
        }
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : marks.entrySet())
        {
            final int p = entry.getKey().partition();
            final KafkaPartitionSink.Delivered mark = KafkaPartitionSink.Delivered.parse(entry.getValue());
            if (!entry.getKey().topic().equals(ctx.topic()) || state[p] != STANDBY)
            {
                continue;
            }
            if (mark.ended())
            {
                log.accept(String.format("partition %d: its input ended and was delivered: standby closed at offset %,d", p, nextOffset[p]));
                noStandby[p] = true;
                dropStandby(p);
                continue;
            }
            final StandbySink standby = standbySink[p];
            final KafkaPartitionSink.Delivered covered = standby.covered();
            if (mark.covers(covered.offset(), covered.ordinal()))
            {
                standby.covered(mark);   // before the records it covers are fed
                gate[p] = mark.offset() - 2;
            }
        }
    }

    /**
     * Feeds the standbys the records polled for them, up to their gates; a partition past its gate or whose ring is full
     * is sought back and paused until the gate rises or the ring has room.
     *
     * @return the records fed.
     */
    private int tailWork()
    {
        if (tailed.isEmpty())
        {
            return 0;
        }
        for (int p = 0; p < state.length; p++)
        {
            if (tailPaused[p] && state[p] == STANDBY && nextOffset[p] <= gate[p] && engine[p].ringFreeSlots() >= resumeFreeSlots(p))
            {
                tail.resume(List.of(byPartition[p]));
                tailPaused[p] = false;
            }
        }
        final ConsumerRecords<byte[], byte[]> records = tail.poll(Duration.ZERO);
        int count = 0;
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            final int p = record.partition();
            if (state[p] != STANDBY || tailPaused[p])
            {
                continue;
            }
            if (record.offset() > gate[p] || record.headers().lastHeader(END_OF_INPUT_HEADER) != null || !feed(p, record))
            {
                tail.seek(byPartition[p], nextOffset[p]);
                tail.pause(List.of(byPartition[p]));
                tailPaused[p] = true;
                continue;
            }
            count++;
        }
        return count;
    }

    /**
     * @return false if the standby's ring is full.
     */
    private boolean feed(final int p, final ConsumerRecord<byte[], byte[]> record)
    {
        if (ctx.decoder().check(record.key(), record.value()) == null && !publish(p, record))
        {
            return false;
        }
        nextOffset[p] = record.offset() + 1;
        return true;
    }

    /**
     * The partition stops being read by the standbys' consumer.
     */
    private void untail(final int p)
    {
        if (tailed.remove(byPartition[p]))
        {
            tail.assign(tailed);
        }
        tailPaused[p] = false;
    }

    /**
     * Closes the partition's standby, if it has one.
     */
    private void dropStandby(final int p)
    {
        if (state[p] != STANDBY)
        {
            return;
        }
        untail(p);
        closeEngine(p);
        standbySink[p] = null;
        state[p] = NONE;
    }

    /**
     * Publishes the newest snapshot of the partition's engine if it completed one since the last look, once its outputs
     * are committed: the sink's committed mark, read after the snapshot completed, covers every output caused below it.
     * The copy runs on the publishing thread.
     */
    private void publishSnapshot(final int p)
    {
        if (shared == null || state[p] != LIVE)
        {
            return;
        }
        final long taken = engine[p].counters().snapshots();
        if (taken == snapshotsSeen[p])
        {
            return;
        }
        snapshotsSeen[p] = taken;
        final Engine e = engine[p];
        final KafkaPartitionSink s = sink[p];
        publishing.execute(() -> publish(p, e, s));
    }

    /**
     * The publishing thread: copies the engine's newest snapshot to the shared directory unless one as new is there. The
     * sink's committed mark and fencing are read after the snapshot is found complete: the egress flushed (committed)
     * every output caused below it before completing it, so the mark covers them, unless the sink was fenced (its commit
     * then failed, and nothing is published).
     */
    private void publish(final int p, final Engine e, final KafkaPartitionSink s)
    {
        final long startNs = System.nanoTime();
        try
        {
            final io.ringside.engine.EngineSnapshot snapshot = e.newestSnapshot();
            e.counters().snapshots();   // a volatile read after the snapshot completed: the sink's state below is as new
            final KafkaPartitionSink.Delivered mark = s.committed();
            if (snapshot == null || s.fenced() || s.failure() != null)
            {
                return;   // a fenced or failed sink's outputs may not all be committed: a snapshot would skip them for the next owner
            }
            final long offset = snapshot.sourceOffset(ctx.sourceId(), 0);
            final long last = publishedOffset.get(p);
            if (offset <= last || !publishedOffset.compareAndSet(p, last, offset))
            {
                return;
            }
            final Path at = shared.publish(p, snapshot, offset, mark);
            snapshotsPublished++;
            if (at != null)
            {
                log.accept(String.format("partition %d: published its snapshot at offset %,d (delivered up to %d:%d) in %,d ms: %s", p, offset,
                    mark.offset(), mark.ordinal(), (System.nanoTime() - startNs) / 1_000_000, at));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            log.accept("partition " + p + ": could not publish its snapshot (the next one will be): " + ex);
        }
    }

    private void endPartition(final int p)
    {
        publisher[p].endOfInput();
        sink[p].endOfInput(nextOffset[p]);
        final boolean ended = closeEngine(p) && sink[p].commitEnd();
        if (sink[p].fenced())
        {
            sink[p].abandon();
            state[p] = NONE;
            consumer.pause(List.of(byPartition[p]));
            log.accept("partition " + p + ": a new owner fenced this one: it delivers the rest (this member is to lose the partition)");
            return;
        }
        if (!ended)
        {
            sink[p].abandon();
            log.accept(String.format("partition %d: input ended at offset %,d, but its engine did not drain or its sink could not " +
                "commit the end (see above): rebuilding it", p, nextOffset[p] - 1));
            takenNs[p] = System.nanoTime();
            take(p, openSink(p));
            return;
        }
        state[p] = ENDED;
        consumer.pause(List.of(byPartition[p]));
        log.accept(String.format("partition %d: input ended at offset %,d; outputs delivered with the end mark (%,d sent by this owner)", p,
            nextOffset[p] - 1, sink[p].sent()));
    }

    /**
     * Stops taking the partition's records, drains its engine and commits what its sink holds.
     */
    private void release(final int p)
    {
        if (state[p] == LIVE)
        {
            closeEngine(p);
            log.accept(String.format("partition %d: handed over at offset %,d (%,d outputs sent by this owner%s)", p, nextOffset[p],
                sink[p].sent(), sink[p].fenced() ? "; it was fenced: the new owner makes the rest" : ""));
        }
        state[p] = NONE;
        full[p] = false;
    }

    /**
     * @return whether the engine drained (every event handled, every output delivered to the sink) and closed cleanly.
     */
    private boolean closeEngine(final int p)
    {
        work[p] = false;
        boolean clean = false;
        try
        {
            publisher[p].close();
        }
        finally
        {
            try
            {
                engine[p].close();
                clean = true;
            }
            catch (final RuntimeException ex)
            {
                log.accept("partition " + p + ": its engine closed with an error: " + ex);
            }
            engine[p] = null;
            publisher[p] = null;
        }
        return clean;
    }

    private void owned(final Collection<TopicPartition> leaving)
    {
        joined = true;
        lastActivityMs = System.currentTimeMillis();
        final Set<Integer> owned = new TreeSet<>();
        for (final TopicPartition tp : consumer.assignment())
        {
            if (!leaving.contains(tp))
            {
                owned.add(tp.partition());
            }
        }
        ownedText = owned.toString();
        log.accept("owns partitions " + ownedText);
    }

    private final class Listener implements ConsumerRebalanceListener
    {
        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            for (final TopicPartition tp : partitions)
            {
                release(tp.partition());
            }
            if (!partitions.isEmpty())
            {
                owned(partitions);
            }
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            log.accept("lost partitions " + partitions + " (evicted from the group)");
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            if (partitions.isEmpty())
            {
                joined = true;
                lastActivityMs = System.currentTimeMillis();
                return;
            }
            log.accept("assigned " + partitions.stream().map(TopicPartition::partition).sorted().toList() + ": taking them");
            // the sinks' producers start and fence the previous owners side by side (initTransactions is a round trip or more)
            final List<java.util.concurrent.CompletableFuture<KafkaPartitionSink>> sinks = new java.util.ArrayList<>();
            for (final TopicPartition tp : partitions)
            {
                takenNs[tp.partition()] = System.nanoTime();
                sinks.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> openSink(tp.partition()), opener));
            }
            int i = 0;
            for (final TopicPartition tp : partitions)
            {
                take(tp.partition(), sinks.get(i++).join());
            }
            owned(List.of());
        }
    }

    @Override
    public void onClose()
    {
        if (consumer == null)
        {
            return;
        }
        try
        {
            for (int p = 0; p < state.length; p++)
            {
                dropStandby(p);
                release(p);
            }
        }
        finally
        {
            if (tail != null)
            {
                tail.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
                admin.close(Duration.ofSeconds(5));
            }
            // leaving the group moves the partitions now rather than after the session timeout
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            opener.shutdown();
            publishing.shutdown();
        }
    }

    /**
     * @return the partitions owned now, as "[0, 3]" (any thread).
     */
    public String ownedPartitions()
    {
        return ownedText;
    }

    /**
     * @return the first error of the member's thread, or null: the member is then not to be trusted with its partitions
     * (close it; another member takes them over). Any thread.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * @return true when no owned partition is live (all ended, or none owned) once the member has joined the group (it
     * has been assigned partitions, or none). Any thread.
     */
    public boolean allEnded()
    {
        return allEnded;
    }

    /**
     * @return System.currentTimeMillis() of the last poll that published records or the last change of the partitions owned
     * (any thread).
     */
    public long lastActivityMs()
    {
        return lastActivityMs;
    }

    /**
     * @return the milliseconds from the first poll that published records to the last one, 0 before (any thread).
     */
    public long readingMs()
    {
        return lastRecordMs - firstRecordMs;
    }

    /**
     * @return records published into the partitions' engines, rebuilds included (any thread, approximate).
     */
    public long published()
    {
        return published;
    }

    /**
     * @return snapshots this member published (any thread).
     */
    public long snapshotsPublished()
    {
        return snapshotsPublished;
    }

    /**
     * @return records the decoder refused (skipped).
     */
    public long refused()
    {
        return refused;
    }

    /**
     * Stops the thread: every owned partition is handed over (drained, committed), then the member leaves the group.
     */
    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
    }
}
