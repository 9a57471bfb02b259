package dev.projections.pipelinetools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The figures the pipeline aims at, beside what a run measured: catch-up, latency at 1,000 and 5,000
 * events/s, rebuild against the upsert ceiling, and the pipeline process's memory. A target whose stage
 * did not run is left out.
 */
final class BenchTargets {

    /** One target: what it asks, what was measured, and whether it holds. */
    record Row(String target, String measured, boolean met) {
    }

    private BenchTargets() {
    }

    static List<Row> of(BenchResults results) {
        List<Row> rows = new ArrayList<>();
        results.catchUp().stream().mapToDouble(BenchResults.Throughput::eventsPerSecond).min().ifPresent(slowest -> rows.add(
                new Row("catch-up of every read model at least 10,000 events/s", format("%,.0f events/s (the slowest)", slowest),
                        slowest >= 10_000)));
        latency(results, 1_000, 50).ifPresent(rows::add);
        latency(results, 5_000, 250).ifPresent(rows::add);
        results.rebuild().stream().mapToDouble(BenchResults.Throughput::ofCeiling).min().ifPresent(share -> rows.add(
                new Row("rebuild at least 25% of the upsert ceiling", format("%.0f%% (the slowest)", 100 * share), share >= 0.25)));
        if (results.memory() != null) {
            double mib = results.memory().pipelinePeakRssBytes() / (1024.0 * 1024.0);
            rows.add(new Row("pipeline process at most 1 GiB resident", format("%,.0f MiB", mib), mib <= 1024));
        }
        return rows;
    }

    private static Optional<Row> latency(BenchResults results, int rate, double p99Millis) {
        List<BenchResults.Latency> runs = results.latency().stream().filter(run -> run.targetRate() == rate).toList();
        OptionalDouble worst = runs.stream().mapToDouble(BenchResults.Latency::p99Millis).max();
        if (worst.isEmpty()) {
            return Optional.empty();
        }
        double achieved = runs.stream().mapToDouble(BenchResults.Latency::achievedRate).min().orElse(0);
        return Optional.of(new Row(format("p99 at most %,.0f ms at %,d events/s", p99Millis, rate),
                format("%,.0f ms (the worst read model; %,.0f events/s reached)", worst.getAsDouble(), achieved),
                worst.getAsDouble() <= p99Millis && achieved >= 0.95 * rate));
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.US, pattern, values);
    }
}
