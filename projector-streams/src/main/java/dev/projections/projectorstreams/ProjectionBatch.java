package dev.projections.projectorstreams;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open read-model transaction of a stream thread, seen by each of its tasks as a store. Events are
 * applied into it as they arrive, and it commits when Kafka Streams commits: Streams flushes a task's
 * stores before it commits the task's offsets, so an offset never passes an event whose rows are not
 * committed. Committing rows earlier than their offsets is always safe (a replay of them changes
 * nothing), which is why the tasks of a thread may share one transaction and one connection, and why a
 * task closing commits rather than rolls back. One commit per commit interval, instead of one per event,
 * is what lets a projector keep up with the relay.
 */
final class ProjectionBatch implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionBatch.class);

    /** The transaction of one stream thread. */
    private static final class Transaction {
        private final Connection connection;
        private final List<Instant> eventTimes = new ArrayList<>();
        private final long started = System.nanoTime();

        private Transaction(Connection connection) {
            this.connection = connection;
        }
    }

    private final String name;
    private final DataSource dataSource;
    private final ProjectionMetrics metrics;
    private final Map<Thread, Transaction> transactions;
    private boolean open;

    private ProjectionBatch(String name, DataSource dataSource, ProjectionMetrics metrics, Map<Thread, Transaction> transactions) {
        this.name = name;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.transactions = transactions;
    }

    /** The calling thread's transaction to apply the next event in, begun on first use. */
    Connection connection() throws SQLException {
        Transaction transaction = transactions.get(Thread.currentThread());
        if (transaction == null) {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
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

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        flush();
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        Transaction transaction = transactions.remove(Thread.currentThread());
        if (transaction == null) {
            return;
        }
        try {
            transaction.connection.commit();
            metrics.batchCommitted(transaction.eventTimes, System.nanoTime() - transaction.started);
        } catch (SQLException e) {
            // Streams does not commit the offsets then; the thread's tasks start again from their last commit
            throw new RetryableProjectionException("committing " + transaction.eventTimes.size() + " event(s) to the read model failed: "
                    + e.getMessage(), e);
        } finally {
            close(transaction.connection);
        }
    }

    /** Abandons the calling thread's transaction; the caller then makes the thread's tasks read again. */
    void rollback() {
        Transaction transaction = transactions.remove(Thread.currentThread());
        if (transaction != null) {
            try {
                transaction.connection.rollback();
            } catch (SQLException e) {
                LOG.debug("rolling back a read-model transaction failed: {}", e.getMessage());
            }
            close(transaction.connection);
        }
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a read-model connection failed: {}", e.getMessage());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
        });
        open = true;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void close() {
        open = false;
        flush();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** The stores of one projector's tasks, sharing a transaction per stream thread. */
    static StoreBuilder<ProjectionBatch> builder(String name, DataSource dataSource, ProjectionMetrics metrics) {
        Map<Thread, Transaction> transactions = new ConcurrentHashMap<>();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<ProjectionBatch> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<ProjectionBatch> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<ProjectionBatch> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("a read-model transaction has no changelog");
            }

            @Override
            public StoreBuilder<ProjectionBatch> withLoggingDisabled() {
                return this;
            }

            @Override
            public ProjectionBatch build() {
                return new ProjectionBatch(name, dataSource, metrics, transactions);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
