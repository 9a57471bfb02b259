package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Settings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

class CdcRelayAppIT {

    private static EmbeddedKafka kafka;
    private static DataSource dataSource;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(0, null);
        dataSource = SharedPostgres.get().dataSource();
        Migrations.migrate(dataSource);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void givenARelayThatPublished_whenItStops_thenNoClientOfItsOffsetStoreIsLeftRunning() {
        CdcRelayApp relay = start("relay_it_clients");
        try {
            long sequence = append();
            await().atMost(Duration.ofSeconds(90)).until(() -> relay.lastRelayedSequence() >= sequence);
        } finally {
            relay.close();
        }

        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.contains("pipeline-relay-offsets-admin") || name.contains("debezium-servershared-admin"));
    }

    @Test
    void givenTheSlotStillStreamedToByARelayThatLostItsLock_whenAStandbyTakesTheLock_thenItEndsThatStreamAndPublishes() throws Exception {
        String slot = "relay_it_takeover";
        // a killed relay's replication connection, which the server has not yet found dead: the slot is active
        try (Connection stale = replicationConnection()) {
            execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            PGReplicationStream stream = stale.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot).withSlotOption("proto_version", "1").withSlotOption("publication_names", "pipeline_events").start();
            assertThat(stream.isClosed()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> slotActive(slot));

            CdcRelayApp relay = start(slot);
            try {
                long sequence = append();
                await().atMost(Duration.ofSeconds(60)).until(() -> relay.isActive() && relay.lastRelayedSequence() >= sequence);
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void givenAnEventBeforeTheRelaysFirstStartAndOneAfter_whenRelayed_thenEachEnvelopesOccurredAtIsItsCreatedAtToTheMicrosecond()
            throws Exception {
        // the first comes through the first start's snapshot, as PostgreSQL's text; the second streams
        long snapshotted = append();
        CdcRelayApp relay = start("relay_it_commit_time");
        long streamed;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> relay.lastRelayedSequence() >= snapshotted);
            streamed = append();
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.lastRelayedSequence() >= streamed);
        } finally {
            relay.close();
        }

        Map<Long, Instant> occurredAt = new HashMap<>();
        String topic = EventTopics.forAggregateType("customer").name();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(partition -> new TopicPartition(topic, partition.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    EventEnvelope event = EventJson.envelope(record.value());
                    occurredAt.put(event.sequence(), event.occurredAt());
                }
                return occurredAt.containsKey(snapshotted) && occurredAt.containsKey(streamed);
            });
        }
        assertThat(occurredAt.get(snapshotted)).isEqualTo(createdAt(snapshotted));
        assertThat(occurredAt.get(streamed)).isEqualTo(createdAt(streamed));
    }

    private static Instant createdAt(long sequence) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT created_at FROM eventstore.events WHERE sequence = " + sequence)) {
            assertThat(rows.next()).isTrue();
            Instant created = rows.getObject(1, OffsetDateTime.class).toInstant();
            // the server's clock gives microseconds; a time that happens to end in whole milliseconds still compares
            assertThat(created.getNano() % 1_000).isZero();
            return created;
        }
    }

    private static CdcRelayApp start(String slot) {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, SharedPostgres.get().jdbcUrl(), "kafka-bootstrap-servers",
                kafka.bootstrapServers(), CdcRelayConfig.SLOT_NAME, slot, CdcRelayConfig.OFFSETS_TOPIC, "pipeline.relay.offsets." + slot),
                Map.of());
        CdcRelayConfig config = CdcRelayConfig.from(settings, Map.of());
        settings.validate();
        return CdcRelayApp.start(config, new Monitoring("relay-it"));
    }

    private static long append() {
        ObjectNode payload = EventJson.MAPPER.createObjectNode().put("code", UUID.randomUUID().toString().substring(0, 8)).put("name", "Relay");
        return new EventStore(dataSource).append("customer", UUID.randomUUID(), 0, List.of(NewEvent.of("CustomerRegistered", payload)))
                .events().get(0).sequence();
    }

    private static Connection replicationConnection() throws Exception {
        Properties properties = new Properties();
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        return DriverManager.getConnection(SharedPostgres.get().jdbcUrl(), properties);
    }

    private static boolean slotActive(String slot) throws Exception {
        try (Connection connection = DriverManager.getConnection(SharedPostgres.get().jdbcUrl());
                ResultSet rows = connection.createStatement().executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rows.next() && rows.getBoolean(1);
        }
    }

    private static void execute(String query) throws Exception {
        try (Connection connection = DriverManager.getConnection(SharedPostgres.get().jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(query);
        }
    }
}
