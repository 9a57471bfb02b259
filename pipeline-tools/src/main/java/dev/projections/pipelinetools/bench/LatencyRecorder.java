package dev.projections.pipelinetools.bench;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end latency of the events the projectors commit, from each event's commit in the event store
 * (its {@code created_at}, taken in its one-event transaction) to the commit of its read-model rows: the
 * projector's own {@code pipeline.projector.end.to.end.latency} timer, given buckets 2% apart for the bench
 * ({@link #fineBuckets}), and read as the difference of its histogram between {@link #start} and {@link #result}.
 */
final class LatencyRecorder {

    static final String TIMER = "pipeline.projector.end.to.end.latency";
    private static final double BUCKET_RATIO = 1.02;
    private static final double FIRST_BUCKET_NANOS = 50_000;
    private static final double LAST_BUCKET_NANOS = 600e9;
    /** The plot's percentiles: evenly spaced in -log10(1 - p), so that the tail has as many points as the median, to 99.99%. */
    private static final int CURVE_POINTS = 401;

    private final MeterRegistry registry;
    private final Map<String, CountAtBucket[]> started = new HashMap<>();

    /** Reads the projectors' timers of a registry made with {@link #fineBuckets} of {@link #TIMER}. */
    LatencyRecorder(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A filter giving the timers of this name buckets 2% apart, from 50 µs to 10 minutes, beside their own,
     * so that {@link #percentile} reads a latency to within 2%. A registry takes it before its first meter.
     */
    static MeterFilter fineBuckets(String timer) {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().equals(timer) ? DistributionStatisticConfig.builder().serviceLevelObjectives(buckets()).build().merge(config)
                        : config;
            }
        };
    }

    private static double[] buckets() {
        List<Double> bounds = new ArrayList<>();
        for (double bound = FIRST_BUCKET_NANOS; bound < LAST_BUCKET_NANOS; bound *= BUCKET_RATIO) {
            bounds.add(bound);
        }
        return bounds.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** What each read model's timer holds now; only what it records after this counts. */
    void start(List<String> readModels) {
        started.clear();
        readModels.forEach(readModel -> started.put(readModel, histogram(readModel)));
    }

    BenchResults.Latency result(String readModel, int targetRate, double achievedRate) {
        CountAtBucket[] now = histogram(readModel);
        CountAtBucket[] before = started.getOrDefault(readModel, new CountAtBucket[0]);
        double[] bounds = new double[now.length];
        double[] cumulative = new double[now.length];
        for (int i = 0; i < now.length; i++) {
            bounds[i] = now[i].bucket(TimeUnit.MILLISECONDS);
            cumulative[i] = now[i].count() - (i < before.length ? before[i].count() : 0);
        }
        long events = now.length == 0 ? 0 : Math.round(cumulative[now.length - 1]);
        double[] percentiles = new double[CURVE_POINTS];
        double[] millis = new double[CURVE_POINTS];
        for (int k = 0; k < CURVE_POINTS; k++) {
            percentiles[k] = 100 * (1 - Math.pow(10, -4.0 * k / (CURVE_POINTS - 1)));
            millis[k] = percentile(bounds, cumulative, percentiles[k]);
        }
        return new BenchResults.Latency(readModel, targetRate, achievedRate, events, percentile(bounds, cumulative, 50),
                percentile(bounds, cumulative, 95), percentile(bounds, cumulative, 99), percentile(bounds, cumulative, 100), percentiles,
                millis);
    }

    /** The upper bound of the bucket in which the percentile falls, 0 when nothing was recorded. */
    static double percentile(double[] bounds, double[] cumulative, double percent) {
        if (bounds.length == 0 || cumulative[bounds.length - 1] <= 0) {
            return 0;
        }
        double rank = Math.max(1, Math.ceil(percent / 100 * cumulative[bounds.length - 1]));
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                return bounds[i];
            }
        }
        return bounds[bounds.length - 1];
    }

    private CountAtBucket[] histogram(String readModel) {
        Timer timer = registry.find(TIMER).tag("read_model", readModel).timer();
        return timer == null ? new CountAtBucket[0] : timer.takeSnapshot().histogramCounts();
    }
}
