package dev.projections.settings;

import java.util.HashMap;
import java.util.Map;

/**
 * How to reach Kafka: the bootstrap servers and any further client properties, given as
 * {@code PIPELINE_KAFKA_CLIENT_<PROPERTY>} variables (for example
 * {@code PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL}), so security settings need no new flags.
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {

    public static final String BOOTSTRAP_SERVERS = "kafka-bootstrap-servers";
    private static final String CLIENT_PREFIX = "PIPELINE_KAFKA_CLIENT_";

    public static KafkaSettings from(Settings settings, Map<String, String> environment) {
        String bootstrap = settings.hostPorts(BOOTSTRAP_SERVERS);
        Map<String, String> client = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(CLIENT_PREFIX) && name.length() > CLIENT_PREFIX.length()) {
                client.put(name.substring(CLIENT_PREFIX.length()).toLowerCase().replace('_', '.'), value);
            }
        });
        return new KafkaSettings(bootstrap, Map.copyOf(client));
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /** The properties every client of ours starts from. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    @Override
    public String toString() {
        return "KafkaSettings[" + bootstrapServers + ", client properties " + clientProperties.keySet() + "]";
    }
}
