package dev.projections.pipelinecli;

import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The flags every component shares. Each has a {@code PIPELINE_*} variable of the same name
 * ({@code --db-url} and {@code PIPELINE_DB_URL}); a flag wins over its variable.
 */
public final class SettingOptions {

    @Option(names = "--db-url", paramLabel = "JDBC-URL",
            description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://localhost:5432/pipeline (PIPELINE_DB_URL)")
    String dbUrl;

    @Option(names = "--db-user", description = "PostgreSQL user, unless in the URL (PIPELINE_DB_USER)")
    String dbUser;

    @Option(names = "--db-password", description = "PostgreSQL password; prefer PIPELINE_DB_PASSWORD, which stays out of process lists")
    String dbPassword;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (PIPELINE_KAFKA_BOOTSTRAP_SERVERS); further client properties as PIPELINE_KAFKA_CLIENT_<NAME>")
    String kafkaBootstrapServers;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any other setting by key, e.g. --set topic-partitions=12 (same as PIPELINE_TOPIC_PARTITIONS)")
    Map<String, String> other = new HashMap<>();

    public Map<String, String> flags() {
        Map<String, String> flags = new HashMap<>(other);
        flags.put(DatabaseSettings.URL, dbUrl);
        flags.put(DatabaseSettings.USER, dbUser);
        flags.put(DatabaseSettings.PASSWORD, dbPassword);
        flags.put(KafkaSettings.BOOTSTRAP_SERVERS, kafkaBootstrapServers);
        return flags;
    }
}
