package dev.projections.pipelinetools.bench;

import dev.projections.pipelinetools.bench.BenchResults.Latency;
import dev.projections.pipelinetools.bench.BenchResults.Series;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A bench run's plots, read at a glance: latency by percentile on an axis that opens up the tail (50, 90,
 * 99, 99.9 and 99.99%, as HdrHistogram plots it), and throughput and lag with a panel per stage, since a
 * rebuild of hundreds of thousands of events and a lag of a few dozen share no scale.
 */
final class BenchPlots {

    private static final int WIDTH = 800;
    private static final int PANEL_HEIGHT = 360;

    private BenchPlots() {
    }

    static Path latency(List<Latency> runs, Path file) throws IOException {
        XYChart chart = chart("Latency, commit to read model", "percentile", "ms", 500);
        Set<String> names = new HashSet<>();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Latency run : runs) {
            if (run.events() == 0 || run.curvePercentiles() == null) {
                continue;
            }
            double[] x = Arrays.stream(run.curvePercentiles()).map(BenchPlots::nines).toArray();
            double[] millis = run.curveMillis();
            min = Math.min(min, Arrays.stream(millis).filter(value -> value > 0).min().orElse(min));
            max = Math.max(max, Arrays.stream(millis).max().orElse(0));
            chart.addSeries(unique(String.format(Locale.US, "%s @ %,d/s", run.readModel(), run.targetRate()), names), x, millis)
                    .setMarker(SeriesMarkers.NONE);
        }
        if (names.isEmpty()) {
            return save(List.of(placeholder(chart, "Latency: no events measured")), file);
        }
        // an axis of nines: 1 is 90%, 2 is 99%, 3 is 99.9%; each tick is named by its percentile
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(4.0).setXAxisTickMarkSpacingHint(WIDTH / 10);
        chart.setCustomXAxisTickLabelsFormatter(BenchPlots::percentileLabel);
        // most events take a few ms while the tail reaches seconds: a log axis keeps both readable
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min > 30);
        return save(List.of(chart), file);
    }

    /** One panel per stage, the stages in the order the run met them. */
    static Path perStage(String title, String yTitle, List<Series> series, Path file) throws IOException {
        Map<String, List<Series>> stages = new LinkedHashMap<>();
        for (Series s : series) {
            int points = Math.min(s.seconds() == null ? 0 : s.seconds().length, s.values() == null ? 0 : s.values().length);
            if (points > 0) {
                stages.computeIfAbsent(s.stage(), stage -> new ArrayList<>()).add(s);
            }
        }
        List<XYChart> panels = new ArrayList<>();
        stages.forEach((stage, lines) -> {
            XYChart panel = chart(title + ": " + stage, "seconds", yTitle, PANEL_HEIGHT);
            panel.getStyler().setYAxisDecimalPattern("#,##0").setYAxisMin(0.0);
            Set<String> names = new HashSet<>();
            for (Series line : lines) {
                int points = Math.min(line.seconds().length, line.values().length);
                panel.addSeries(unique(line.name(), names), Arrays.copyOf(line.seconds(), points), Arrays.copyOf(line.values(), points))
                        .setMarker(SeriesMarkers.NONE);
            }
            panels.add(panel);
        });
        if (panels.isEmpty()) {
            panels.add(placeholder(chart(title, "seconds", yTitle, PANEL_HEIGHT), title + ": no data"));
        }
        return save(panels, file);
    }

    /** A percentile as its nines: 0% is 0, 90% is 1, 99% is 2, 99.9% is 3. */
    static double nines(double percentile) {
        return -Math.log10(Math.max(1e-6, 1 - percentile / 100));
    }

    /** The percentile an axis value of nines stands for, as a tick label: 0%, 50%, 90%, 99%, 99.9%. */
    static String percentileLabel(double nines) {
        double percentile = 100 * (1 - Math.pow(10, -nines));
        if (percentile < 99) {
            return String.format(Locale.US, "%.0f%%", percentile);
        }
        int decimals = (int) Math.max(0, Math.min(4, Math.round(nines) - 2));
        return String.format(Locale.US, "%." + decimals + "f%%", percentile);
    }

    private static XYChart chart(String title, String xTitle, String yTitle, int height) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
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

    private static Path save(List<XYChart> panels, Path file) throws IOException {
        BitmapEncoder.saveBitmap(panels, panels.size(), 1, file.toString(), BitmapFormat.PNG);
        return file;
    }
}
