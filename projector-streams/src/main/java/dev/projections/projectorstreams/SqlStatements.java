package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;

/** What every projection does with its SQL: run a statement with positional parameters. */
public final class SqlStatements {

    private SqlStatements() {
    }

    /** @return the number of rows changed */
    public static int execute(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    /**
     * An event a read model does not use still moves its main row to the event's version, so that a
     * caught-up row's version is its aggregate's last.
     *
     * @param table the read model's main table, with {@code id} and {@code version}
     */
    public static int advanceVersion(Connection connection, String table, EventEnvelope event) throws SQLException {
        return execute(connection, "UPDATE " + table + " SET version = ? WHERE id = ? AND version < ?",
                event.eventVersion(), event.aggregateId(), event.eventVersion());
    }

    /** The event's time, the only clock a read model uses, so that a rebuild is byte-identical. */
    public static Timestamp occurredAt(EventEnvelope event) {
        return Timestamp.from(event.occurredAt());
    }
}
