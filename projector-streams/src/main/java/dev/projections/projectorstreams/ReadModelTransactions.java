package dev.projections.projectorstreams;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open read-model transaction of each stream thread. A thread's tasks apply their events into it as
 * they arrive; it commits when the thread's consumer is about to commit their offsets
 * ({@link ReadModelCommittingConsumer}), so an offset never passes an event whose rows are not committed.
 * Committing rows before their offsets is always safe: delivered again, they change nothing. One commit
 * per commit interval, instead of one per event, is what lets a projector keep up with the relay.
 */
final class ReadModelTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(ReadModelTransactions.class);

    private static final class Transaction {
        private final Connection connection;
        private final List<Instant> eventTimes = new ArrayList<>();
        private final long started = System.nanoTime();

        private Transaction(Connection connection) {
            this.connection = connection;
        }
    }

    private final DataSource dataSource;
    private final ProjectionMetrics metrics;
    private final Map<Thread, Transaction> transactions = new ConcurrentHashMap<>();

    ReadModelTransactions(DataSource dataSource, ProjectionMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** The calling thread's transaction, begun on first use. */
    Connection connection() throws SQLException {
        Transaction transaction = transactions.get(Thread.currentThread());
        if (transaction == null) {
            abandonDeadThreads();
            Connection connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(false);
            } catch (SQLException e) {
                close(connection);
                throw e;
            }
            transaction = new Transaction(connection);
            transactions.put(Thread.currentThread(), transaction);
        }
        return transaction.connection;
    }

    /** Counts an event applied in the calling thread's transaction, for the latency measured at its commit. */
    void applied(Instant eventTime) {
        Transaction transaction = transactions.get(Thread.currentThread());
        if (transaction != null) {
            transaction.eventTimes.add(eventTime);
        }
    }

    /** Events applied in the calling thread's open transaction. */
    int size() {
        Transaction transaction = transactions.get(Thread.currentThread());
        return transaction == null ? 0 : transaction.eventTimes.size();
    }

    /**
     * Commits the calling thread's transaction, if it has one.
     *
     * @throws RetryableProjectionException the commit failed: the offsets must not be committed
     */
    void commit() {
        Transaction transaction = transactions.remove(Thread.currentThread());
        if (transaction == null) {
            return;
        }
        try {
            transaction.connection.commit();
            metrics.batchCommitted(transaction.eventTimes, System.nanoTime() - transaction.started);
        } catch (SQLException e) {
            rollback(transaction);
            throw new RetryableProjectionException("committing " + transaction.eventTimes.size() + " event(s) to the read model failed: "
                    + e.getMessage(), e);
        } finally {
            close(transaction.connection);
        }
    }

    /** Abandons the calling thread's transaction: its events are read again from the last committed offsets. */
    void rollback() {
        Transaction transaction = transactions.remove(Thread.currentThread());
        if (transaction != null) {
            rollback(transaction);
            close(transaction.connection);
        }
    }

    /** A stream thread that died without rolling back leaves its transaction here; nothing of it may commit. */
    private void abandonDeadThreads() {
        transactions.entrySet().removeIf(entry -> {
            if (entry.getKey().isAlive()) {
                return false;
            }
            rollback(entry.getValue());
            close(entry.getValue().connection);
            return true;
        });
    }

    private static void rollback(Transaction transaction) {
        try {
            transaction.connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rolling back a read-model transaction failed: {}", e.getMessage());
        }
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a read-model connection failed: {}", e.getMessage());
        }
    }
}
