package dev.projections.cdcrelay;

import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Retry;
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
 *
 * <p>A re-publication of the topics ({@code bin/pipeline republish}) pauses the relays: it holds a second
 * lock, the slot's pause lock, and then the slot's lock itself, so that nothing reaches the topics but what
 * it publishes, in order. While the pause lock is held, the active relay stands by and gives its lock up,
 * and no relay takes it; when the re-publication ends (or its session does), they go on from the slot.
 */
final class SlotLeadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLeadership.class);

    private final DatabaseSettings database;
    private final long lockKey;
    private final long pauseKey;
    private final Duration retry;
    private Connection connection;
    private int failedChecks;

    SlotLeadership(DatabaseSettings database, String slotName, Duration retry) {
        this.database = database;
        this.lockKey = key("pipeline-relay:" + slotName);
        this.pauseKey = key("pipeline-relay-pause:" + slotName);
        this.retry = retry;
    }

    private static long key(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }

    /** Blocks until this relay holds the lock; false when {@code stopped} opened first. */
    boolean acquire(CountDownLatch stopped) throws InterruptedException {
        boolean announced = false;
        boolean announcedPause = false;
        while (stopped.getCount() > 0) {
            try {
                connect();
                if (paused()) {
                    if (!announcedPause) {
                        LOG.info("standing by: a re-publication of the topics holds slot lock {} (bin/pipeline republish)", lockKey);
                        announcedPause = true;
                    }
                } else if (tryLock()) {
                    return true;
                } else if (!announced) {
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

    /**
     * Whether the relay streams from the slot without a snapshot: the slot was made by a resharding's prepare
     * (see {@link Resharding#makeSlot}) and still holds its WAL. A mark whose slot is gone or lost is removed,
     * so that a slot made again by that name, with its snapshot, is Debezium's own.
     */
    boolean prepared(String slotName) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT s.slot_name IS NOT NULL AND s.wal_status IS DISTINCT FROM 'lost'"
                + " FROM eventstore.relay_prepared_slots p LEFT JOIN pg_replication_slots s ON s.slot_name = p.slot_name WHERE p.slot_name = ?")) {
            statement.setString(1, slotName);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return false;
                }
                if (rows.getBoolean(1)) {
                    return true;
                }
            }
        }
        try (PreparedStatement unmark = connection.prepareStatement("DELETE FROM eventstore.relay_prepared_slots WHERE slot_name = ?")) {
            unmark.setString(1, slotName);
            unmark.execute();
        }
        LOG.warn("slot {} made by a resharding is gone or lost: the relay publishes its shard's events from the table first", slotName);
        return false;
    }

    /**
     * Ends the walsender still streaming from the slot, if any: with the lock held here, it is a relay that
     * lost its lock session (its process killed, its host gone), whose replication connection the server has
     * not yet noticed is dead. Until it ends, the slot is active and Debezium cannot stream from it.
     * Returns once the slot is free, or after {@code patience}.
     */
    void freeSlot(String slotName, Duration patience) throws InterruptedException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT active_pid, pg_terminate_backend(active_pid) FROM pg_replication_slots
                 WHERE slot_name = ? AND active AND active_pid IS NOT NULL""")) {
            statement.setString(1, slotName);
            Retry.until(patience, Duration.ofMillis(100), () -> {
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return true;
                    }
                    LOG.warn("slot {} is still streamed to by walsender {}, of a relay that lost the lock: ending it", slotName,
                            rows.getLong(1));
                    return false;
                }
            });
        } catch (SQLException e) {
            // a relay whose user may not end another's session: Debezium waits for the slot, retrying
            LOG.warn("cannot end the walsender still holding slot {}: {}", slotName, e.getMessage());
        }
    }

    /**
     * Whether a re-publication holds the pause lock. A session's own locks do not conflict, so the
     * re-publication's own leadership, on the session that holds it, is not paused.
     */
    boolean paused() throws SQLException {
        if (select("SELECT pg_try_advisory_lock_shared(?)", pauseKey)) {
            select("SELECT pg_advisory_unlock_shared(?)", pauseKey);
            return false;
        }
        return true;
    }

    /** Gives the slot's lock up, keeping the session: a relay asked to stand by for a re-publication. */
    void release() throws SQLException {
        select("SELECT pg_advisory_unlock(?)", lockKey);
    }

    /**
     * For a re-publication: takes the pause lock, which has the relays stand by and give the slot's lock up,
     * then the slot's lock. Both are held until {@link #close}.
     *
     * @return false when the active relay did not give the slot's lock up within {@code patience}
     */
    boolean pauseRelays(Duration patience) throws SQLException, InterruptedException {
        connect();
        long deadline = System.nanoTime() + patience.toNanos();
        // the relays take the pause lock shared for a moment to look at it: a try may meet one of them
        return Retry.until(patience, Duration.ofMillis(20), () -> select("SELECT pg_try_advisory_lock(?)", pauseKey))
                && Retry.until(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), retry, this::tryLock);
    }

    private boolean select(String sql, long key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** On the session {@link #connect} opened. */
    private boolean tryLock() throws SQLException {
        return select("SELECT pg_try_advisory_lock(?)", lockKey);
    }

    private void connect() throws SQLException {
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
