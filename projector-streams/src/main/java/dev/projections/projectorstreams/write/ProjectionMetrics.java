package dev.projections.projectorstreams.write;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a projector did: events by outcome, the time each took, and the end-to-end latency from the
 * event's commit in the event store to the commit of its rows in the read model.
 */
public final class ProjectionMetrics {

    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Timer apply;
    private final Timer latency;
    private final DistributionSummary batchSize;
    private final Timer batchTime;

    public ProjectionMetrics(String readModel, MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, outcome == Outcome.VERSION_GAP
                    ? Counter.builder("pipeline.projector.version.gaps")
                            .description("Events held back because an earlier event of their aggregate had not arrived")
                            .tags("read_model", readModel).register(registry)
                    : Counter.builder("pipeline.projector.events")
                            .description("Events delivered to the projector, by what became of them")
                            .tags("read_model", readModel, "outcome", outcome.name().toLowerCase())
                            .register(registry));
        }
        apply = Timer.builder("pipeline.projector.apply")
                .description("Time per event of the batch that applied it: the batch's time over its events")
                .tags("read_model", readModel)
                .publishPercentileHistogram()
                .register(registry);
        latency = Timer.builder("pipeline.projector.end.to.end.latency")
                .description("From the event's commit in eventstore.events to the commit of its read-model rows")
                .tags("read_model", readModel)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        batchSize = DistributionSummary.builder("pipeline.projector.batch.size")
                .description("Events applied in one read-model transaction")
                .tags("read_model", readModel).baseUnit("events")
                .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(100_000.0)
                .register(registry);
        batchTime = Timer.builder("pipeline.projector.batch")
                .description("From a read-model transaction's first statement to its commit")
                .tags("read_model", readModel)
                .publishPercentileHistogram()
                .register(registry);
    }

    /** A transaction committed these deliveries, with these outcomes: the latency of each event it applied ends now. */
    void committed(List<Delivery> deliveries, List<Outcome> batchOutcomes, long nanos) {
        Instant now = Instant.now();
        long applyNanos = nanos / deliveries.size();
        int applied = 0;
        for (int i = 0; i < deliveries.size(); i++) {
            Outcome outcome = batchOutcomes.get(i);
            outcomes.get(outcome).increment();
            apply.record(applyNanos, TimeUnit.NANOSECONDS);
            if (outcome == Outcome.APPLIED) {
                latency.record(Duration.between(deliveries.get(i).event().occurredAt(), now));
                applied++;
            }
        }
        batchSize.record(applied);
        batchTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public long applied() {
        return (long) outcomes.get(Outcome.APPLIED).count();
    }

    public long alreadyApplied() {
        return (long) outcomes.get(Outcome.ALREADY_APPLIED).count();
    }

    public long parkedCount() {
        return (long) outcomes.get(Outcome.PARKED).count();
    }

    public long versionGaps() {
        return (long) outcomes.get(Outcome.VERSION_GAP).count();
    }

    /** Events handled so far, whatever their outcome. */
    public long handled() {
        return applied() + alreadyApplied() + parkedCount() + versionGaps();
    }
}
