package dev.projections.monitoring;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Whether PostgreSQL answers through a component's pool. */
public final class DatabaseHealth {

    private DatabaseHealth() {
    }

    public static Health check(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2) ? Health.up("answers") : Health.down("connection not valid");
        } catch (SQLException e) {
            return Health.down(e.getMessage());
        }
    }
}
