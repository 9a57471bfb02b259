package dev.projections.projectorstreams;

import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events each stream thread has read since its last commit. They are applied, in one read-model
 * transaction of a few JDBC batches, once the thread's consumer has no more records at hand or the batch
 * is a commit interval old, and in any case before the consumer commits their offsets
 * ({@link ReadModelCommittingConsumer}), so an offset never passes an event whose rows are not committed.
 * Committing rows before their offsets is always safe: delivered again, they change nothing.
 */
final class ReadModelTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(ReadModelTransactions.class);

    private final ProjectionWriter writer;
    private final DataSource dataSource;
    private final ProjectionMetrics metrics;
    /** How long a batch is applied again in place while the database is away, well under max.poll.interval.ms. */
    private static final Duration RETRY_IN_PLACE = Duration.ofSeconds(60);

    private final SessionPlans plans = new SessionPlans(SessionPlans.KEPT);
    private final long commitIntervalNanos;
    private final Map<Thread, Batch> batches = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** Aggregates with parked events, as committed: a park rolled back is not one. */
    private final Set<UUID> parkedAggregates = ConcurrentHashMap.newKeySet();

    /** A thread's events, and when the first of them was read. */
    private record Batch(List<Delivery> deliveries, long startedNanos) {
    }

    /** @param commitInterval how long an event may wait in a batch while more keep coming */
    ReadModelTransactions(ProjectionWriter writer, DataSource dataSource, ProjectionMetrics metrics, Duration commitInterval) {
        this.writer = writer;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.commitIntervalNanos = commitInterval.toNanos();
    }

    ProjectionWriter writer() {
        return writer;
    }

    /** Known when a task starts, from the database. */
    void parked(Set<UUID> aggregates) {
        parkedAggregates.addAll(aggregates);
    }

    /** Adds a record to the calling thread's batch. */
    void add(Delivery delivery) {
        Batch batch = batches.get(Thread.currentThread());
        if (batch == null) {
            // a stream thread that died leaves its batch here; its records are read again by its successor
            batches.keySet().removeIf(other -> !other.isAlive());
            batch = new Batch(new ArrayList<>(), System.nanoTime());
            batches.put(Thread.currentThread(), batch);
        }
        batch.deliveries().add(delivery);
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
     * @throws RetryableProjectionException the database may come back: the offsets must not be committed
     * @throws ProjectionFailedException no retry can help (a statement the database cannot run at all)
     */
    void commit() {
        Batch taken = batches.remove(Thread.currentThread());
        if (taken == null || taken.deliveries().isEmpty()) {
            return;
        }
        List<Delivery> batch = taken.deliveries();
        // a database restarting or failing over is back in seconds: the batch is applied again in place, the
        // thread keeping its partitions, rather than replaced, which costs a rebalance after the session timeout
        long deadline = System.nanoTime() + RETRY_IN_PLACE.toNanos();
        long backoff = 250;
        while (true) {
            try {
                commit(batch);
                return;
            } catch (RetryableProjectionException e) {
                if (stopping || System.nanoTime() + backoff * 1_000_000 > deadline) {
                    throw e;
                }
                LOG.warn("{}; applying the batch again in {} ms", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 4_000);
            }
        }
    }

    /** Stops retrying batches in place: the projector is closing. */
    void stopping() {
        stopping = true;
    }

    private void commit(List<Delivery> batch) {
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            plans.renewIfDue(connection);
            connection.setAutoCommit(false);
            ProjectionWriter.Written written;
            try {
                written = writer.write(connection, batch, parkedAggregates);
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
                throw new RetryableProjectionException(writer.projection().name() + ": applying " + batch.size()
                        + " event(s) failed: the database connection ended during the batch (" + e.getMessage() + ")", e);
            }
            parkedAggregates.removeAll(written.released());
            parkedAggregates.addAll(written.parked());
            record(batch, written, System.nanoTime() - started);
        } catch (SQLException e) {
            String message = writer.projection().name() + ": applying " + batch.size() + " event(s) failed: " + e.getSQLState() + " "
                    + e.getMessage();
            if (SqlFailures.isTransient(e)) {
                throw new RetryableProjectionException(message, e);
            }
            throw new ProjectionFailedException(message, e);
        }
    }

    private void record(List<Delivery> batch, ProjectionWriter.Written written, long nanos) {
        List<Instant> applied = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Outcome outcome = written.outcomes().get(i);
            metrics.record(outcome, nanos / batch.size());
            if (outcome == Outcome.APPLIED) {
                applied.add(batch.get(i).event().occurredAt());
            }
        }
        metrics.batchCommitted(applied, nanos);
    }

    /** Abandons the calling thread's batch: its events are read again from the last committed offsets. */
    void rollback() {
        batches.remove(Thread.currentThread());
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rolling back a read-model transaction failed: {}", e.getMessage());
        }
    }
}
