package dev.projections.pipelinecli.bench;

import dev.projections.projectorstreams.ProjectionMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end-to-end latency of each event a projector commits, from the event's commit in the event store
 * (its {@code created_at}, taken in its one-event transaction) to the commit of its read-model rows;
 * only events that occurred since {@link #start} count.
 */
final class LatencyRecorder {

    private final Map<String, List<Double>> samples = new ConcurrentHashMap<>();
    private volatile Instant since = Instant.MAX;

    void listen(String readModel, ProjectionMetrics metrics) {
        metrics.addLatencyListener((eventTime, committedAt) -> {
            if (!eventTime.isBefore(since)) {
                // called on the projector's committing thread: adding must stay cheap however many samples
                samples.computeIfAbsent(readModel, name -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Duration.between(eventTime, committedAt).toNanos() / 1e6);
            }
        });
    }

    void start() {
        samples.clear();
        // created_at is the server's clock at the transaction's start, a little before this client's
        since = Instant.now().minusMillis(5);
    }

    BenchResults.Latency result(String readModel, int targetRate, double achievedRate) {
        List<Double> taken = samples.getOrDefault(readModel, List.of());
        double[] sorted;
        synchronized (taken) {
            sorted = taken.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return new BenchResults.Latency(readModel, targetRate, achievedRate, sorted.length, percentile(sorted, 50),
                percentile(sorted, 95), percentile(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1], sorted);
    }

    static double percentile(double[] sorted, double percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
