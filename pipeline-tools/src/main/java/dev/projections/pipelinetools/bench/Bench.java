package dev.projections.pipelinetools.bench;

import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.operations.Rebuild;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One bench run, stage by stage, on one set of services: the database's ceilings, the relay, the
 * projectors' catch-up, latency at fixed rates, rebuilds and scale-out with projector processes.
 */
public final class Bench {

    /** The read models the workload's events reach. */
    static final List<String> READ_MODELS = List.of("document", "semantic-ir");
    static final String SCALED = "document";

    /** What to run; {@code flags} are the pipeline's settings by key, as {@code --set} gives them. */
    public record Options(int documents, int warmUpDocuments, int writers, List<Integer> rates, Duration warmUp, Duration rateDuration,
            List<Integer> instances, boolean rebuild, boolean durable, Map<String, String> postgresConfig, Map<String, String> flags, Path out,
            long verifyEvents) {
    }

    private static final Duration COMPILER_QUIET_PATIENCE = Duration.ofSeconds(90);

    private final Options options;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final List<String> limits = new ArrayList<>();
    private final List<BenchResults.Series> throughput = new ArrayList<>();
    private final List<BenchResults.Series> lag = new ArrayList<>();
    private final Map<String, Long> written = new LinkedHashMap<>();

    public Bench(Options options, Map<String, String> environment, PrintStream out) {
        this.options = options;
        this.environment = environment;
        this.out = out;
    }

    public BenchResults run() throws Exception {
        Instant startedAt = Instant.now();
        Files.createDirectories(options.out().resolve("logs"));
        say("starting the services");
        try (BenchServices services = BenchServices.start(options.flags(), environment, options.durable(), options.postgresConfig());
                ResourceMeter meter = new ResourceMeter(BenchMachine.backendPid(services))) {
            BenchMachine.requireEmptyEventStore(services);
            BenchWorkload workload = new BenchWorkload();
            List<BenchWorkload.Event> burst = workload.documents(options.documents());
            ReadModelProgress database = ReadModelProgress.inDatabase(services.dataSource());
            LatencyRecorder latencies = new LatencyRecorder(services.monitoring().registry());

            say("ceilings: batched inserts and upserts into scratch tables");
            BenchResults.Ceilings ceilings = Ceilings.measure(services.dataSource(), burst);

            services.startRelay(Duration.ofMinutes(2));
            Map<String, ProjectorApp> projectors = new LinkedHashMap<>();
            // what each read model applied before the current projector started: a progress count is of the run
            Map<String, Long> before = new LinkedHashMap<>();
            ReadModelProgress progress = ReadModelProgress.counted(readModel -> {
                ProjectorApp projector = projectors.get(readModel);
                return before.get(readModel) + projector.metrics().applied() + projector.metrics().parkedCount();
            });
            if (options.warmUpDocuments() > 0) {
                List<BenchWorkload.Event> warmUp = workload.documents(options.warmUpDocuments());
                say("warm-up: " + warmUp.size() + " events through the relay and every projector, not measured");
                startProjectors(services, projectors, before);
                BenchWorkload.insertBatched(services.dataSource(), "eventstore.events", warmUp);
                READ_MODELS.forEach(readModel -> written.put(readModel, (long) warmUp.size()));
                progress.await("warm-up", Map.of(), written, timeout(warmUp.size()),
                        () -> projectors.values().stream().anyMatch(p -> p.failure().isDone()));
                for (String readModel : Projections.names()) {
                    services.stopProjector(readModel);
                }
                say("warm-up: until the JIT compiler has compiled what the warm-up ran");
                // a few documents' warm-up compiles little, and a short run does not wait for it
                Duration quiet = BenchMachine.awaitCompilerQuiet(Duration.ofSeconds(Math.min(COMPILER_QUIET_PATIENCE.toSeconds(), warmUp.size() / 300)));
                limits.add(String.format(Locale.US, "warm-up: %,d events through the relay and every projector, not measured; "
                        + "then %.0f s until the JIT compiler was quiet (the stages below ran on a warm JVM, as a deployment's "
                        + "processes do; --warm-up-documents 0 measures a JVM that has just started)", warmUp.size(),
                        quiet.toMillis() / 1000.0));
            }

            say("relay: " + burst.size() + " events committed in batches, until Kafka acknowledged them all");
            // the first event alone, relayed before the clock starts: the relay is then streaming the WAL as it does
            // in production, rather than reading the table in its first start's snapshot
            BenchWorkload.insertBatched(services.dataSource(), "eventstore.events", burst.subList(0, 1));
            awaitRelayed(services, Duration.ofMinutes(2).toSeconds());
            List<BenchWorkload.Event> timed = burst.subList(1, burst.size());
            ResourceMeter.CpuMark mark = meter.mark();
            long relayStart = System.nanoTime();
            BenchWorkload.insertBatched(services.dataSource(), "eventstore.events", timed);
            awaitRelayed(services, timeout(timed.size()));
            BenchResults.Throughput relay = new BenchResults.Throughput("relay", timed.size(), (System.nanoTime() - relayStart) / 1e9,
                    ceilings.eventInsertsPerSecond());
            limits.add("relay: " + meter.busySince(mark, 0) + "; " + meter.perEventSince(mark, timed.size()));

            say("catch-up: every projector started on the " + burst.size() + " events in Kafka");
            mark = meter.mark();
            startProjectors(services, projectors, before);
            Map<String, Long> caughtUpFrom = new LinkedHashMap<>(written);
            written(written, burst.size());
            ReadModelProgress.Run catchUp = progress.await("catch-up", caughtUpFrom, written, timeout(burst.size()),
                    () -> projectors.values().stream().anyMatch(p -> p.failure().isDone()));
            limits.add("catch-up: " + meter.busySince(mark, 0) + "; " + meter.perEventSince(mark, burst.size()) + warmingUp(catchUp));
            keep(catchUp);
            List<BenchResults.Throughput> catchUps = throughputs(catchUp, burst.size(), ceilings.readModelUpsertsPerSecond());

            List<BenchResults.Latency> latency = new ArrayList<>();
            for (int rate : options.rates()) {
                if (!options.warmUp().isZero()) {
                    List<BenchWorkload.Event> warmUp = workload.documents(documents(rate, options.warmUp()));
                    say("latency: " + options.warmUp().toSeconds() + " s at " + rate + "/s first, not measured, to reach a steady state");
                    Map<String, Long> from = new LinkedHashMap<>(written);
                    written(written, warmUp.size());
                    BenchWorkload.insertAtRate(services.dataSource(), warmUp, rate, options.writers(), meter::sessionCpuSeconds);
                    progress.await("warm-up " + rate + "/s", from, written, timeout(warmUp.size()),
                            () -> projectors.values().stream().anyMatch(p -> p.failure().isDone()));
                }
                List<BenchWorkload.Event> events = workload.documents(documents(rate, options.rateDuration()));
                say("latency: " + events.size() + " events at " + rate + "/s, one per transaction, from " + options.writers() + " writers");
                Map<String, Long> from = new LinkedHashMap<>(written);
                written(written, events.size());
                mark = meter.mark();
                latencies.start(READ_MODELS);
                BenchWorkload.RateRun run;
                try (StageLag stages = new StageLag("at " + rate + "/s", services.dataSource(), services.relay()::lastRelayedSequence,
                        progress, from)) {
                    run = BenchWorkload.insertAtRate(services.dataSource(), events, rate, options.writers(), meter::sessionCpuSeconds);
                    progress.await("latency " + rate + "/s", from, written, timeout(events.size()),
                            () -> projectors.values().stream().anyMatch(p -> p.failure().isDone()));
                    List<BenchResults.Series> behind = stages.series();
                    lag.addAll(behind);
                    limits.add("latency at " + rate + "/s: " + meter.busySince(mark, 0) + "; " + meter.perEventSince(mark, events.size())
                            + "; of them " + meter.writersSince(mark, run)
                            + "; most events behind: " + behind.stream()
                            .map(series -> series.name() + " " + (long) Arrays.stream(series.values()).max().orElse(0))
                            .collect(Collectors.joining(", ")));
                }
                for (String readModel : READ_MODELS) {
                    latency.add(latencies.result(readModel, rate, events.size() / run.seconds()));
                }
            }

            BenchResults.VerifyUnderLoad verify = null;
            if (options.verifyEvents() > 0) {
                verify = VerifyUnderLoad.run(new VerifyUnderLoad.Context(services, workload, progress, latencies, written,
                        () -> projectors.values().stream().anyMatch(p -> p.failure().isDone()), options.writers(), meter, this::say),
                        options.verifyEvents(), options.rates().get(0), options.rateDuration());
            }

            List<BenchResults.Throughput> rebuilds = new ArrayList<>();
            for (String readModel : options.rebuild() ? READ_MODELS : List.<String>of()) {
                say("rebuild: bin/pipeline replay " + readModel + " --rebuild");
                services.stopProjector(readModel);
                mark = meter.mark();
                Process replay = services.spawn(options.out().resolve("logs/replay-" + readModel + ".log"), "replay", readModel, "--rebuild");
                while (database.applied(readModel) >= written.get(readModel) && replay.isAlive()) {
                    Thread.sleep(100);
                }
                ReadModelProgress.Run rebuild = database.await("rebuild", Map.of(), Map.of(readModel, written.get(readModel)),
                        timeout(written.get(readModel)), () -> !replay.isAlive() && replay.exitValue() != 0);
                double replayCpu = cpuSeconds(replay);
                if (!replay.waitFor(2, TimeUnit.MINUTES) || replay.exitValue() != 0) {
                    throw new IllegalStateException("replay of " + readModel + " did not finish; see logs/replay-" + readModel + ".log");
                }
                limits.add("rebuild " + readModel + ": " + meter.busySince(mark, replayCpu) + warmingUp(rebuild));
                keep(rebuild);
                rebuilds.addAll(throughputs(rebuild, written.get(readModel), ceilings.readModelUpsertsPerSecond()));
            }

            List<BenchResults.Throughput> scaleOut = new ArrayList<>();
            for (int instances : options.instances()) {
                say("scale-out: " + SCALED + " rebuilt by " + instances + " projector process(es)");
                Rebuild.clear(Projections.named(SCALED).orElseThrow(), services.dataSource());
                mark = meter.mark();
                List<Process> processes = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    processes.add(services.spawn(options.out().resolve("logs/scale-" + instances + "-" + i + ".log"), "projector", SCALED,
                            "--metrics-port", "0", "--set", ProjectorConfig.APPLICATION_ID_PREFIX + "=bench-scale-" + instances + "-"));
                }
                ReadModelProgress.Run run = database.await("scale-out " + instances, Map.of(), Map.of(SCALED, written.get(SCALED)),
                        timeout(written.get(SCALED)), () -> processes.stream().anyMatch(p -> !p.isAlive()));
                double cpu = processes.stream().mapToDouble(Bench::cpuSeconds).sum();
                limits.add("scale-out with " + instances + ": " + meter.busySince(mark, cpu));
                for (Process process : processes) {
                    BenchServices.stop(process);
                }
                scaleOut.add(new BenchResults.Throughput(instances + (instances == 1 ? " instance" : " instances"), written.get(SCALED),
                        run.seconds().get(SCALED), ceilings.readModelUpsertsPerSecond()));
            }

            if (options.instances().size() > 1) {
                limits.add("scale-out: the instances share the machine's " + Runtime.getRuntime().availableProcessors()
                        + " cores with PostgreSQL; once every core is busy, another instance brings its own JVM's work and a"
                        + " rebalance, not capacity: instances scale with cores (or hosts) of their own, up to the partition count");
            }
            return new BenchResults(startedAt, services.embedded() ? "embedded" : "external", BenchMachine.machine(services),
                    BenchMachine.durability(services, environment), new BenchResults.Workload(options.documents(), burst.size(),
                    options.warmUpDocuments() * BenchWorkload.EVENTS_PER_DOCUMENT, options.writers(),
                    options.warmUp().toMillis() / 1000.0, options.rateDuration().toMillis() / 1000.0), ceilings, relay,
                    catchUps, latency, rebuilds, scaleOut, new BenchResults.Memory(meter.pipelinePeakRss(), meter.postgresPeakRss()),
                    throughput, lag, limits, verify);
        }
    }

    /** Waits until Kafka acknowledged every event committed so far. */
    private static void awaitRelayed(BenchServices services, long timeoutSeconds) throws SQLException, InterruptedException {
        long last = BenchWorkload.lastSequence(services.dataSource());
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (services.relay().lastRelayedSequence() < last) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the relay did not publish up to sequence " + last + " within " + timeoutSeconds + " s");
            }
            Thread.sleep(5);
        }
    }

    private static String warmingUp(ReadModelProgress.Run run) {
        return run.secondHalfRate().entrySet().stream()
                .map(readModel -> String.format(Locale.US, "%s %,.0f events/s in the second half",
                        readModel.getKey(), readModel.getValue()))
                .collect(Collectors.joining(", ", "; ", " (the first seconds of a new process go to compiling its code)"));
    }

    private void keep(ReadModelProgress.Run run) {
        throughput.addAll(run.throughput());
        lag.addAll(run.lag());
    }

    private static List<BenchResults.Throughput> throughputs(ReadModelProgress.Run run, long events, double ceiling) {
        List<BenchResults.Throughput> rows = new ArrayList<>();
        run.seconds().forEach((readModel, seconds) -> rows.add(new BenchResults.Throughput(readModel, events, seconds, ceiling)));
        return rows;
    }

    /** Starts a projector of each read model, noting what the read model had applied before it. */
    private void startProjectors(BenchServices services, Map<String, ProjectorApp> projectors, Map<String, Long> before) {
        for (String readModel : Projections.names()) {
            before.put(readModel, written.getOrDefault(readModel, 0L));
            projectors.put(readModel, services.startProjector(readModel));
            // the metrics live on in the registry from one projector to the next; a new one applies nothing
            // before its consumer has joined its group, seconds after this
            ProjectorApp projector = projectors.get(readModel);
            before.merge(readModel, -(projector.metrics().applied() + projector.metrics().parkedCount()), Long::sum);
        }
    }

    /** The documents whose events, written at {@code rate}, take {@code duration}; one at least. */
    static int documents(int rate, Duration duration) {
        return Math.max(1, (int) (rate * duration.toMillis() / 1000 / BenchWorkload.EVENTS_PER_DOCUMENT));
    }

    /** How long, in seconds, the read models may take over {@code events} before a stage is taken for stuck. */
    static long timeout(long events) {
        return Math.max(180, events / 200);
    }

    /** Counts events just written as due in every read model the bench follows. */
    static void written(Map<String, Long> written, long events) {
        READ_MODELS.forEach(readModel -> written.merge(readModel, events, Long::sum));
    }

    private static double cpuSeconds(Process process) {
        return ResourceMeter.cpuSeconds(process.toHandle());
    }

    private void say(String stage) {
        out.println("bench: " + stage);
        out.flush();
    }
}
