package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a projector did: events by outcome, the time each took, and the end-to-end latency from the
 * event's commit in the event store to the commit of its rows in the read model.
 */
public final class ProjectionMetrics {

    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Timer apply;
    private final Timer latency;
    private final AtomicLong lastSequence = new AtomicLong(-1);

    public ProjectionMetrics(String readModel, MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, Counter.builder("pipeline.projector.events")
                    .description("Events delivered to the projector, by what became of them")
                    .tags("read_model", readModel, "outcome", outcome.name().toLowerCase())
                    .register(registry));
        }
        apply = Timer.builder("pipeline.projector.apply")
                .description("Time to apply one event to the read model, its transaction included")
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
    }

    void record(Outcome outcome, EventEnvelope event, long applyNanos) {
        outcomes.get(outcome).increment();
        apply.record(applyNanos, TimeUnit.NANOSECONDS);
        if (outcome == Outcome.APPLIED) {
            latency.record(Duration.between(event.occurredAt(), Instant.now()));
        }
        lastSequence.accumulateAndGet(event.sequence(), Math::max);
    }

    void parked() {
        outcomes.get(Outcome.PARKED).increment();
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

    /** Events handled so far, whatever their outcome. */
    public long handled() {
        return applied() + alreadyApplied() + parkedCount();
    }

    /** The highest sequence seen, -1 before the first event. */
    public long lastSequence() {
        return lastSequence.get();
    }
}
