package dev.projections.cdcrelay;

import dev.projections.settings.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Only one relay may stream from the replication slot. The active one holds a session-level advisory
 * lock named after the slot; the others stand by, asking for the lock until the holder's session ends
 * (its process stopped or died), and then one of them takes over. The session has server-side TCP
 * keepalives, so that a host that vanished (power, network) frees the lock within about 25 s rather
 * than after the operating system's default of two hours.
 */
final class SlotLeadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLeadership.class);

    private final DatabaseSettings database;
    private final long lockKey;
    private final Duration retry;
    private Connection connection;
    private int failedChecks;

    SlotLeadership(DatabaseSettings database, String slotName, Duration retry) {
        this.database = database;
        this.lockKey = UUID.nameUUIDFromBytes(("pipeline-relay:" + slotName).getBytes(StandardCharsets.UTF_8))
                .getMostSignificantBits();
        this.retry = retry;
    }

    /** Blocks until this relay holds the lock; false when {@code stopped} opened first. */
    boolean acquire(CountDownLatch stopped) throws InterruptedException {
        boolean announced = false;
        while (stopped.getCount() > 0) {
            try {
                if (tryLock()) {
                    return true;
                }
                if (!announced) {
                    LOG.info("standing by: another relay holds replication slot lock {}; retrying every {} ms",
                            lockKey, retry.toMillis());
                    announced = true;
                }
            } catch (SQLException e) {
                LOG.warn("cannot ask PostgreSQL at {} for the relay lock: {}", database.redactedUrl(), e.getMessage());
                closeConnection();
            }
            stopped.await(retry.toMillis(), TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /**
     * Whether the session holding the lock is still alive; a busy database answering slowly once is not
     * taken for a lost session, three failed checks in a row are.
     */
    boolean held() {
        try {
            if (connection != null && connection.isValid(5)) {
                failedChecks = 0;
                return true;
            }
        } catch (SQLException e) {
            LOG.debug("checking the relay lock session failed: {}", e.getMessage());
        }
        return ++failedChecks < 3;
    }

    private boolean tryLock() throws SQLException {
        if (connection == null || !connection.isValid(2)) {
            closeConnection();
            Properties properties = database.parsedUrl();
            // a dead peer must end the session, and so free the lock, for a standby to take over
            properties.setProperty("tcpKeepAlive", "true");
            connection = DriverManager.getConnection(database.jdbcUrl(), properties);
            connection.setAutoCommit(true);
            // and the server must notice a dead host itself, whatever the host's kernel can no longer say:
            // probes after 10 s idle, every 5 s, 3 unanswered end the session (unsent data: after 30 s)
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3; "
                        + "SET tcp_user_timeout = 30000");
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, lockKey);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the lock connection failed: {}", e.getMessage());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
