package dev.projections.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void givenAFlagAndItsVariable_whenRead_thenTheFlagWins() {
        Settings settings = Settings.of(Map.of("topic-partitions", "12"), Map.of("PIPELINE_TOPIC_PARTITIONS", "3"));

        assertThat(settings.integer("topic-partitions", 6, 1, 100)).isEqualTo(12);
        assertThat(Settings.of(Map.of(), Map.of("PIPELINE_TOPIC_PARTITIONS", "3")).integer("topic-partitions", 6, 1, 100)).isEqualTo(3);
    }

    @Test
    void givenThreeBadSettings_whenValidated_thenAllThreeAreListedWithFlagAndVariable() {
        Map<String, String> flags = new HashMap<>();
        flags.put("db-url", "mysql://localhost/db");
        flags.put("kafka-bootstrap-servers", "broker-without-port");
        Settings settings = Settings.of(flags, Map.of("PIPELINE_TOPIC_PARTITIONS", "0"));
        DatabaseSettings.from(settings);
        KafkaSettings.from(settings, Map.of());
        settings.integer("topic-partitions", 6, 1, 10_000);

        assertThatThrownBy(settings::validate)
                .isInstanceOfSatisfying(InvalidSettingsException.class, invalid -> assertThat(invalid.problems()).containsExactly(
                        "--db-url (PIPELINE_DB_URL) must be a PostgreSQL JDBC URL such as jdbc:postgresql://localhost:5432/pipeline",
                        "--kafka-bootstrap-servers (PIPELINE_KAFKA_BOOTSTRAP_SERVERS) has 'broker-without-port', not a host:port address",
                        "--topic-partitions (PIPELINE_TOPIC_PARTITIONS) is 0, must be between 1 and 10000"))
                .hasMessageStartingWith("3 invalid settings:");
    }

    @Test
    void givenMissingAndPlaceholderValues_whenRead_thenEachIsAProblem() {
        Settings settings = Settings.of(Map.of("kafka-bootstrap-servers", "<your-broker>"), Map.of());
        settings.jdbcUrl("db-url");
        settings.hostPorts("kafka-bootstrap-servers");

        assertThat(settings.problems()).containsExactly(
                "--db-url (PIPELINE_DB_URL) is required",
                "--kafka-bootstrap-servers (PIPELINE_KAFKA_BOOTSTRAP_SERVERS) is a placeholder value, set a real one");
    }

    @Test
    void givenAPasswordInTheUrl_whenTheSettingsArePrinted_thenThePasswordIsHidden() {
        Settings settings = Settings.of(Map.of("db-url", "jdbc:postgresql://db:5432/app?user=relay&password=s3cret",
                "db-password", "other-s3cret"), Map.of());
        DatabaseSettings database = DatabaseSettings.from(settings);

        assertThat(database.toString()).doesNotContain("s3cret").contains("password=***");
        assertThat(database.host()).isEqualTo("db");
        assertThat(database.port()).isEqualTo(5432);
        assertThat(database.databaseName()).isEqualTo("app");
        assertThat(database.effectiveUser()).isEqualTo("relay");
        assertThat(database.effectivePassword()).isEqualTo("other-s3cret");
    }

    @Test
    void givenDurationsInEitherForm_whenRead_thenBothAreUnderstood() {
        Settings settings = Settings.of(Map.of("a", "250ms", "b", "PT2S", "c", "soon"), Map.of());

        assertThat(settings.duration("a", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.duration("b", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.duration("c", Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(settings.problems()).containsExactly("--c (PIPELINE_C) is 'soon', not a duration such as 500ms, 10s or 5m");
    }

    @Test
    void givenKafkaClientVariables_whenRead_thenTheyBecomeClientProperties() {
        Settings settings = Settings.of(Map.of("kafka-bootstrap-servers", "k1:9092,k2:9092"), Map.of());

        KafkaSettings kafka = KafkaSettings.from(settings, Map.of("PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"));

        assertThat(kafka.clientConfig()).containsEntry("security.protocol", "SASL_SSL").containsEntry("bootstrap.servers", "k1:9092,k2:9092");
    }
}
