package dev.projections.cdcrelay;

import dev.projections.monitoring.Health;
import dev.projections.settings.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the replication slot's state from PostgreSQL every few seconds, for the lag metric and health. */
final class SlotMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);
    private static final String SLOT = """
            SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
              FROM pg_replication_slots WHERE slot_name = ?
            """;

    private final DatabaseSettings database;
    private final String slotName;
    private final RelayMetrics metrics;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "cdc-relay-slot-monitor");
        thread.setDaemon(true);
        return thread;
    });
    private Connection connection;
    private volatile Health postgres = Health.down("not checked yet");
    private volatile Boolean slotActive;

    SlotMonitor(DatabaseSettings database, String slotName, RelayMetrics metrics) {
        this.database = database;
        this.slotName = slotName;
        this.metrics = metrics;
        schedule.scheduleWithFixedDelay(this::poll, 0, 5, TimeUnit.SECONDS);
    }

    private void poll() {
        try {
            if (connection == null || !connection.isValid(2)) {
                connection = database.connect();
            }
            try (PreparedStatement statement = connection.prepareStatement(SLOT)) {
                statement.setString(1, slotName);
                try (ResultSet rows = statement.executeQuery()) {
                    if (rows.next()) {
                        slotActive = rows.getBoolean(1);
                        metrics.slotLag(rows.getLong(2));
                    } else {
                        slotActive = null;
                        metrics.slotLag(-1);
                    }
                }
            }
            postgres = Health.up("answers");
        } catch (SQLException e) {
            postgres = Health.down(e.getMessage());
            LOG.debug("cannot read replication slot {}: {}", slotName, e.getMessage());
            closeConnection();
        }
    }

    Health postgres() {
        return postgres;
    }

    /** Whether some relay streams from the slot; null when the slot does not exist (yet). */
    Boolean slotActive() {
        return slotActive;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing the slot monitor's connection failed: {}", e.getMessage());
        }
        connection = null;
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        closeConnection();
    }
}
