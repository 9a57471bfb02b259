package dev.projections.cdcrelay;

import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The relay's settings, validated at once, and the Debezium engine properties they make.
 *
 * @param slotBase {@code relay-slot-name}: the slot with one shard, the start of each shard's slot name with more
 * @param publicationBase {@code relay-publication}, the same way
 * @param shards how many shards the events are relayed in: 1, 2, 4 or 8
 * @param shardIds the shards this process relays, each with an engine of its own ({@link #perShard()})
 */
public record CdcRelayConfig(
        DatabaseSettings database,
        KafkaSettings kafka,
        String slotBase,
        String publicationBase,
        int shards,
        List<Integer> shardIds,
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
    public static final String SHARDS = "relay-shards";
    public static final String SHARD_IDS = "relay-shard-ids";
    /** The shard counts the migrations made publications for (V15). */
    public static final List<Integer> SHARD_COUNTS = List.of(1, 2, 4, 8);

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
        int shards = settings.integer(SHARDS, 1, 1, 8);
        if (!SHARD_COUNTS.contains(shards)) {
            settings.problem(SHARDS, "is " + shards + ", must be 1, 2, 4 or 8 (the shard counts the migrations made publications for)");
            shards = 1;
        }
        List<Integer> shardIds = shardIds(settings, shards);
        String publication = settings.string(PUBLICATION, "pipeline_events");
        return new CdcRelayConfig(
                DatabaseSettings.from(settings),
                KafkaSettings.from(settings, environment),
                slot,
                publication,
                shards,
                shardIds,
                settings.string(OFFSETS_TOPIC, "pipeline.relay.offsets"),
                settings.integer(TOPIC_PARTITIONS, 6, 1, 10_000),
                (short) settings.integer(TOPIC_REPLICATION_FACTOR, -1, -1, 32),
                settings.integer(TOPIC_MIN_INSYNC_REPLICAS, -1, -1, 32),
                types,
                settings.integer(MAX_BATCH_SIZE, 2048, 1, 100_000),
                // at a few events a transaction, the relay's batches and so the projectors' transactions are twice
                // what 10 ms makes them, for some 5 ms more latency (docs/configuration.md gives the trade-off)
                settings.duration(POLL_INTERVAL, Duration.ofMillis(20)),
                settings.duration(OFFSET_FLUSH_INTERVAL, Duration.ofSeconds(1)),
                settings.duration(HEARTBEAT_INTERVAL, Duration.ofSeconds(10)));
    }

    private static List<Integer> shardIds(Settings settings, int shards) {
        List<Integer> all = IntStream.range(0, shards).boxed().toList();
        List<String> given = settings.list(SHARD_IDS, List.of());
        if (given.isEmpty()) {
            return all;
        }
        List<Integer> ids = new ArrayList<>();
        for (String id : given) {
            if (!id.matches("\\d{1,2}") || Integer.parseInt(id) >= shards || ids.contains(Integer.parseInt(id))) {
                settings.problem(SHARD_IDS, "has '" + id + "': name each shard once, by a number from 0 to " + (shards - 1));
                return all;
            }
            ids.add(Integer.parseInt(id));
        }
        return List.copyOf(ids);
    }

    /** The slot or publication of shard {@code shard} of {@code shards}: {@code pipeline_relay_2_1}. */
    private static String shardName(String base, int shards, int shard) {
        return base + "_" + shards + "_" + shard;
    }

    /** One configuration per shard this process relays, each naming its own slot and publication. */
    public List<CdcRelayConfig> perShard() {
        return shardIds.stream().map(id -> with(shards, List.of(id))).toList();
    }

    /** The same relay in a layout of {@code count} shards, all of them: a resharding's other side. */
    public CdcRelayConfig withShards(int count) {
        return with(count, IntStream.range(0, count).boxed().toList());
    }

    private CdcRelayConfig with(int count, List<Integer> ids) {
        return new CdcRelayConfig(database, kafka, slotBase, publicationBase, count, ids, offsetsTopic, topicPartitions,
                topicReplicationFactor, topicMinInSyncReplicas, aggregateTypes, maxBatchSize, pollInterval, offsetFlushInterval,
                heartbeatInterval);
    }

    /** The slot of the shard, or the first of the shards, this configuration relays; {@code relay-slot-name} with one shard. */
    public String slotName() {
        return slotName(shardIds.get(0));
    }

    /** The slots of every shard of this layout, whichever this process relays: {@code pipeline_relay_2_0, pipeline_relay_2_1}. */
    public List<String> slotNames() {
        return IntStream.range(0, shards).mapToObj(this::slotName).toList();
    }

    private String slotName(int shard) {
        return shards == 1 ? slotBase : shardName(slotBase, shards, shard);
    }

    /** The publication of the shard this configuration relays; {@code relay-publication} with one shard. */
    public String publicationName() {
        return shards == 1 ? publicationBase : shardName(publicationBase, shards, shardIds.get(0));
    }

    /** The condition that picks this shard's events, as its publication's row filter does; null with one shard. */
    String shardFilter() {
        return shards == 1 ? null : "get_byte(uuid_send(aggregate_id), 15) % " + shards + " = " + shardIds.get(0);
    }

    /**
     * The Debezium Postgres connector on {@code pgoutput}, reading inserts of {@code eventstore.events}
     * through the publication the migrations created, with offsets kept in a Kafka topic.
     *
     * @param prepared whether this shard's slot was made by a resharding's prepare and holds its WAL: the engine
     *     then streams from it and takes no snapshot, since the layout it replaced published what came before the
     *     slot; otherwise, as always, it takes one when it has no offsets (the shard's events in the table first),
     *     or resumes one it was stopped in
     */
    public Properties debeziumProperties(boolean prepared) {
        Properties props = new Properties();
        props.setProperty("name", "pipeline-relay-" + slotName());
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", slotName());
        props.setProperty("publication.name", publicationName());
        props.setProperty("publication.autocreate.mode", "disabled");
        props.setProperty("database.hostname", database.host());
        props.setProperty("database.port", Integer.toString(database.port()));
        props.setProperty("database.dbname", database.databaseName());
        props.setProperty("database.user", database.effectiveUser());
        if (database.effectivePassword() != null) {
            props.setProperty("database.password", database.effectivePassword());
        }
        tls(props);
        // with one shard as it always was, since Debezium's offsets are kept under it; a shard's own keeps the
        // engines of one process apart in Debezium's offsets and JMX metrics
        props.setProperty("topic.prefix", shards == 1 ? "pipeline" : slotName());
        props.setProperty("table.include.list", "eventstore.events,eventstore.relay_heartbeats");
        props.setProperty("tombstones.on.delete", "false");
        // each event's cost in Debezium's decoding thread, cut where Debezium lets it be: created_at as a
        // number rather than formatted text, and a source block of what Debezium reads back
        props.setProperty("converters", CommitTimeConverter.NAME);
        props.setProperty(CommitTimeConverter.NAME + ".type", CommitTimeConverter.class.getName());
        props.setProperty("sourceinfo.struct.maker", EventSourceInfo.class.getName());
        // a first start publishes the rows already there, in sequence order, so each aggregate stays in order;
        // so does a start whose slot was lost (dropped, invalidated) while offsets exist, rather than streaming
        // from the new slot's "now" past whatever was written meanwhile: projectors skip what they applied
        props.setProperty("snapshot.mode", prepared ? "no_data" : "when_needed");
        props.setProperty("snapshot.select.statement.overrides", "eventstore.events");
        props.setProperty("snapshot.select.statement.overrides.eventstore.events",
                "SELECT * FROM eventstore.events" + (shardFilter() == null ? "" : " WHERE " + shardFilter()) + " ORDER BY sequence");
        // heartbeats let the slot advance while the events table is quiet but the WAL is not: the action
        // query writes a row through the publication, whose position the relay then confirms
        props.setProperty("heartbeat.interval.ms", Long.toString(heartbeatInterval.toMillis()));
        props.setProperty("heartbeat.action.query", "WITH expired AS (DELETE FROM eventstore.relay_heartbeats WHERE beat_at < now() - "
                + "interval '1 hour') INSERT INTO eventstore.relay_heartbeats (slot, publication) VALUES ('" + slotName() + "', '" + publicationName() + "')");
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

    /** The producer of the events' topics: every record acknowledged by every in-sync replica, in order, once. */
    Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> producer = new HashMap<>(kafka.clientConfig());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        // a Debezium batch of up to relay-max-batch-size events of a few kB goes as a few large record
        // batches per partition, each compressed once, rather than many of 16 kB
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        // a topic missing or a broker away fails the batch after 10 s rather than the client's 60: the relay then
        // starts again, making missing topics anew, and sends the batch again
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return producer;
    }
}
