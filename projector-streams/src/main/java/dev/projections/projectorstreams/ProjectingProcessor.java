package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.upcasting.Upcasters;
import dev.projections.settings.SqlFailures;
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

/**
 * Adds each record of a task's partitions to the stream thread's batch ({@link ReadModelTransactions}),
 * which is applied and committed before the thread's offsets are. A record that is not an event envelope
 * is added too, to be parked.
 */
final class ProjectingProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectingProcessor.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);
    /** Well under the consumer's max.poll.interval.ms, past which the member would be dropped from its group. */
    private static final Duration INIT_PATIENCE = Duration.ofMinutes(2);

    private final ReadModelTransactions batch;
    private final int maxBatchSize;
    private ProcessorContext<Void, Void> context;

    ProjectingProcessor(ReadModelTransactions batch, int maxBatchSize) {
        this.batch = batch;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        batch.parked(readParkedAggregates());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        RecordOrigin origin = new RecordOrigin(metadata.topic(), metadata.partition(), metadata.offset());
        Delivery delivery;
        try {
            // an event of a retired type is read as the current one; one its upcaster cannot read is parked
            delivery = Delivery.of(origin, Upcasters.CURRENT.upcast(EventJson.envelope(record.value())));
        } catch (RuntimeException e) {
            delivery = Delivery.unreadable(origin, parseKey(record.key()), e.getMessage(),
                    record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8));
        }
        batch.add(delivery);
        if (batch.size() >= maxBatchSize) {
            context.commit();
        }
    }

    /** Waits a while for the database rather than starting without knowing which aggregates are parked. */
    private Set<UUID> readParkedAggregates() {
        Duration wait = FIRST_RETRY;
        long deadline = System.nanoTime() + INIT_PATIENCE.toNanos();
        while (true) {
            try {
                return batch.writer().parkedAggregates();
            } catch (SQLException e) {
                String message = batch.writer().projection().name() + ": reading parked aggregates failed: " + e.getSQLState() + " " + e.getMessage();
                if (!SqlFailures.isTransient(e)) {
                    throw new ProjectionFailedException(message, e);
                }
                if (System.nanoTime() > deadline) {
                    throw new RetryableProjectionException(message, e);
                }
                LOG.warn("{}: reading parked aggregates failed ({}), retrying in {} ms", batch.writer().projection().name(), e.getMessage(), wait.toMillis());
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
