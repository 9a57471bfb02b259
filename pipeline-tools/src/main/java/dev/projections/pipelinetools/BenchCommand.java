package dev.projections.pipelinetools;

import dev.projections.pipelinecli.SettingOptions;
import dev.projections.pipelinetools.bench.Bench;
import dev.projections.pipelinetools.bench.BenchReport;
import dev.projections.pipelinetools.bench.BenchResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchWriterCommand.class, BenchRelayCommand.class},
        description = {"Measure the pipeline on this machine and write a report (Markdown, JSON, PNG plots).",
            "The database's ceilings, the relay, catch-up, latency at fixed rates, rebuilds, scale-out and peak memory.",
            "It runs on embedded PostgreSQL and Kafka unless --db-url / --kafka-bootstrap-servers (or their variables) are set;",
            "an external database must have an empty event store."})
final class BenchCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--documents", defaultValue = "10000",
            description = "Documents of the catch-up burst, 3 events each, default ${DEFAULT-VALUE}")
    int documents;

    @Option(names = "--warm-up-documents", defaultValue = "10000",
            description = "Documents sent through the relay and every projector first, not measured, so that the stages run on a "
                    + "warm JVM; default ${DEFAULT-VALUE}, 0 to measure a JVM that has just started")
    int warmUpDocuments;

    @Option(names = "--writers", defaultValue = "4", description = "Connections writing at the fixed rates, default ${DEFAULT-VALUE}")
    int writers;

    @Option(names = "--rates", split = ",", defaultValue = "1000,5000",
            description = "Fixed rates in events/s, one event per transaction, default ${DEFAULT-VALUE}")
    List<Integer> rates;

    @Option(names = "--rate-duration", defaultValue = "PT20S", description = "How long each rate is measured (ISO-8601), default 20 s")
    Duration rateDuration;

    @Option(names = "--warm-up", defaultValue = "PT5S",
            description = "How long each rate runs first, not measured, so that the figures are of a steady state; default 5 s")
    Duration warmUp;

    @Option(names = "--instances", split = ",", defaultValue = "1,2,3",
            description = "Projector processes of the scale-out runs, default ${DEFAULT-VALUE}; 0 for none")
    List<Integer> instances;

    @Option(names = "--no-rebuild", description = "Leave out the rebuilds (replay --rebuild of each read model)")
    boolean noRebuild;

    @Option(names = "--durable", description = "Embedded PostgreSQL with fsync, synchronous_commit and full_page_writes on, as production runs")
    boolean durable;

    @Option(names = "--postgres-setting", paramLabel = "NAME=VALUE",
            description = "A server setting of the embedded PostgreSQL, e.g. --postgres-setting wal_writer_delay=200ms")
    Map<String, String> postgresSettings = new HashMap<>();

    @Option(names = "--verify-events", defaultValue = "0", paramLabel = "N",
            description = "Grow the document read model to N events, then run verify on it beside live projection at the first rate,"
                    + " reporting its time and the latency with and without it; default 0 (not run)")
    long verifyEvents;

    @Option(names = "--short",
            description = "A run of seconds that only shows the report's shape (50 documents of warm-up, 200 of burst, 200 events/s for 1 + 2 s, 1 instance)")
    boolean shortRun;

    @Option(names = "--out", defaultValue = "bench-report", description = "Directory of the report, default ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (shortRun) {
            documents = 200;
            warmUpDocuments = 50;
            rates = List.of(200);
            rateDuration = Duration.ofSeconds(2);
            warmUp = Duration.ofSeconds(1);
            instances = List.of(1);
        }
        List<String> problems = new ArrayList<>();
        if (documents < 1) {
            problems.add("--documents is " + documents + ", must be at least 1");
        }
        if (warmUpDocuments < 0) {
            problems.add("--warm-up-documents is " + warmUpDocuments + ", must not be negative");
        }
        if (verifyEvents < 0) {
            problems.add("--verify-events is " + verifyEvents + ", must not be negative");
        }
        if (writers < 1) {
            problems.add("--writers is " + writers + ", must be at least 1");
        }
        if (rates.stream().anyMatch(rate -> rate < 1)) {
            problems.add("--rates has " + rates + ", each must be at least 1 event/s");
        }
        if (instances.stream().anyMatch(count -> count < 0)) {
            problems.add("--instances has " + instances + ", each must be at least 1 (0 for no scale-out runs)");
        }
        instances = instances.stream().filter(count -> count > 0).toList();
        if (rateDuration.isNegative() || rateDuration.isZero()) {
            problems.add("--rate-duration is " + rateDuration + ", must be positive");
        }
        if (warmUp.isNegative()) {
            problems.add("--warm-up is " + warmUp + ", must not be negative");
        }
        if (!problems.isEmpty()) {
            throw new dev.projections.settings.InvalidSettingsException(problems);
        }
        BenchResults results = new Bench(new Bench.Options(documents, warmUpDocuments, writers, rates, warmUp, rateDuration, instances, !noRebuild, durable, postgresSettings,
                options.flags(), out.toAbsolutePath(), verifyEvents), System.getenv(), System.out).run();
        BenchReport.write(results, out.toAbsolutePath());
        System.out.println();
        System.out.println(BenchReport.markdown(results));
        System.out.println("bench: report written to " + out.toAbsolutePath().resolve("report.md"));
        return 0;
    }

    /** A bench of its own: it works in a temporary directory, removed after, then writes its report's lines and prints them. */
    interface Measure {
        List<String> run(Path work) throws Exception;
    }

    static int report(Path out, String file, Measure measure) throws Exception {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("bench-" + file.replace(".md", ""));
        try {
            List<String> report = measure.run(work);
            Files.write(out.resolve(file), report);
            report.forEach(System.out::println);
            return 0;
        } finally {
            Directories.deleteRecursively(work);
        }
    }
}
