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
 * Applies each record of a task's partitions into the stream thread's open transaction
 * ({@link ReadModelTransactions}), which commits before the thread's offsets do. When anything fails, the
 * transaction is abandoned, and the stream thread replaced (the database may come back) or the projector
 * stopped; either way its events are read again from the last committed offsets.
 */
final class ProjectingProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectingProcessor.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);
    /** Well under the consumer's max.poll.interval.ms, past which the member would be dropped from its group. */
    private static final Duration INIT_PATIENCE = Duration.ofMinutes(2);

    private final ProjectionWriter writer;
    private final ProjectionMetrics metrics;
    private final ReadModelTransactions batch;
    private final Set<RecordOrigin> refused;
    private final int maxBatchSize;
    private ProcessorContext<Void, Void> context;
    private Set<UUID> parkedAggregates;

    /** @param refused records the database refused once, to be applied alone (and parked) when read again */
    ProjectingProcessor(ProjectionWriter writer, ProjectionMetrics metrics, ReadModelTransactions batch, Set<RecordOrigin> refused,
            int maxBatchSize) {
        this.writer = writer;
        this.metrics = metrics;
        this.batch = batch;
        this.refused = refused;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
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
            Outcome outcome = refused.contains(origin)
                    ? inBatch("applying refused event " + event.sequence() + " alone",
                            () -> writer.applyAlone(batch.connection(), event, origin, parkedAggregates))
                    : applyInBatch(event, origin);
            refused.remove(origin);
            metrics.record(outcome, System.nanoTime() - started);
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

    /**
     * An event refused in the shared transaction loses the whole transaction: the thread starts again
     * from its committed offsets, and this event, known now, is applied alone when it comes back.
     */
    private Outcome applyInBatch(EventEnvelope event, RecordOrigin origin) {
        return inBatch("applying event " + event.sequence(), () -> {
            try {
                return writer.apply(batch.connection(), event, origin, parkedAggregates);
            } catch (SQLException e) {
                if (SqlFailures.isCausedByData(e)) {
                    throw refusedEvent(event, origin, e.getSQLState() + " " + e.getMessage(), e);
                }
                throw e;
            } catch (IllegalArgumentException e) {
                throw refusedEvent(event, origin, e.getMessage(), e);
            }
        });
    }

    private RetryableProjectionException refusedEvent(EventEnvelope event, RecordOrigin origin, String reason, Exception cause) {
        batch.rollback();
        refused.add(origin);
        return new RetryableProjectionException(writer.projection().name() + ": event " + event.sequence() + " at " + origin
                + " was refused (" + reason + "); reading again from the last commit, to park it", cause);
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
        } catch (RuntimeException | Error e) {
            // whatever else went wrong, nothing of the open transaction may commit
            batch.rollback();
            throw e;
        }
    }

    /** Waits a while for the database rather than starting without knowing which aggregates are parked. */
    private Set<UUID> readParkedAggregates() {
        Duration wait = FIRST_RETRY;
        long deadline = System.nanoTime() + INIT_PATIENCE.toNanos();
        while (true) {
            try {
                return writer.parkedAggregates();
            } catch (SQLException e) {
                String message = writer.projection().name() + ": reading parked aggregates failed: " + e.getSQLState() + " " + e.getMessage();
                if (!SqlFailures.isTransient(e)) {
                    throw new ProjectionFailedException(message, e);
                }
                if (System.nanoTime() > deadline) {
                    throw new RetryableProjectionException(message, e);
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
