package dev.projections.pipelinetools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.pipelinetools.bench.BenchResults.Latency;
import dev.projections.pipelinetools.bench.BenchResults.Throughput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a bench run's results: a Markdown report, the JSON of every figure, and three PNG plots. */
public final class BenchReport {

    private static final String NONE = "—";
    private static final double MIB = 1024d * 1024d;
    private static final double GIB = MIB * 1024d;

    private BenchReport() {
    }

    public static List<Path> write(BenchResults results, Path directory) throws IOException {
        // a bench runs on servers without a display; AWT reads this once, before the first chart is built
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(directory);
        List<Path> written = new ArrayList<>();
        written.add(Files.writeString(directory.resolve("report.md"), markdown(results)));
        written.add(Files.writeString(directory.resolve("report.json"), json(results)));
        written.add(BenchPlots.latency(orEmpty(results.latency()), directory.resolve("latency.png")));
        written.add(BenchPlots.perStage("Throughput", "events/s", orEmpty(results.throughputOverTime()), directory.resolve("throughput.png")));
        written.add(BenchPlots.perStage("Lag", "events behind", orEmpty(results.lagOverTime()), directory.resolve("lag.png")));
        return written;
    }

    public static String markdown(BenchResults r) {
        StringBuilder md = new StringBuilder("# Pipeline bench\n\n");
        md.append("Started ").append(r.startedAt() == null ? NONE : r.startedAt().truncatedTo(ChronoUnit.SECONDS)).append(", ").append(r.mode()).append(" mode.\n\n");
        if (r.machine() != null) {
            var m = r.machine();
            md.append(String.format(Locale.US, "Machine: %d cores, %.1f GiB memory, Java %s, PostgreSQL %s, Kafka %s.%n%n",
                    m.cores(), m.memoryBytes() / GIB, m.java(), m.postgres(), m.kafka()));
        }
        if (r.durability() != null) {
            var d = r.durability();
            md.append(String.format(Locale.US,
                    "Durability: durable %s, fsync %s, synchronous_commit %s (the fixed rates' appends commit synchronously, as the"
                            + " event-writer's do), wal_writer_delay %s, projector commit interval %s.%n%n",
                    d.durable() ? "yes" : "no", d.fsync(), d.synchronousCommit(), d.walWriterDelay(),
                    d.projectorCommitInterval()));
        }
        if (r.workload() != null) {
            var w = r.workload();
            md.append("Workload: ").append(count(w.documents())).append(" documents, ").append(count(w.events()))
                    .append(" events in the burst, after ").append(count(w.warmUpEvents()))
                    .append(" events of warm-up through the whole pipeline; each fixed rate from ").append(count(w.writers())).append(" writers, ")
                    .append(String.format(Locale.US, "%.0f s unmeasured, then %.0f s measured", w.warmUpSeconds(), w.rateSeconds()))
                    .append(".\n\n");
        }

        md.append("| Stage | Events | Seconds | Events/s | Ceiling (rows/s) | Of ceiling |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        if (r.ceilings() != null) {
            ceilingRow(md, "ceiling: batched event inserts", r.ceilings().eventInsertsPerSecond());
            ceilingRow(md, "ceiling: batched read-model upserts", r.ceilings().readModelUpsertsPerSecond());
        }
        if (r.relay() != null) {
            stageRow(md, "relay", r.relay());
        }
        orEmpty(r.catchUp()).forEach(t -> stageRow(md, "catch-up: " + t.name(), t));
        orEmpty(r.rebuild()).forEach(t -> stageRow(md, "rebuild: " + t.name(), t));
        orEmpty(r.scaleOut()).forEach(t -> stageRow(md, "scale-out document: " + t.name(), t));

        if (!orEmpty(r.latency()).isEmpty()) {
            md.append("\n| Read model | Target events/s | Achieved events/s | Events | p50 ms | p95 ms | p99 ms | max ms |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Latency l : r.latency()) {
                md.append(String.format(Locale.US, "| %s | %,d | %,.0f | %,d | %,.1f | %,.1f | %,.1f | %,.1f |%n",
                        cell(l.readModel()), l.targetRate(), l.achievedRate(), l.events(), l.p50Millis(), l.p95Millis(),
                        l.p99Millis(), l.maxMillis()));
            }
        }
        if (r.verifyUnderLoad() != null) {
            var v = r.verifyUnderLoad();
            md.append(String.format(Locale.US, "%n## Verify beside live projection%n%n`verify %s` of %,d aggregates (%,d events): %.1f s, %,.0f aggregates/s,"
                    + " %d difference(s); meanwhile events at %,d/s, one per transaction.%n%n", v.readModel(), v.aggregates(), v.events(),
                    v.seconds(), v.aggregatesPerSecond(), v.differences(), v.without().targetRate()));
            md.append("| Latency of the document read model | Events | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
            for (var row : List.of(Map.entry("without verify", v.without()), Map.entry("while verify runs", v.during()))) {
                md.append(String.format(Locale.US, "| %s | %,d | %,.1f | %,.1f | %,.1f | %,.1f |%n", row.getKey(), row.getValue().events(),
                        row.getValue().p50Millis(), row.getValue().p95Millis(), row.getValue().p99Millis(), row.getValue().maxMillis()));
            }
        }
        if (r.memory() != null) {
            md.append(String.format(Locale.US, "%nMemory: pipeline peak RSS %,.0f MiB, PostgreSQL peak RSS %,.0f MiB.%n",
                    r.memory().pipelinePeakRssBytes() / MIB, r.memory().postgresPeakRssBytes() / MIB));
        }
        if (r.catchUp() != null && r.latency() != null && r.rebuild() != null) {
            md.append("\n## Targets\n\n| Target | Measured | Met |\n|---|---|---|\n");
            BenchTargets.of(r).forEach(row -> md.append("| ").append(row.target()).append(" | ").append(row.measured())
                    .append(" | ").append(row.met() ? "yes" : "**no**").append(" |\n"));
        }
        if (!orEmpty(r.limits()).isEmpty()) {
            md.append("\n## What limits it\n\n");
            r.limits().forEach(limit -> md.append("- ").append(limit).append('\n'));
        }
        md.append("\n![latency](latency.png)\n\n![throughput](throughput.png)\n\n![lag](lag.png)\n");
        return md.toString();
    }

    private static void ceilingRow(StringBuilder md, String stage, double rowsPerSecond) {
        md.append(String.format(Locale.US, "| %s | %s | %s | %,.0f | %s | %s |%n", stage, NONE, NONE, rowsPerSecond, NONE, NONE));
    }

    private static void stageRow(StringBuilder md, String stage, Throughput t) {
        md.append(String.format(Locale.US, "| %s | %,d | %,.1f | %,.0f | %s | %s |%n", cell(stage), t.events(), t.seconds(),
                t.eventsPerSecond(), t.ceiling() <= 0 ? NONE : String.format(Locale.US, "%,.0f", t.ceiling()),
                t.ceiling() <= 0 ? NONE : String.format(Locale.US, "%.0f%%", 100 * t.ofCeiling())));
    }

    private static String cell(String text) {
        return String.valueOf(text).replace("|", "\\|");
    }

    private static String count(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    static String json(BenchResults results) throws IOException {
        ObjectNode root = EventJson.MAPPER.valueToTree(results);
        // records serialize their components only: the derived rates are added so readers need not recompute them
        addRates(root.get("relay"), results.relay());
        addRates(root.get("catchUp"), orEmpty(results.catchUp()));
        addRates(root.get("rebuild"), orEmpty(results.rebuild()));
        addRates(root.get("scaleOut"), orEmpty(results.scaleOut()));
        return EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static void addRates(JsonNode nodes, List<Throughput> stages) {
        for (int i = 0; nodes != null && i < stages.size() && i < nodes.size(); i++) {
            addRates(nodes.get(i), stages.get(i));
        }
    }

    private static void addRates(JsonNode node, Throughput stage) {
        if (node instanceof ObjectNode object && stage != null) {
            object.put("eventsPerSecond", stage.eventsPerSecond());
            object.put("ofCeiling", stage.ofCeiling());
        }
    }
}
