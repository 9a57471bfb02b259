package dev.projections.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.embeddedservices.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each component's role allows its work and refuses the rest, as a deployment's login users would find. */
class RolesIT {

    private static final String EVENT = "INSERT INTO eventstore.events (id, aggregate_id, aggregate_type, event_type, event_version, payload) "
            + "VALUES (gen_random_uuid(), '%s', 'document', 'DocumentArchived', 1, '{}')";
    private static DataSource admin;

    @BeforeAll
    static void migrate() throws SQLException {
        admin = SharedPostgres.get().dataSource();
        Migrations.migrate(admin);
        for (String role : new String[] {"writer", "relay", "projector", "reader"}) {
            execute(admin, "DROP ROLE IF EXISTS app_" + role);
            execute(admin, "CREATE ROLE app_" + role + " LOGIN IN ROLE pipeline_" + role);
        }
    }

    @Test
    void givenTheWriterRole_whenItAppendsReadsPositionsAndTriesToChangeHistory_thenOnlyTheAppendAndTheReadsAreAllowed() throws SQLException {
        try (Connection writer = connect("app_writer")) {
            execute(writer, EVENT.formatted(UUID.randomUUID()));
            execute(writer, "SELECT max(event_version) FROM eventstore.events");
            execute(writer, "INSERT INTO eventstore.unique_claims (claim, value, aggregate_id) VALUES ('customer code', '"
                    + UUID.randomUUID() + "', gen_random_uuid())");
            // read-your-writes: how far each read model has applied an aggregate
            execute(writer, "SELECT m.name, p.version, e.error FROM readmodel.read_models m, readmodel.projection_positions p, "
                    + "readmodel.parked_events e LIMIT 1");

            assertRefused(writer, "UPDATE eventstore.events SET payload = '{}' WHERE sequence = 1");
            assertRefused(writer, "DELETE FROM eventstore.events");
            assertRefused(writer, "SELECT * FROM readmodel.customers");
            assertRefused(writer, "DELETE FROM readmodel.projection_positions");
        }
    }

    @Test
    void givenTheProjectorRole_whenItWritesReadModelsAndReachesForTheEventStore_thenTheEventStoreIsRefused() throws SQLException {
        try (Connection projector = connect("app_projector")) {
            UUID id = UUID.randomUUID();
            execute(projector, "INSERT INTO readmodel.projection_positions (projection, aggregate_id, version, sequence) VALUES ('roles', '"
                    + id + "', 1, 1)");
            execute(projector, "DELETE FROM readmodel.projection_positions WHERE aggregate_id = '" + id + "'");
            // a shadow build's copies of a read model's tables
            execute(projector, "CREATE TABLE readmodel_shadow.roles_customers (LIKE readmodel.customers INCLUDING ALL)");
            execute(projector, "DROP TABLE readmodel_shadow.roles_customers");

            assertRefused(projector, "SELECT * FROM eventstore.events");
            assertRefused(projector, EVENT.formatted(UUID.randomUUID()));
            assertRefused(projector, "CREATE TABLE readmodel.roles_customers (id uuid)");
        }
    }

    @Test
    void givenTheRelayRole_whenItReadsEventsAndBeats_thenItCanDoThatAndNothingMore() throws SQLException {
        try (Connection relay = connect("app_relay")) {
            execute(relay, "SELECT count(*) FROM eventstore.events");
            execute(relay, "INSERT INTO eventstore.relay_heartbeats (slot) VALUES ('roles')");

            assertRefused(relay, EVENT.formatted(UUID.randomUUID()));
            assertRefused(relay, "SELECT * FROM readmodel.document_views");
        }
    }

    @Test
    void givenTheReaderRole_whenItReadsAndTriesToWrite_thenWritingIsRefused() throws SQLException {
        try (Connection reader = connect("app_reader")) {
            execute(reader, "SELECT count(*) FROM readmodel.document_views");
            execute(reader, "SELECT count(*) FROM eventstore.events");

            assertRefused(reader, "DELETE FROM readmodel.customers");
            assertRefused(reader, "INSERT INTO readmodel.projection_positions (projection, aggregate_id, version, sequence) "
                    + "VALUES ('roles', gen_random_uuid(), 1, 1)");
            assertRefused(reader, EVENT.formatted(UUID.randomUUID()));
        }
    }

    private static Connection connect(String user) throws SQLException {
        try (Connection connection = admin.getConnection()) {
            String url = connection.getMetaData().getURL().replaceAll("\\?.*$", "");
            return DriverManager.getConnection(url + "?user=" + user);
        }
    }

    private static void assertRefused(Connection connection, String sql) {
        assertThatThrownBy(() -> execute(connection, sql)).as(sql).isInstanceOf(SQLException.class)
                .satisfies(error -> assertThat(((SQLException) error).getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("permission denied");
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            execute(connection, sql);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
