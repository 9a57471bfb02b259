package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies events to one read model, each together with the aggregate's position: an event at or below
 * the position is a duplicate and changes nothing; a newer one advances the position and the rows
 * together. An event the database refuses for its data is parked, never skipped: it and every later
 * event of its aggregate wait in {@code readmodel.parked_events}, while other aggregates go on.
 */
public final class ProjectionWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionWriter.class);

    private static final String ADVANCE_POSITION = """
            INSERT INTO readmodel.projection_positions AS p (projection, aggregate_id, version, sequence)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (projection, aggregate_id) DO UPDATE
               SET version = excluded.version, sequence = excluded.sequence
             WHERE p.version < excluded.version
            """;
    private static final String PARK = """
            INSERT INTO readmodel.parked_events
                   (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type,
                    event_version, error, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """;

    private final Projection projection;
    private final DataSource dataSource;

    public ProjectionWriter(Projection projection, DataSource dataSource) {
        this.projection = projection;
        this.dataSource = dataSource;
    }

    public Projection projection() {
        return projection;
    }

    /**
     * Applies one event inside the caller's transaction, which advances its aggregate's position with it.
     * Nothing is caught: an event the database refuses leaves the transaction to be rolled back, and is
     * then applied again on its own, {@link #applyAlone isolated}, to be parked.
     *
     * @throws SQLException the database refused the event or could not be used; the transaction is lost
     * @throws IllegalArgumentException the projection cannot read the payload; the transaction is lost
     */
    public Outcome apply(Connection connection, EventEnvelope event, RecordOrigin origin, Set<UUID> parkedAggregates)
            throws SQLException {
        if (parkedAggregates.contains(event.aggregateId())) {
            park(connection, origin, event.aggregateId(), event, "an earlier event of aggregate " + event.aggregateId() + " is parked", null);
            return Outcome.PARKED;
        }
        if (!advancePosition(connection, event)) {
            return Outcome.ALREADY_APPLIED;
        }
        projection.apply(connection, event);
        return Outcome.APPLIED;
    }

    /**
     * Applies one event inside the caller's transaction under a savepoint of its own: an event the
     * database refuses for its data, or whose payload cannot be read, is rolled back alone and parked.
     * Savepoints are kept for events known to fail, since many subtransactions in one transaction slow
     * down every session of the database.
     */
    public Outcome applyAlone(Connection connection, EventEnvelope event, RecordOrigin origin, Set<UUID> parkedAggregates)
            throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        String refusal;
        try {
            Outcome outcome = apply(connection, event, origin, parkedAggregates);
            connection.releaseSavepoint(savepoint);
            return outcome;
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            refusal = e.getSQLState() + ": " + e.getMessage();
        } catch (IllegalArgumentException e) {
            refusal = e.getMessage();
        } catch (RuntimeException | Error e) {
            // never leave half an event in the transaction
            rollbackQuietly(connection, savepoint);
            throw e;
        }
        connection.rollback(savepoint);
        parkedAggregates.add(event.aggregateId());
        park(connection, origin, event.aggregateId(), event, refusal, null);
        return Outcome.PARKED;
    }

    private static void rollbackQuietly(Connection connection, Savepoint savepoint) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            LOG.debug("rolling back to a savepoint failed: {}", e.getMessage());
        }
    }

    /** Applies one event in a transaction of its own. */
    public Outcome apply(EventEnvelope event, RecordOrigin origin, Set<UUID> parkedAggregates) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Outcome outcome = applyAlone(connection, event, origin, parkedAggregates);
                connection.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Parks, in the caller's transaction, a record that is not a readable event at all. */
    public void parkUnreadable(Connection connection, RecordOrigin origin, UUID aggregateId, String error, String value,
            Set<UUID> parkedAggregates) throws SQLException {
        if (aggregateId != null) {
            parkedAggregates.add(aggregateId);
        }
        park(connection, origin, aggregateId, null, error, value);
    }

    private boolean advancePosition(Connection connection, EventEnvelope event) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ADVANCE_POSITION)) {
            statement.setString(1, projection.name());
            statement.setObject(2, event.aggregateId());
            statement.setInt(3, event.eventVersion());
            statement.setLong(4, event.sequence());
            return statement.executeUpdate() == 1;
        }
    }

    private void park(Connection connection, RecordOrigin origin, UUID aggregateId, EventEnvelope event, String error, String value)
            throws SQLException {
        LOG.error("parked {} of aggregate {} (sequence {}, {}-{}@{}): {}", event == null ? "an unreadable record" : event.eventType(),
                aggregateId, event == null ? "?" : event.sequence(), origin.topic(), origin.partition(), origin.offset(), error);
        try (PreparedStatement statement = connection.prepareStatement(PARK)) {
            statement.setString(1, projection.name());
            statement.setString(2, origin.topic());
            statement.setInt(3, origin.partition());
            statement.setLong(4, origin.offset());
            statement.setObject(5, aggregateId);
            statement.setObject(6, event == null ? null : event.sequence());
            statement.setString(7, event == null ? null : event.eventType());
            statement.setObject(8, event == null ? null : event.eventVersion());
            statement.setString(9, printable(error));
            statement.setString(10, printable(value != null ? value : event == null ? null : dev.projections.eventcatalogue.EventJson.toText(event)));
            statement.executeUpdate();
        }
    }

    /**
     * Empties the read model for a rebuild: its tables, its positions and its parked events, in one
     * transaction, so that a replay from the earliest offset makes it anew.
     */
    public void clear() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.executeUpdate("TRUNCATE " + projection.tables().stream().map(Projection.Table::name)
                        .collect(java.util.stream.Collectors.joining(", ")));
                for (String table : List.of("readmodel.projection_positions", "readmodel.parked_events")) {
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE projection = ?")) {
                        delete.setString(1, projection.name());
                        delete.executeUpdate();
                    }
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** PostgreSQL text cannot hold NUL: a poison record may, and must still be parked. */
    private static String printable(String text) {
        return text == null ? null : text.replace("\u0000", "\\u0000");
    }

    /** The aggregates of this read model with parked events, read when a task starts. */
    public Set<UUID> parkedAggregates() throws SQLException {
        Set<UUID> parked = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT DISTINCT aggregate_id FROM readmodel.parked_events WHERE projection = ? AND aggregate_id IS NOT NULL")) {
            statement.setString(1, projection.name());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    parked.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return parked;
    }
}
