package dev.projections.pipelinecli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.pipelinecli.bench.BenchResults.Latency;
import dev.projections.pipelinecli.bench.BenchResults.Series;
import dev.projections.pipelinecli.bench.BenchResults.Throughput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Renders a bench run's results: a Markdown report, the JSON of every figure, and three PNG plots. */
public final class BenchReport {

    private static final String NONE = "—";
    private static final double MIB = 1024d * 1024d;
    private static final double GIB = MIB * 1024d;
    // a percentile curve of a few hundred thousand samples draws no better than one of a thousand points
    private static final int CURVE_POINTS = 1001;

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
        written.add(save(latencyChart(results), directory.resolve("latency.png")));
        written.add(save(seriesChart("Throughput", "events/s", results.throughputOverTime()),
                directory.resolve("throughput.png")));
        written.add(save(seriesChart("Lag", "events behind", results.lagOverTime()), directory.resolve("lag.png")));
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
        // every latency sample is in the plot; the JSON keeps their count so the file stays small
        for (JsonNode latency : root.withArray("latency")) {
            int samples = latency.path("samplesMillis").size();
            ((ObjectNode) latency).remove("samplesMillis");
            ((ObjectNode) latency).put("sampleCount", samples);
        }
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

    private static XYChart latencyChart(BenchResults results) {
        XYChart chart = chart("Latency, commit to read model", "percentile", "ms");
        Set<String> names = new HashSet<>();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Latency run : orEmpty(results.latency())) {
            double[] samples = finite(run.samplesMillis());
            if (samples.length == 0) {
                continue;
            }
            Arrays.sort(samples);
            int points = Math.min(samples.length, CURVE_POINTS);
            double[] percentiles = new double[points];
            double[] millis = new double[points];
            for (int k = 0; k < points; k++) {
                double p = points == 1 ? 100 : 100.0 * k / (points - 1);
                percentiles[k] = p;
                millis[k] = samples[(int) Math.round(p / 100 * (samples.length - 1))];
            }
            min = Math.min(min, samples[0]);
            max = Math.max(max, samples[samples.length - 1]);
            String name = String.format(Locale.US, "%s @ %,d/s", run.readModel(), run.targetRate());
            chart.addSeries(unique(name, names), percentiles, millis).setMarker(SeriesMarkers.NONE);
        }
        if (names.isEmpty()) {
            return placeholder(chart, "Latency: no samples");
        }
        // most samples sit within a few ms while the tail reaches seconds: a log axis keeps both readable
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min > 100);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(100.0).setXAxisDecimalPattern("0");
        return chart;
    }

    private static XYChart seriesChart(String title, String yTitle, List<Series> series) {
        XYChart chart = chart(title, "seconds", yTitle);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        Set<String> names = new HashSet<>();
        for (Series s : orEmpty(series)) {
            int n = Math.min(s.seconds() == null ? 0 : s.seconds().length, s.values() == null ? 0 : s.values().length);
            if (n == 0) {
                continue;
            }
            chart.addSeries(unique(s.name() + " (" + s.stage() + ")", names), Arrays.copyOf(s.seconds(), n), Arrays.copyOf(s.values(), n))
                    .setMarker(SeriesMarkers.NONE);
        }
        return names.isEmpty() ? placeholder(chart, title + ": no data") : chart;
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        return chart;
    }

    // XChart cannot draw a chart without a series
    private static XYChart placeholder(XYChart chart, String title) {
        chart.setTitle(title);
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("none", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        return chart;
    }

    // XChart refuses two series of one name
    private static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + " #" + i;
        }
        return candidate;
    }

    private static double[] finite(double[] values) {
        return values == null ? new double[0] : Arrays.stream(values).filter(Double::isFinite).toArray();
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
        return file;
    }
}
