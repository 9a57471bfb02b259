package dev.projections.projectorstreams.write;

import dev.failsafe.RetryPolicy;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.Retry;
import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events each stream thread has read since its rows last committed, and their commit: one read-model
 * transaction ({@link BatchTransaction}) per batch. Kafka Streams runs a thread's processors and its main
 * consumer on that thread, so the processor adds to the calling thread's batch and the consumer commits it
 * ({@link RowsBeforeOffsetsConsumer}). While the database is away a batch is applied again in place, the
 * thread keeping its partitions, for up to {@link #RETRY_IN_PLACE}.
 */
public final class PendingBatches {

    private static final Logger LOG = LoggerFactory.getLogger(PendingBatches.class);
    /** Well under the consumer's max.poll.interval.ms, past which the member would be dropped from its group. */
    private static final Duration RETRY_IN_PLACE = Duration.ofSeconds(60);
    private static final Duration START_PATIENCE = Duration.ofMinutes(2);

    /** A thread's events, when the first of them was read, and the first offset of each of their partitions. */
    private record Batch(List<Delivery> deliveries, long startedNanos, Map<TopicPartition, Long> firstOffsets) {
    }

    private final BatchTransaction transaction;
    private final DataSource dataSource;
    private final ProjectionMetrics metrics;
    private final long commitIntervalNanos;
    private final SessionPlans plans = new SessionPlans(SessionPlans.KEPT);
    private final Map<Thread, Batch> batches = new ConcurrentHashMap<>();
    private final RetryPolicy<BatchTransaction.Result> commits;
    private volatile boolean stopping;

    /** @param commitInterval how long an event may wait in a batch while more keep coming */
    public PendingBatches(BatchTransaction transaction, DataSource dataSource, ProjectionMetrics metrics, Duration commitInterval) {
        this.transaction = transaction;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.commitIntervalNanos = commitInterval.toNanos();
        this.commits = Retry.<BatchTransaction.Result>backoff(projection().name() + ": applying a batch", Duration.ofMillis(250),
                Duration.ofSeconds(4), RETRY_IN_PLACE).handle(RetryableProjectionException.class).abortIf((result, failure) -> failure != null && stopping).build();
    }

    public Projection projection() {
        return transaction.projection();
    }

    /** Reads which aggregates have parked events as a task starts, waiting a while for the database rather than starting without. */
    void loadParked() {
        try {
            Retry.get(Retry.backoff(projection().name() + ": reading parked aggregates", Duration.ofMillis(100), Duration.ofSeconds(10),
                    START_PATIENCE).handleIf(Retry::databaseAway).build(), () -> {
                        transaction.parking().load(dataSource);
                        return null;
                    });
        } catch (SQLException e) {
            String message = projection().name() + ": reading parked aggregates failed: " + e.getSQLState() + " " + e.getMessage();
            throw SqlFailures.isTransient(e) ? new RetryableProjectionException(message, e) : new ProjectionFailedException(message, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionFailedException("interrupted while waiting for the database", e);
        }
    }

    /** Adds a record to the calling thread's batch. */
    void add(Delivery delivery) {
        Batch batch = batches.get(Thread.currentThread());
        if (batch == null) {
            // a stream thread that died leaves its batch here; its records are read again by its successor
            batches.keySet().removeIf(other -> !other.isAlive());
            batch = new Batch(new ArrayList<>(), System.nanoTime(), new ConcurrentHashMap<>());
            batches.put(Thread.currentThread(), batch);
        }
        batch.deliveries().add(delivery);
        RecordOrigin origin = delivery.origin();
        batch.firstOffsets().putIfAbsent(new TopicPartition(origin.topic(), origin.partition()), origin.offset());
    }

    /** Records in the calling thread's batch. */
    int size() {
        Batch batch = batches.get(Thread.currentThread());
        return batch == null ? 0 : batch.deliveries().size();
    }

    /** Whether the calling thread's batch has waited a commit interval since its first record. */
    boolean due() {
        Batch batch = batches.get(Thread.currentThread());
        return batch != null && System.nanoTime() - batch.startedNanos() >= commitIntervalNanos;
    }

    /**
     * Applies and commits the calling thread's batch, if it has one.
     *
     * @return what became of each of its events
     * @throws RetryableProjectionException the database may come back: the offsets must not be committed
     * @throws ProjectionFailedException no retry can help (a statement the database cannot run at all)
     */
    public BatchTransaction.Result commit() {
        Batch taken = batches.remove(Thread.currentThread());
        if (taken == null || taken.deliveries().isEmpty()) {
            return BatchTransaction.Result.NOTHING;
        }
        try {
            return Retry.get(commits, () -> commit(taken.deliveries()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableProjectionException(projection().name() + ": interrupted while applying a batch", e);
        }
    }

    private BatchTransaction.Result commit(List<Delivery> deliveries) {
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            plans.renewIfDue(connection);
            connection.setAutoCommit(false);
            BatchTransaction.Result result;
            try {
                result = transaction.apply(connection, deliveries, transaction.parking().known());
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection);
                throw e;
            } catch (AssertionError e) {
                // the PostgreSQL driver asserts on a session ended in the middle of a JDBC batch (a killed
                // backend, a restart): that is a lost connection, not a broken projector
                if (!connection.isClosed() && connection.isValid(1)) {
                    throw e;
                }
                throw new RetryableProjectionException(projection().name() + ": applying " + deliveries.size()
                        + " event(s) failed: the database connection ended during the batch (" + e.getMessage() + ")", e);
            }
            transaction.parking().committed(result);
            metrics.committed(deliveries, result.outcomes(), System.nanoTime() - started);
            return result;
        } catch (SQLException e) {
            String message = projection().name() + ": applying " + deliveries.size() + " event(s) failed: " + e.getSQLState() + " "
                    + e.getMessage();
            throw SqlFailures.isTransient(e) ? new RetryableProjectionException(message, e) : new ProjectionFailedException(message, e);
        }
    }

    /**
     * Fails loudly should offsets about to be committed pass an event whose rows are not committed: one still
     * in a live stream thread's batch, of the same partition, below the offset.
     *
     * @throws ProjectionFailedException naming the partition, the offsets and the thread
     */
    void checkCommittable(Map<TopicPartition, OffsetAndMetadata> offsets) {
        batches.forEach((thread, batch) -> {
            if (!thread.isAlive()) {
                return;
            }
            batch.firstOffsets().forEach((partition, first) -> {
                OffsetAndMetadata offset = offsets.get(partition);
                if (offset != null && offset.offset() > first) {
                    throw new ProjectionFailedException(projection().name() + ": offset " + offset.offset() + " of " + partition
                            + " was to be committed while its events from offset " + first + " on have no rows committed (in the batch of "
                            + thread.getName() + "): Kafka Streams committed in a way this projector does not expect, so it stops"
                            + " rather than lose them", null);
                }
            });
        });
    }

    /** Abandons the calling thread's batch: its events are read again from the last committed offsets. */
    public void rollback() {
        batches.remove(Thread.currentThread());
    }

    /** Stops applying batches again in place: the projector is closing. */
    public void stopping() {
        stopping = true;
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rolling back a read-model transaction failed: {}", e.getMessage());
        }
    }
}
