package dev.projections.cdcrelay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** What the relay published, how, and how far its replication slot lags behind the WAL; each series tagged with the slot. */
final class RelayMetrics {

    private static final String[] GAUGES = {"pipeline.relay.last.sequence", "pipeline.relay.slot.lag", "pipeline.relay.active"};

    private final Counter events;
    private final DistributionSummary batchSize;
    private final Timer batchTime;
    private final Timer delay;
    private final AtomicLong lastSequence = new AtomicLong(-1);
    private final AtomicLong slotLagBytes = new AtomicLong(-1);
    private final AtomicLong active = new AtomicLong();
    private final String slot;

    RelayMetrics(MeterRegistry registry, String slot) {
        this.slot = slot;
        events = Counter.builder("pipeline.relay.events").description("Events published to Kafka and acknowledged").tag("slot", slot).register(registry);
        batchSize = DistributionSummary.builder("pipeline.relay.batch.size").description("Events per Debezium batch")
                .baseUnit("events").publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(100_000.0)
                .tag("slot", slot).register(registry);
        batchTime = Timer.builder("pipeline.relay.batch").description("Time to publish a batch until Kafka acknowledged all of it")
                .publishPercentileHistogram().tag("slot", slot).register(registry);
        delay = Timer.builder("pipeline.relay.delay")
                .description("From the event's commit in eventstore.events (its created_at) to Kafka's acknowledgement of it")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .tag("slot", slot).register(registry);
        Gauge.builder("pipeline.relay.last.sequence", lastSequence, AtomicLong::get)
                .description("Sequence of the last event Kafka acknowledged; -1 before the first").tag("slot", slot).register(registry);
        Gauge.builder("pipeline.relay.slot.lag", slotLagBytes, AtomicLong::get).baseUnit("bytes")
                .description("WAL the replication slot still holds back (current LSN minus confirmed flush LSN); -1 unknown")
                .tag("slot", slot).register(registry);
        Gauge.builder("pipeline.relay.active", active, AtomicLong::get)
                .description("1 while this relay holds the slot and streams, 0 while it stands by").tag("slot", slot).register(registry);
    }

    /** Gauges read this relay's state; a relay of the same slot started later in the same process registers its own. */
    void unregisterGauges(MeterRegistry registry) {
        for (String gauge : GAUGES) {
            registry.find(gauge).tag("slot", slot).meters().forEach(registry::remove);
        }
    }

    /**
     * Kafka acknowledged a batch's events, the last of them {@code last}, {@code nanos} after the batch came;
     * {@code committedMillis} are the events' commit times, epoch milliseconds by PostgreSQL's clock.
     */
    void published(long[] committedMillis, long last, long nanos) {
        long now = System.currentTimeMillis();
        for (long committed : committedMillis) {
            // a clock behind PostgreSQL's would make it negative: 0 then, as a timer takes no less
            delay.record(Math.max(0, now - committed), TimeUnit.MILLISECONDS);
        }
        events.increment(committedMillis.length);
        batchSize.record(committedMillis.length);
        batchTime.record(nanos, TimeUnit.NANOSECONDS);
        lastSequence.set(last);
    }

    void slotLag(long bytes) {
        slotLagBytes.set(bytes);
    }

    void active(boolean isActive) {
        active.set(isActive ? 1 : 0);
    }

    long lastSequence() {
        return lastSequence.get();
    }
}
