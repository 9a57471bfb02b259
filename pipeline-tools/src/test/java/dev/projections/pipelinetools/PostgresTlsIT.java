package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.cdcrelay.CdcRelayApp;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.embeddedservices.Certificates;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The pipeline against a PostgreSQL that takes TCP clients over TLS only: the writer's library, the relay (its
 * replication connection included) and a projector connect with {@code sslmode=verify-full}, checking the
 * server's certificate against the authority named in the URL, and a client that trusts another authority,
 * or asks for no TLS, is refused.
 */
class PostgresTlsIT {

    @TempDir
    static Path directory;
    private static Certificates.Issued tls;
    private static EmbeddedPostgres postgres;
    private static EmbeddedKafka kafka;
    private static HikariDataSource writer;
    private static Monitoring monitoring;
    private static CdcRelayApp relay;
    private static ProjectorApp projector;

    @BeforeAll
    static void start() throws Exception {
        tls = Certificates.authority("pipeline test authority").issue(directory, "postgres", List.of("localhost"));
        postgres = EmbeddedPostgres.start(0, null, EmbeddedPostgres.tlsOnly(tls));
        kafka = EmbeddedKafka.start(0, null);
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, url("localhost", tls.authority()), KafkaSettings.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(), ProjectorConfig.STATE_DIR, directory.resolve("streams").toString()), Map.of());
        writer = DatabaseSettings.from(settings).pool("writer", 2);
        Migrations.migrate(writer);
        monitoring = new Monitoring("postgres-tls-it");
        relay = CdcRelayApp.start(CdcRelayConfig.from(settings, Map.of()), monitoring);
        projector = ProjectorApp.start(ProjectorConfig.from("document", settings, Map.of()), monitoring);
        settings.validate();
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.isActive() && projector.isRunning() || projector.failure().isDone());
        assertThat(projector.failure()).isNotDone();
    }

    @AfterAll
    static void stop() {
        if (projector != null) {
            projector.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (monitoring != null) {
            monitoring.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void givenEveryComponentOnVerifiedTls_whenAnEventIsWritten_thenItReachesTheReadModel() throws Exception {
        UUID document = UUID.randomUUID();
        new EventStore(writer).append("document", document, 0, List.of(NewEvent.of("DocumentUploaded",
                EventJson.tree("{\"title\": \"Pump manual\", \"filename\": \"pump.pdf\", \"contentType\": \"application/pdf\", "
                        + "\"sizeBytes\": 2048, \"uploadedBy\": \"alice\"}"))));

        await().atMost(Duration.ofSeconds(20)).until(() -> versionOf(document) == 1);
        try (Connection connection = writer.getConnection(); ResultSet rows = connection.createStatement().executeQuery("""
                SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                 WHERE a.client_port IS NOT NULL""")) {
            int walSenders = 0;
            while (rows.next()) {
                assertThat(rows.getBoolean("ssl")).as("a %s connection over TLS", rows.getString("backend_type")).isTrue();
                walSenders += rows.getString("backend_type").equals("walsender") ? 1 : 0;
            }
            assertThat(walSenders).as("the relay's replication connection").isEqualTo(1);
        }
    }

    @Test
    void givenAClientThatTrustsAnotherAuthority_whenItConnectsWithVerifyFull_thenItRefusesTheServersCertificate() {
        Path otherAuthority = Certificates.authority("another authority").writeAuthority(directory.resolve("other-ca.crt"));

        assertThatThrownBy(() -> DriverManager.getConnection(url("localhost", otherAuthority)).close()).isInstanceOf(PSQLException.class)
                .hasMessageStartingWith("SSL error: PKIX path building failed")
                .hasMessageContaining("unable to find valid certification path to requested target");
    }

    @Test
    void givenAHostNameTheCertificateDoesNotName_whenAClientConnectsWithVerifyFull_thenItRefusesTheServer() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("127.0.0.1", tls.authority())).close()).isInstanceOf(PSQLException.class)
                .hasMessage("The hostname 127.0.0.1 could not be verified by hostnameverifier PgjdbcHostnameVerifier.");
    }

    @Test
    void givenAClientWithoutTls_whenItConnects_thenTheServerRefusesIt() {
        String plain = "jdbc:postgresql://localhost:" + postgres.port() + "/" + EmbeddedPostgres.DATABASE + "?user=" + EmbeddedPostgres.USER
                + "&sslmode=disable";

        assertThatThrownBy(() -> DriverManager.getConnection(plain).close()).isInstanceOf(PSQLException.class)
                .hasMessageContaining("no pg_hba.conf entry for host").hasMessageContaining("no encryption");
    }

    private static String url(String host, Path authority) {
        return "jdbc:postgresql://" + host + ":" + postgres.port() + "/" + EmbeddedPostgres.DATABASE + "?user=" + EmbeddedPostgres.USER
                + "&sslmode=verify-full&sslrootcert=" + authority;
    }

    private static int versionOf(UUID document) throws Exception {
        try (Connection connection = writer.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT version FROM readmodel.document_views WHERE id = ?")) {
            select.setObject(1, document);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }
}
