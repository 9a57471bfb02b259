package dev.projections.projectorstreams;

import dev.projections.projectorstreams.projection.Projection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code readmodel.read_models}: each read model whose projector has started on this database, the aggregate
 * types it reads (for the writer's read-your-writes) and the version of its projection its rows were made by.
 */
public final class ReadModelRegistry {

    private ReadModelRegistry() {
    }

    /** Registers the read model at the projection's version if it is new; returns the version it is at. */
    static int register(Connection connection, Projection projection) throws SQLException {
        try (PreparedStatement upsert = prepare(connection, projection, """
                INSERT INTO readmodel.read_models (name, aggregate_types, version) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET aggregate_types = excluded.aggregate_types
                RETURNING version""")) {
            try (ResultSet rows = upsert.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Registers the read model at the projection's version, whatever version it was at: a shadow build's swap. */
    public static void setVersion(Connection connection, Projection projection) throws SQLException {
        try (PreparedStatement upsert = prepare(connection, projection, """
                INSERT INTO readmodel.read_models (name, aggregate_types, version) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET aggregate_types = excluded.aggregate_types, version = excluded.version""")) {
            upsert.executeUpdate();
        }
    }

    /** The version the read model is at; empty when no projector of it has started yet. */
    public static Optional<Integer> version(Connection connection, String readModel) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT version FROM readmodel.read_models WHERE name = ?")) {
            query.setString(1, readModel);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(rows.getInt(1)) : Optional.empty();
            }
        }
    }

    private static PreparedStatement prepare(Connection connection, Projection projection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setString(1, projection.name());
        statement.setArray(2, connection.createArrayOf("text", projection.aggregateTypes().toArray()));
        statement.setInt(3, projection.version());
        return statement;
    }
}
