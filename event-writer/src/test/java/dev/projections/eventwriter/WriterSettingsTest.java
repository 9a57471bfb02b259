package dev.projections.eventwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.eventwriter.access.ApiKeys;
import dev.projections.eventwriter.access.Credentials;
import dev.projections.settings.InvalidSettingsException;
import dev.projections.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when the writer's TLS or credentials are set wrong: every problem at once, before it listens. */
class WriterSettingsTest {

    @TempDir
    Path files;

    @Test
    void givenNoCertificateAndNoCredentials_whenTheWriterIsConfigured_thenBothDefaultsSayWhatToSetOrTurnOff() {
        Settings settings = Settings.of(Map.of("db-url", "jdbc:postgresql://db:5432/events?user=writer"), Map.of());
        EventWriterConfig.from(settings);

        assertThatThrownBy(settings::validate).isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("--http-tls (PIPELINE_HTTP_TLS) is on, the default, but no certificate is set: give"
                        + " --tls-cert-file (PIPELINE_TLS_CERT_FILE) and --tls-key-file (PIPELINE_TLS_KEY_FILE) (PEM) or"
                        + " --tls-keystore (PIPELINE_TLS_KEYSTORE) (PKCS#12); or turn it off to serve plain HTTP behind a proxy that terminates TLS")
                .hasMessageContaining("--http-auth (PIPELINE_HTTP_AUTH) is on, the default, but no credentials are set");
    }

    @Test
    void givenAnOpenPlainWriter_whenConfigured_thenItNeedsNothingMore() {
        Settings settings = Settings.of(Map.of("db-url", "jdbc:postgresql://db:5432/events?user=writer", "http-tls", "off", "http-auth", "off"), Map.of());

        EventWriterConfig config = EventWriterConfig.from(settings);
        settings.validate();

        assertThat(config.tls()).isNull();
        assertThat(config.credentials().required()).isFalse();
        assertThat(config.scheme()).isEqualTo("http");
    }

    @Test
    void givenAnApiKeysFileWithBadLines_whenConfigured_thenEachLineIsNamedWithItsProblem() throws Exception {
        Path keys = Files.writeString(files.resolve("keys"), ApiKeys.line("ingest", ApiKeys.newKey(), List.of("events:append:document"))
                + "\nreader sha256:abc events:read:*\nauditor " + ApiKeys.hash("k") + " events:delete:document\n");
        Settings settings = Settings.of(Map.of("db-url", "jdbc:postgresql://db:5432/events?user=writer", "http-tls", "off",
                Credentials.API_KEYS_FILE, keys.toString()), Map.of());
        EventWriterConfig.from(settings);

        assertThatThrownBy(settings::validate).isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("--api-keys-file (PIPELINE_API_KEYS_FILE) cannot be used: cannot read the API keys file " + keys
                        + ": line 2 has no hash of the form sha256:<64 lowercase hex digits> (bin/pipeline api-key prints one);"
                        + " line 3 has the scope 'events:delete:document': use events:append:<type>, events:read:<type> or"
                        + " projections:read:<type> (<type> an aggregate type or *)");
    }

    @Test
    void givenATokenKeyFileWithoutIssuerAndAudience_whenConfigured_thenBothAreRequired() throws Exception {
        Path jwks = Files.writeString(files.resolve("jwks.json"), "{\"keys\": []}");
        Settings settings = Settings.of(Map.of("db-url", "jdbc:postgresql://db:5432/events?user=writer", "http-tls", "off",
                Credentials.JWT_KEY_FILE, jwks.toString()), Map.of());
        EventWriterConfig.from(settings);

        assertThatThrownBy(settings::validate).isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("--jwt-issuer (PIPELINE_JWT_ISSUER) is required to check bearer tokens")
                .hasMessageContaining("--jwt-audience (PIPELINE_JWT_AUDIENCE) is required to check bearer tokens");
    }
}
