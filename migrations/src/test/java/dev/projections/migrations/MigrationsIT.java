package dev.projections.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.embeddedservices.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

/** The migrations' rules, and what an operator sees when one is broken: each checked on a database of its own. */
class MigrationsIT {

    private static final String USER = EmbeddedPostgres.USER;

    @Test
    void givenTheProjectsMigrations_whenResolved_thenTheirVersionsRunFromOneWithoutAHole() throws SQLException {
        String url = freshDatabase();

        List<String> versions = Arrays.stream(Migrations.configure().dataSource(url, USER, null).load().info().all())
                .map(MigrationInfo::getVersion).map(Object::toString).toList();

        assertThat(versions).containsExactlyElementsOf(IntStream.rangeClosed(1, versions.size()).mapToObj(Integer::toString).toList());
    }

    @Test
    void givenAnAppliedMigrationEdited_whenMigratingAgain_thenItIsRefusedNamingTheMigration() throws SQLException {
        String url = freshDatabase();
        Migrations.migrate(url, USER, null);
        execute(url, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '3'");

        assertThatThrownBy(() -> Migrations.migrate(url, USER, null))
                .hasMessageContaining("Migration checksum mismatch for migration version 3");
    }

    @Test
    void givenAMigrationNumberedBelowTheAppliedOnes_whenMigrating_thenItIsRefused() throws SQLException {
        String url = freshDatabase();
        Migrations.migrate(url, USER, null);

        assertThatThrownBy(() -> Migrations.configure("classpath:db/late").dataSource(url, USER, null).load().migrate())
                .hasMessageContaining("Detected resolved migration not applied to database: 1.5");
    }

    @Test
    void givenTwoMigrationsWithOneVersion_whenMigrating_thenItIsRefusedNamingBoth() throws SQLException {
        String url = freshDatabase();

        assertThatThrownBy(() -> Migrations.configure("classpath:db/twin").dataSource(url, USER, null).load().migrate())
                .hasMessageContaining("Found more than one migration with version 2");
    }

    @Test
    void givenAMigrationWithOneUnderscoreInItsName_whenMigrating_thenItIsRefusedRatherThanSkipped() throws SQLException {
        String url = freshDatabase();

        assertThatThrownBy(() -> Migrations.configure("classpath:db/misnamed").dataSource(url, USER, null).load().migrate())
                .hasMessageContaining("V11_one_underscore.sql");
    }

    /** A database of its own on the shared server, migrated by nothing yet; its JDBC URL. */
    private static String freshDatabase() throws SQLException {
        String name = "migrations_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
            return connection.getMetaData().getURL().replaceAll("/[^/?]+(\\?|$)", "/" + name + "$1");
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, USER, null); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
