package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import java.util.concurrent.atomic.AtomicLong;

/** Counts of what a projector did, and its latest position, for status and progress reports. */
public final class ProjectionMetrics {

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong alreadyApplied = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong lastSequence = new AtomicLong(-1);

    void record(Outcome outcome, EventEnvelope event) {
        switch (outcome) {
            case APPLIED -> applied.incrementAndGet();
            case ALREADY_APPLIED -> alreadyApplied.incrementAndGet();
            case PARKED -> parked.incrementAndGet();
        }
        lastSequence.accumulateAndGet(event.sequence(), Math::max);
    }

    void parked() {
        parked.incrementAndGet();
    }

    public long applied() {
        return applied.get();
    }

    public long alreadyApplied() {
        return alreadyApplied.get();
    }

    public long parkedCount() {
        return parked.get();
    }

    /** The highest sequence seen, -1 before the first event. */
    public long lastSequence() {
        return lastSequence.get();
    }
}
