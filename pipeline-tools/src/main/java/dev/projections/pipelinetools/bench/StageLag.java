package dev.projections.pipelinetools.bench;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * While events are written at a fixed rate, how far behind each stage is, sampled four times a second:
 * the relay (events committed but not yet acknowledged by Kafka) and each read model (committed but not
 * yet applied). Where latency grows, this says which stage it grows in.
 */
final class StageLag implements AutoCloseable {

    private static final long PERIOD_MILLIS = 250;

    private final DataSource dataSource;
    private final LongSupplier relayed;
    private final ReadModelProgress progress;
    private final Map<String, Long> appliedBefore;
    private final String stage;
    private final long committedBefore;
    private final long started = System.nanoTime();
    private final Map<String, List<double[]>> samples = new LinkedHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-stage-lag");
        thread.setDaemon(true);
        return thread;
    });

    StageLag(String stage, DataSource dataSource, LongSupplier relayed, ReadModelProgress progress, Map<String, Long> appliedBefore)
            throws SQLException {
        this.stage = stage;
        this.dataSource = dataSource;
        this.relayed = relayed;
        this.progress = progress;
        this.appliedBefore = appliedBefore;
        this.committedBefore = BenchWorkload.lastSequence(dataSource);
        samples.put("relay", new ArrayList<>());
        appliedBefore.keySet().forEach(readModel -> samples.put(readModel, new ArrayList<>()));
        sampler.scheduleAtFixedRate(this::sample, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            double seconds = (System.nanoTime() - started) / 1e9;
            long committed = BenchWorkload.lastSequence(dataSource);
            samples.get("relay").add(new double[] {seconds, Math.max(0, committed - relayed.getAsLong())});
            for (Map.Entry<String, Long> readModel : appliedBefore.entrySet()) {
                long applied = progress.applied(readModel.getKey()) - readModel.getValue();
                samples.get(readModel.getKey()).add(new double[] {seconds, Math.max(0, committed - committedBefore - applied)});
            }
        } catch (SQLException | RuntimeException e) {
            // a missed sample leaves a gap in the plot, nothing more
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }

    /** The samples, once the sampler has stopped: a sample still running would change the lists being read. */
    List<BenchResults.Series> series() throws InterruptedException {
        close();
        if (!sampler.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(stage + ": the lag sampler did not stop");
        }
        List<BenchResults.Series> series = new ArrayList<>();
        samples.forEach((name, points) -> series.add(new BenchResults.Series(name, stage,
                points.stream().mapToDouble(point -> point[0]).toArray(), points.stream().mapToDouble(point -> point[1]).toArray())));
        return series;
    }
}
