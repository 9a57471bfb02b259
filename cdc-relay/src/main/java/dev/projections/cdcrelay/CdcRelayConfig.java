package dev.projections.cdcrelay;

import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/** The relay's settings, validated at once, and the Debezium engine properties they make. */
public record CdcRelayConfig(
        DatabaseSettings database,
        KafkaSettings kafka,
        String slotName,
        String publicationName,
        String offsetsTopic,
        int topicPartitions,
        short topicReplicationFactor,
        int topicMinInSyncReplicas,
        List<String> aggregateTypes,
        int maxBatchSize,
        Duration pollInterval,
        Duration offsetFlushInterval,
        Duration heartbeatInterval) {

    public static final String SLOT_NAME = "relay-slot-name";
    public static final String PUBLICATION = "relay-publication";
    public static final String OFFSETS_TOPIC = "relay-offsets-topic";
    public static final String TOPIC_PARTITIONS = "topic-partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic-replication-factor";
    public static final String TOPIC_MIN_INSYNC_REPLICAS = "topic-min-insync-replicas";
    public static final String AGGREGATE_TYPES = "aggregate-types";
    public static final String MAX_BATCH_SIZE = "relay-max-batch-size";
    public static final String POLL_INTERVAL = "relay-poll-interval";
    public static final String OFFSET_FLUSH_INTERVAL = "relay-offset-flush-interval";
    public static final String HEARTBEAT_INTERVAL = "relay-heartbeat-interval";

    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
    /** The JDBC URL's TLS properties, which Debezium takes as {@code database.<name>}. */
    private static final List<String> TLS_PROPERTIES = List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword");

    public static CdcRelayConfig from(Settings settings, Map<String, String> environment) {
        String slot = settings.string(SLOT_NAME, "pipeline_relay");
        if (!SLOT.matcher(slot).matches()) {
            settings.problem(SLOT_NAME, "is '" + slot + "', must be lower-case letters, digits and _ (at most 63)");
        }
        List<String> types = settings.list(AGGREGATE_TYPES, AggregateTypes.ALL);
        for (String type : types) {
            if (!EventTopics.AGGREGATE_TYPE.matcher(type).matches()) {
                settings.problem(AGGREGATE_TYPES, "has '" + type + "', not a lower-case aggregate type name");
            }
        }
        return new CdcRelayConfig(
                DatabaseSettings.from(settings),
                KafkaSettings.from(settings, environment),
                slot,
                settings.string(PUBLICATION, "pipeline_events"),
                settings.string(OFFSETS_TOPIC, "pipeline.relay.offsets"),
                settings.integer(TOPIC_PARTITIONS, 6, 1, 10_000),
                (short) settings.integer(TOPIC_REPLICATION_FACTOR, -1, -1, 32),
                settings.integer(TOPIC_MIN_INSYNC_REPLICAS, -1, -1, 32),
                types,
                settings.integer(MAX_BATCH_SIZE, 2048, 1, 100_000),
                settings.duration(POLL_INTERVAL, Duration.ofMillis(10)),
                settings.duration(OFFSET_FLUSH_INTERVAL, Duration.ofSeconds(1)),
                settings.duration(HEARTBEAT_INTERVAL, Duration.ofSeconds(10)));
    }

    /**
     * The Debezium Postgres connector on {@code pgoutput}, reading inserts of {@code eventstore.events}
     * through the publication the migrations created, with offsets kept in a Kafka topic.
     */
    public Properties debeziumProperties() {
        Properties props = new Properties();
        props.setProperty("name", "pipeline-relay-" + slotName);
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", slotName);
        props.setProperty("publication.name", publicationName);
        props.setProperty("publication.autocreate.mode", "disabled");
        props.setProperty("database.hostname", database.host());
        props.setProperty("database.port", Integer.toString(database.port()));
        props.setProperty("database.dbname", database.databaseName());
        props.setProperty("database.user", database.effectiveUser());
        if (database.effectivePassword() != null) {
            props.setProperty("database.password", database.effectivePassword());
        }
        tls(props);
        props.setProperty("topic.prefix", "pipeline");
        props.setProperty("table.include.list", "eventstore.events,eventstore.relay_heartbeats");
        props.setProperty("tombstones.on.delete", "false");
        // a first start publishes the rows already there, in sequence order, so each aggregate stays in order;
        // so does a start whose slot was lost (dropped, invalidated) while offsets exist, rather than streaming
        // from the new slot's "now" past whatever was written meanwhile: projectors skip what they applied
        props.setProperty("snapshot.mode", "when_needed");
        props.setProperty("snapshot.select.statement.overrides", "eventstore.events");
        props.setProperty("snapshot.select.statement.overrides.eventstore.events",
                "SELECT * FROM eventstore.events ORDER BY sequence");
        props.setProperty("transforms", "unwrap");
        props.setProperty("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState");
        props.setProperty("transforms.unwrap.delete.tombstone.handling.mode", "drop");
        // heartbeats let the slot advance while the events table is quiet but the WAL is not: the action
        // query writes a row through the publication, whose position the relay then confirms
        props.setProperty("heartbeat.interval.ms", Long.toString(heartbeatInterval.toMillis()));
        props.setProperty("heartbeat.action.query", "WITH expired AS (DELETE FROM eventstore.relay_heartbeats WHERE beat_at < now() - "
                + "interval '1 hour') INSERT INTO eventstore.relay_heartbeats (slot) VALUES ('" + slotName + "')");
        props.setProperty("max.batch.size", Integer.toString(maxBatchSize));
        props.setProperty("max.queue.size", Integer.toString(maxBatchSize * 4));
        props.setProperty("poll.interval.ms", Long.toString(pollInterval.toMillis()));
        // Kafka's offset store, as Debezium's, with its admin client closed when the engine stops
        props.setProperty("offset.storage", RelayOffsetStore.class.getName());
        props.setProperty("offset.storage.topic", offsetsTopic);
        props.setProperty("offset.storage.partitions", "1");
        props.setProperty("offset.storage.replication.factor", Short.toString(topicReplicationFactor));
        props.setProperty("offset.flush.interval.ms", Long.toString(offsetFlushInterval.toMillis()));
        props.setProperty("offset.flush.timeout.ms", "10000");
        kafka.clientConfig().forEach((key, value) -> props.setProperty(key, String.valueOf(value)));
        return props;
    }

    /**
     * Debezium's connections, its replication connection included, with the TLS the JDBC URL asks for:
     * Debezium reads no URL, and without these it connects with {@code sslmode=prefer}, which verifies no
     * certificate and falls back to a plain connection.
     */
    private void tls(Properties props) {
        Properties url = database.parsedUrl();
        for (String name : TLS_PROPERTIES) {
            if (url.getProperty(name) != null) {
                props.setProperty("database." + name, url.getProperty(name));
            }
        }
        // the driver takes ssl=true without an sslmode as verify-full
        if (url.getProperty("sslmode") == null && Boolean.parseBoolean(url.getProperty("ssl"))) {
            props.setProperty("database.sslmode", "verify-full");
        }
    }
}
