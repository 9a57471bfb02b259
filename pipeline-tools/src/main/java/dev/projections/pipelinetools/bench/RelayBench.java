package dev.projections.pipelinetools.bench;

import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.RelayShards;
import dev.projections.cdcrelay.Resharding;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.pipelinetools.bench.RelayBenchReport.Run;
import dev.projections.pipelinetools.bench.RelayBenchReport.Stage;
import dev.projections.pipelinetools.PipelineProcess;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The relay with 1 shard and with 2, round after round, in two stages: catch-up, events committed in
 * batches into {@code eventstore.events} until Kafka acknowledged them all; and a fixed rate, one event a
 * transaction, as writers append. Each reports the CPU each part took. The broker runs in a process of its
 * own, so that this process's CPU is the relay's and the bench's; the CPU of the bench's threads, which
 * insert and wait, is taken out. Each run has slots of its own, made before it starts, so that it streams
 * only what it is given.
 */
public final class RelayBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long SELF = ProcessHandle.current().pid();
    private static final String DECODING_THREAD = "change-event-source-coordinator";
    private static final String DELAY_TIMER = "pipeline.relay.delay";
    private static final int RATE_WRITERS = 4;

    private final int events;
    private final int warmUpEvents;
    private final int rounds;
    private final List<Integer> shardCounts;
    private final int rate;
    private final int rateEvents;
    private final PrintStream out;

    /**
     * @param rate events a second of the fixed-rate stage, one a transaction from {@link #RATE_WRITERS} writers; 0 leaves it out
     * @param rateEvents events of a fixed-rate run, measured
     */
    public RelayBench(int events, int warmUpEvents, int rounds, List<Integer> shardCounts, int rate, int rateEvents, PrintStream out) {
        this.events = events;
        this.warmUpEvents = warmUpEvents;
        this.rounds = rounds;
        this.shardCounts = List.copyOf(shardCounts);
        this.rate = rate;
        this.rateEvents = rateEvents;
        this.out = out;
    }

    /** Runs every round and returns the report's lines. */
    public List<String> run(Path work) throws Exception {
        int kafkaPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            kafkaPort = socket.getLocalPort();
        }
        Process broker = PipelineProcess.builder(Map.of(), List.of("broker", "--port", Integer.toString(kafkaPort), "--data-dir",
                work.resolve("kafka").toString())).redirectOutput(work.resolve("broker.log").toFile()).start();
        Map<Stage, Map<Integer, List<Run>>> runs = new LinkedHashMap<>();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start(0, work.resolve("postgres"))) {
            Migrations.migrate(postgres.dataSource());
            awaitBroker(work.resolve("broker.log"));
            Map<String, String> flags = Map.of(DatabaseSettings.URL, postgres.jdbcUrl(), KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:" + kafkaPort);
            // the backend stays while the meter finds its server from it
            try (Connection backend = postgres.dataSource().getConnection(); ResourceMeter meter = new ResourceMeter(backendPid(backend))) {
                BenchWorkload workload = new BenchWorkload();
                for (int round = 1; round <= rounds; round++) {
                    for (Stage stage : rate > 0 ? Stage.values() : new Stage[] {Stage.CATCH_UP}) {
                        for (int shards : shardCounts) {
                            out.printf("bench relay: round %d of %d, %d shard(s), %s: %,d events after %,d not measured%n", round, rounds,
                                    shards, stage == Stage.CATCH_UP ? "catch-up" : String.format(Locale.US, "%,d events/s", rate),
                                    stage == Stage.CATCH_UP ? events : rateEvents, warmUpEvents);
                            runs.computeIfAbsent(stage, s -> new LinkedHashMap<>()).computeIfAbsent(shards, count -> new ArrayList<>())
                                    .add(run(postgres.dataSource(), flags, stage, shards, round, workload, meter, broker.toHandle()));
                        }
                    }
                }
            }
        } finally {
            broker.destroy();
            broker.waitFor(30, TimeUnit.SECONDS);
        }
        return new RelayBenchReport(events, warmUpEvents, rounds, shardCounts, rate, rateEvents, RATE_WRITERS).lines(runs);
    }

    private Run run(DataSource dataSource, Map<String, String> flags, Stage stage, int shards, int round, BenchWorkload workload,
            ResourceMeter meter, ProcessHandle broker) throws Exception {
        String run = stage.name().toLowerCase(Locale.ROOT).replace("_", "") + "_r" + round + "_s" + shards;
        Map<String, String> own = new HashMap<>(flags);
        own.put(CdcRelayConfig.SHARDS, Integer.toString(shards));
        own.put(CdcRelayConfig.SLOT_NAME, "bench_relay_" + run);
        own.put(CdcRelayConfig.OFFSETS_TOPIC, "bench.relay.offsets." + run);
        // the relay's other settings from the environment, as the relay takes them: a run can try them
        Settings settings = Settings.fromEnvironment(own);
        CdcRelayConfig config = CdcRelayConfig.from(settings, System.getenv());
        settings.validate();
        List<String> slots = config.slotNames();
        try (Connection connection = dataSource.getConnection()) {
            for (String slot : slots) {
                Resharding.makeSlot(connection, slot);
            }
        }
        Monitoring monitoring = new Monitoring("bench-relay", LatencyRecorder.fineBuckets(DELAY_TIMER));
        try (RelayShards relay = RelayShards.start(config, monitoring)) {
            awaitActive(relay);
            List<BenchWorkload.Event> warmUp = workload.documents(warmUpEvents / BenchWorkload.EVENTS_PER_DOCUMENT);
            BenchWorkload.insertBatched(dataSource, "eventstore.events", warmUp);
            awaitPublished(monitoring, warmUp.size());
            List<BenchWorkload.Event> measured = workload.documents((stage == Stage.CATCH_UP ? events : rateEvents)
                    / BenchWorkload.EVENTS_PER_DOCUMENT);
            long before = published(monitoring);

            Map<Double, Double> delaysBefore = delays(monitoring);
            ResourceMeter.CpuMark start = meter.mark();
            double brokerBefore = ResourceMeter.cpuSeconds(broker);
            Map<Long, Double> walSendersBefore = meter.walSenderCpuSeconds();
            Map<Long, Long> threadsBefore = threadCpu();
            Map<Long, Double> ownCompilersBefore = ProcFiles.compilerThreadCpuSeconds(SELF);
            Map<Long, Double> brokerCompilersBefore = ProcFiles.compilerThreadCpuSeconds(broker.pid());
            // the bench's own threads, which insert and wait, are not the relay's
            long benchBefore = THREADS.getCurrentThreadCpuTime();
            double writers = 0;
            if (stage == Stage.CATCH_UP) {
                BenchWorkload.insertBatched(dataSource, "eventstore.events", measured);
            } else {
                writers = BenchWorkload.insertAtRate(dataSource, measured, rate, RATE_WRITERS, meter::sessionCpuSeconds).threadCpuSeconds();
            }
            awaitPublished(monitoring, before + measured.size());
            double bench = (THREADS.getCurrentThreadCpuTime() - benchBefore) / 1e9 + writers;
            ResourceMeter.CpuMark end = meter.mark();
            double brokerCpu = ResourceMeter.cpuSeconds(broker) - brokerBefore;
            Map<Long, Long> threadsAfter = threadCpu();
            double ownCompiling = increase(ownCompilersBefore, ProcFiles.compilerThreadCpuSeconds(SELF));
            double brokerCompiling = increase(brokerCompilersBefore, ProcFiles.compilerThreadCpuSeconds(broker.pid()));
            Map<Long, Double> walSendersAfter = meter.walSenderCpuSeconds();
            Map<Double, Double> delaysAfter = delays(monitoring);
            delaysAfter.replaceAll((bound, count) -> count - delaysBefore.getOrDefault(bound, 0.0));

            double seconds = (end.nanos() - start.nanos()) / 1e9;
            Map<Long, Double> cores = new HashMap<>();
            threadsAfter.forEach((id, cpu) -> cores.put(id, (cpu - threadsBefore.getOrDefault(id, 0L)) / 1e9 / seconds));
            double debezium = cores.entrySet().stream().filter(thread -> name(thread.getKey()).contains(DECODING_THREAD))
                    .mapToDouble(Map.Entry::getValue).max().orElse(0);
            List<String> busiest = cores.entrySet().stream().sorted(Map.Entry.<Long, Double>comparingByValue().reversed()).limit(6)
                    .map(thread -> String.format(Locale.US, "%s %.2f", name(thread.getKey()), thread.getValue())).toList();
            double[] walSenders = walSendersAfter.entrySet().stream().mapToDouble(sender -> sender.getValue()
                    - walSendersBefore.getOrDefault(sender.getKey(), sender.getValue())).toArray();
            double walSender = Arrays.stream(walSenders).max().orElse(0) / seconds;
            double machine = end.machine().isPresent() && start.machine().isPresent()
                    ? end.machine().get().busySeconds() - start.machine().get().busySeconds() : Double.NaN;
            // this process's and the broker's JIT compiling apart: a young JVM's cost, not an event's
            double relayCpu = end.pipelineSeconds() - start.pipelineSeconds() - bench - ownCompiling;
            double postgresCpu = end.postgresSeconds() - start.postgresSeconds();
            int count = measured.size();
            // what relaying itself cost, without the inserts and whatever else the machine ran
            double relaying = relayCpu + Arrays.stream(walSenders).sum() + brokerCpu - brokerCompiling;
            return new Run(shards, count, seconds, debezium, walSender, machine / count * 1e6, relayCpu / count * 1e6, relaying / count * 1e6,
                    (ownCompiling + brokerCompiling) / count * 1e6, postgresCpu / count * 1e6, machine / seconds, percentile(delaysAfter, 50),
                    percentile(delaysAfter, 99), busiest);
        } finally {
            monitoring.close();
            try (Connection connection = dataSource.getConnection()) {
                for (String slot : slots) {
                    Resharding.dropSlot(connection, slot);
                }
            }
        }
    }

    /** The relay's delay histogram of every shard, summed: events at most so many milliseconds late, by the bucket's bound. */
    private static Map<Double, Double> delays(Monitoring monitoring) {
        Map<Double, Double> counts = new TreeMap<>();
        for (Timer timer : monitoring.registry().find(DELAY_TIMER).timers()) {
            for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
                counts.merge(bucket.bucket(TimeUnit.MILLISECONDS), bucket.count(), Double::sum);
            }
        }
        return counts;
    }

    /** The percentile of {@link #delays}' buckets, in ascending order, as {@link LatencyRecorder#percentile} reads the projectors'. */
    private static double percentile(Map<Double, Double> cumulative, double percent) {
        return LatencyRecorder.percentile(cumulative.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                cumulative.values().stream().mapToDouble(Double::doubleValue).toArray(), percent);
    }

    /** CPU seconds the threads of a later reading took since an earlier one; a thread new since then, all of its. */
    private static double increase(Map<Long, Double> before, Map<Long, Double> after) {
        return after.entrySet().stream().mapToDouble(thread -> thread.getValue() - before.getOrDefault(thread.getKey(), 0.0)).sum();
    }

    /** CPU nanoseconds of each live thread of this process, by thread id. */
    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    private static String name(long threadId) {
        ThreadInfo thread = THREADS.getThreadInfo(threadId);
        // a pool thread's number changes from run to run; its pool's name tells what it does
        return thread == null ? "ended" : thread.getThreadName().replaceAll("-\\d+$", "");
    }

    private static void awaitActive(RelayShards relay) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!relay.allActive()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the relay's shards did not become active within 2 minutes");
            }
            Thread.sleep(20);
        }
    }

    /** The events every shard of the run has had Kafka acknowledge, by the relay's own counter, {@code pipeline_relay_events_total}. */
    private static long published(Monitoring monitoring) {
        return (long) monitoring.registry().find("pipeline.relay.events").counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void awaitPublished(Monitoring monitoring, long events) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (published(monitoring) < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the relay published " + published(monitoring) + " of " + events + " events within 5 minutes");
            }
            Thread.sleep(2);
        }
    }

    private static void awaitBroker(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
                if (reader.lines().anyMatch(line -> line.contains("broker ready"))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the broker did not start within 2 minutes; see " + log);
    }

    private static long backendPid(Connection connection) throws Exception {
        try (ResultSet rows = connection.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
