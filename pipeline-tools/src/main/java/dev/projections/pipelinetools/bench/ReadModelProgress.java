package dev.projections.pipelinetools.bench;

import dev.projections.pipelinecli.ProgressBar;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * How far read models are: events applied, counted by the projectors of this process as they commit, or
 * seen from the database as the sum of the aggregates' applied versions, which reaches the number of
 * events once every event is applied (versions have no holes). A wait samples it, for the progress shown
 * and the throughput and lag plotted.
 */
final class ReadModelProgress {

    /** Counting in this process costs nothing; counting in the database scans every position of the read model. */
    private static final long COUNTED_SAMPLE_MILLIS = 100;
    private static final long DATABASE_SAMPLE_MILLIS = 500;
    private static final long SERIES_MILLIS = 250;

    /**
     * What a wait saw: each read model's seconds from its first applied event to its last, its rate over
     * the second half of that time (a fresh JVM compiles its code in the first seconds), and the plots' series.
     */
    record Run(Map<String, Double> seconds, Map<String, Double> secondHalfRate, List<BenchResults.Series> throughput,
            List<BenchResults.Series> lag) {
    }

    /** Events a read model has applied. */
    interface Counter {
        long applied(String readModel) throws SQLException;
    }

    private final Counter counter;
    private final long sampleMillis;

    private ReadModelProgress(Counter counter, long sampleMillis) {
        this.counter = counter;
        this.sampleMillis = sampleMillis;
    }

    /**
     * Seen from the database, as any reader sees it: for projectors in other processes. Each look sums the
     * read model's positions, a scan that takes PostgreSQL's time from the projectors it measures: it looks
     * twice a second, not ten times (each look is some 40 ms of PostgreSQL's time over 60,000 aggregates),
     * which costs the figures half a second of precision at most.
     */
    static ReadModelProgress inDatabase(DataSource dataSource) {
        return new ReadModelProgress(readModel -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(
                            "SELECT coalesce(sum(version), 0) FROM readmodel.projection_positions WHERE projection = ?")) {
                statement.setString(1, readModel);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }, DATABASE_SAMPLE_MILLIS);
    }

    /**
     * Counted by projectors in this process as they commit: polling the database, which scans every
     * position each time, would take cores from what is measured.
     */
    static ReadModelProgress counted(Counter counter) {
        return new ReadModelProgress(counter, COUNTED_SAMPLE_MILLIS);
    }

    /** Events a second between two moments, from the samples nearest them; 0 without two samples. */
    private static double rateBetween(List<double[]> points, double from, double to) {
        double[] first = null;
        double[] last = null;
        for (double[] point : points) {
            if (first == null && point[0] >= from) {
                first = point;
            }
            if (point[0] <= to) {
                last = point;
            }
        }
        return first == null || last == null || last[0] <= first[0] ? 0 : (last[1] - first[1]) / (last[0] - first[0]);
    }

    long applied(String readModel) throws SQLException {
        return counter.applied(readModel);
    }

    /**
     * Waits until each read model has applied its expected events, starting the clock at the first event
     * applied beyond {@code from}, so that a projector's start-up is not counted as its throughput.
     *
     * @param failed checked while waiting: true stops the wait with an error (a projector failed)
     */
    Run await(String stage, Map<String, Long> from, Map<String, Long> expected, long timeoutSeconds, BooleanSupplier failed)
            throws SQLException, InterruptedException {
        long total = expected.entrySet().stream().mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
        ProgressBar bar = new ProgressBar(total, System.out, System.console() != null);
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        expected.keySet().forEach(readModel -> samples.put(readModel, new ArrayList<>()));
        long started = System.nanoTime();
        // per read model, the last moment nothing was applied yet (the clock starts there, erring on the slow
        // side) and the moment all was
        Map<String, Long> idle = new LinkedHashMap<>();
        Map<String, Long> finished = new LinkedHashMap<>();
        long lastSeries = started - SERIES_MILLIS * 1_000_000L;
        while (true) {
            long now = System.nanoTime();
            long done = 0;
            for (Map.Entry<String, Long> readModel : expected.entrySet()) {
                long applied = applied(readModel.getKey()) - from.getOrDefault(readModel.getKey(), 0L);
                done += applied;
                if (applied == 0) {
                    idle.put(readModel.getKey(), now);
                }
                if (applied >= readModel.getValue() - from.getOrDefault(readModel.getKey(), 0L)) {
                    finished.putIfAbsent(readModel.getKey(), now);
                }
                if (now - lastSeries >= SERIES_MILLIS * 1_000_000L) {
                    samples.get(readModel.getKey()).add(new double[] {(now - started) / 1e9, applied});
                }
            }
            if (now - lastSeries >= SERIES_MILLIS * 1_000_000L) {
                lastSeries = now;
            }
            bar.update(done);
            if (finished.size() == expected.size()) {
                bar.finish(done);
                break;
            }
            if (failed.getAsBoolean()) {
                throw new IllegalStateException(stage + ": a projector stopped; see its log");
            }
            if (now - started > timeoutSeconds * 1_000_000_000L) {
                throw new IllegalStateException(stage + ": not caught up after " + timeoutSeconds + " s (" + done + " of " + total + " events)");
            }
            Thread.sleep(sampleMillis);
        }
        List<BenchResults.Series> throughput = new ArrayList<>();
        List<BenchResults.Series> lag = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> readModel : samples.entrySet()) {
            List<double[]> points = readModel.getValue();
            long target = expected.get(readModel.getKey()) - from.getOrDefault(readModel.getKey(), 0L);
            double[] seconds = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] behind = points.stream().mapToDouble(p -> target - p[1]).toArray();
            double[] rate = new double[points.size()];
            for (int i = 1; i < points.size(); i++) {
                rate[i] = (points.get(i)[1] - points.get(i - 1)[1]) / (points.get(i)[0] - points.get(i - 1)[0]);
            }
            throughput.add(new BenchResults.Series(readModel.getKey(), stage, seconds, rate));
            lag.add(new BenchResults.Series(readModel.getKey(), stage, seconds, behind));
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> secondHalf = new LinkedHashMap<>();
        finished.forEach((readModel, end) -> {
            double from0 = (idle.getOrDefault(readModel, started) - started) / 1e9;
            double to = (end - started) / 1e9;
            seconds.put(readModel, to - from0);
            secondHalf.put(readModel, rateBetween(samples.get(readModel), (from0 + to) / 2, to));
        });
        return new Run(seconds, secondHalf, throughput, lag);
    }
}
