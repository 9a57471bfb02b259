package dev.projections.migrations;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the project's Flyway migrations: the one way any schema object comes to exist. */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }

    public static MigrateResult migrate(DataSource dataSource) {
        return configure().dataSource(dataSource).load().migrate();
    }

    public static MigrateResult migrate(String jdbcUrl, String user, String password) {
        return configure().dataSource(jdbcUrl, user, password).load().migrate();
    }

    /** What every migrate uses; a misnamed file (V11_x.sql, v11__x.sql) is refused rather than skipped. */
    static FluentConfiguration configure(String... extraLocations) {
        String[] locations = new String[extraLocations.length + 1];
        locations[0] = LOCATION;
        System.arraycopy(extraLocations, 0, locations, 1, extraLocations.length);
        return Flyway.configure().locations(locations).failOnMissingLocations(true).validateMigrationNaming(true);
    }
}
