package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CdcRelayConfigTest {

    @Test
    void givenAUrlAskingForVerifiedTls_whenDebeziumIsConfigured_thenItsConnectionsAskForTheSame() {
        Properties debezium = debeziumProperties("jdbc:postgresql://db.example:5432/pipeline?user=relay&sslmode=verify-full"
                + "&sslrootcert=/etc/pipeline/ca.crt&sslcert=/etc/pipeline/relay.crt&sslkey=/etc/pipeline/relay.pk8&sslpassword=s3cret");

        assertThat(debezium).containsEntry("database.sslmode", "verify-full")
                .containsEntry("database.sslrootcert", "/etc/pipeline/ca.crt")
                .containsEntry("database.sslcert", "/etc/pipeline/relay.crt")
                .containsEntry("database.sslkey", "/etc/pipeline/relay.pk8")
                .containsEntry("database.sslpassword", "s3cret")
                .containsEntry("database.hostname", "db.example");
    }

    @Test
    void givenAUrlWithSslTrueAndNoMode_whenDebeziumIsConfigured_thenItVerifiesTheServerAsTheDriverDoes() {
        Properties debezium = debeziumProperties("jdbc:postgresql://db.example:5432/pipeline?user=relay&ssl=true&sslrootcert=/ca.crt");

        assertThat(debezium).containsEntry("database.sslmode", "verify-full").containsEntry("database.sslrootcert", "/ca.crt");
    }

    @Test
    void givenAUrlWithoutTls_whenDebeziumIsConfigured_thenNoTlsPropertyIsSet() {
        Properties debezium = debeziumProperties("jdbc:postgresql://localhost:5432/pipeline?user=relay");

        assertThat(debezium.stringPropertyNames()).noneMatch(name -> name.startsWith("database.ssl"));
    }

    private static Properties debeziumProperties(String url) {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, url, KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092"), Map.of());
        CdcRelayConfig config = CdcRelayConfig.from(settings, Map.of());
        settings.validate();
        return config.debeziumProperties();
    }
}
