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
 * Applies each record of a task's partitions into the task's open transaction ({@link ProjectionBatch}),
 * which commits before Streams commits the offsets. When the database fails in a way that may pass, the
 * transaction is abandoned and the stream thread replaced, so that its events are read again from the
 * last committed offsets: the offsets never move past an event that is not in the read model.
 */
final class ProjectingProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectingProcessor.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final ProjectionWriter writer;
    private final ProjectionMetrics metrics;
    private final String batchStore;
    private final int maxBatchSize;
    private ProcessorContext<Void, Void> context;
    private ProjectionBatch batch;
    private Set<UUID> parkedAggregates;

    ProjectingProcessor(ProjectionWriter writer, ProjectionMetrics metrics, String batchStore, int maxBatchSize) {
        this.writer = writer;
        this.metrics = metrics;
        this.batchStore = batchStore;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.batch = context.getStateStore(batchStore);
        this.parkedAggregates = readParkedAggregates();
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
            inBatch("parking an unreadable record at " + origin, () -> {
                writer.parkUnreadable(batch.connection(), origin, aggregateId, "not an event envelope: " + e.getMessage(), value, parkedAggregates);
                return null;
            });
            metrics.parked();
            return;
        }
        event.correlationId().ifPresent(id -> MDC.put("correlation_id", id));
        try {
            long started = System.nanoTime();
            Outcome outcome = inBatch("applying event " + event.sequence(), () -> writer.apply(batch.connection(), event, origin, parkedAggregates));
            metrics.record(outcome, event, System.nanoTime() - started);
            if (outcome == Outcome.APPLIED) {
                batch.applied(event.occurredAt());
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} v{} of {} (sequence {}): {}", writer.projection().name(), event.eventType(),
                        event.eventVersion(), event.aggregateId(), event.sequence(), outcome);
            }
        } finally {
            MDC.remove("correlation_id");
        }
        if (batch.size() >= maxBatchSize) {
            context.commit();
        }
    }

    private interface DatabaseCall<T> {
        T call() throws SQLException;
    }

    private <T> T inBatch(String what, DatabaseCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            batch.rollback();
            String message = writer.projection().name() + ": " + what + " failed: " + e.getSQLState() + " " + e.getMessage();
            if (SqlFailures.isTransient(e)) {
                throw new RetryableProjectionException(message, e);
            }
            throw new ProjectionFailedException(message, e);
        }
    }

    /** Waits for the database rather than starting without knowing which aggregates are parked. */
    private Set<UUID> readParkedAggregates() {
        Duration wait = FIRST_RETRY;
        while (true) {
            try {
                return writer.parkedAggregates();
            } catch (SQLException e) {
                if (!SqlFailures.isTransient(e)) {
                    throw new ProjectionFailedException(writer.projection().name() + ": reading parked aggregates failed: "
                            + e.getSQLState() + " " + e.getMessage(), e);
                }
                LOG.warn("{}: reading parked aggregates failed ({}), retrying in {} ms", writer.projection().name(), e.getMessage(), wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ProjectionFailedException("interrupted while waiting for the database", interrupted);
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
