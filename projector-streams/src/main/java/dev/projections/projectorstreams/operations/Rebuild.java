package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.projection.Projection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** What a rebuild starts from: a read model emptied of its rows and of what its projectors keep beside them. */
public final class Rebuild {

    private Rebuild() {
    }

    /**
     * Empties the read model: its tables, its positions and its parked events, in one transaction, so that a
     * replay from the earliest offsets makes it anew.
     */
    public static void clear(Projection projection, DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.executeUpdate("TRUNCATE " + projection.tables().stream().map(Projection.Table::name)
                        .collect(Collectors.joining(", ")));
                forget(connection, projection.name());
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Deletes what a projector keeps of a read model beside its rows: its positions and its parked events. */
    static void forget(Connection connection, String projection) throws SQLException {
        for (String table : List.of("readmodel.projection_positions", "readmodel.parked_events")) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE projection = ?")) {
                delete.setString(1, projection);
                delete.executeUpdate();
            }
        }
    }
}
