package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies each record of a task's partitions to the read model before Streams may commit its offset.
 * While the database is unreachable it retries the same record with a back-off, so the offset never
 * moves past an event that is not in the read model.
 */
final class ProjectingProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectingProcessor.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final ProjectionWriter writer;
    private final ProjectionMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private Set<UUID> parkedAggregates;

    ProjectingProcessor(ProjectionWriter writer, ProjectionMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.parkedAggregates = retrying("reading parked aggregates", writer::parkedAggregates);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        RecordOrigin origin = new RecordOrigin(metadata.topic(), metadata.partition(), metadata.offset());
        EventEnvelope event;
        try {
            event = EventJson.envelope(record.value());
        } catch (RuntimeException e) {
            UUID aggregateId = parseKey(record.key());
            String value = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
            retrying("parking an unreadable record", () -> {
                writer.parkUnreadable(origin, aggregateId, "not an event envelope: " + e.getMessage(), value, parkedAggregates);
                return null;
            });
            metrics.parked();
            return;
        }
        event.correlationId().ifPresent(id -> MDC.put("correlation_id", id));
        try {
            long started = System.nanoTime();
            Outcome outcome = retrying("applying event " + event.sequence(), () -> writer.apply(event, origin, parkedAggregates));
            metrics.record(outcome, event, System.nanoTime() - started);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} v{} of {} (sequence {}): {}", writer.projection().name(), event.eventType(),
                        event.eventVersion(), event.aggregateId(), event.sequence(), outcome);
            }
        } finally {
            MDC.remove("correlation_id");
        }
    }

    private interface DatabaseCall<T> {
        T call() throws SQLException;
    }

    private <T> T retrying(String what, DatabaseCall<T> call) {
        Duration wait = FIRST_RETRY;
        while (true) {
            try {
                return call.call();
            } catch (SQLException e) {
                if (!SqlFailures.isTransient(e)) {
                    throw new ProjectionFailedException(writer.projection().name() + ": " + what + " failed: "
                            + e.getSQLState() + " " + e.getMessage(), e);
                }
                LOG.warn("{}: {} failed ({}), retrying in {} ms", writer.projection().name(), what, e.getMessage(), wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ProjectionFailedException(what + " interrupted", interrupted);
                }
                wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
            }
        }
    }

    private static UUID parseKey(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
