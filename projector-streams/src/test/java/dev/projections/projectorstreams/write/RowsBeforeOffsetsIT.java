package dev.projections.projectorstreams.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.document.DocumentProjection;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Rows before offsets, pinned against the Kafka Streams this build runs on a real broker: while a projector
 * whose batches take a while to apply catches up, the offsets its group has committed never pass an event
 * whose rows are not committed. A Kafka Streams that committed another way (before the rows, on another
 * thread, through another call) would fail this test, or stop the projector through its guard.
 */
class RowsBeforeOffsetsIT {

    private static final int DOCUMENTS = 400;

    /** The document read model, each event taking 2 ms more to apply: batches commit long after their records are read. */
    private static final Projection SLOW = new Projection() {
        private final DocumentProjection document = new DocumentProjection();

        @Override
        public String name() {
            return "document-slow";
        }

        @Override
        public List<String> aggregateTypes() {
            return document.aggregateTypes();
        }

        @Override
        public List<Table> tables() {
            return document.tables();
        }

        @Override
        public void apply(EventEnvelope event, Statements statements) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            document.apply(event, statements);
        }
    };

    /** An event as published: where it is, and what its rows must show. */
    private record Published(TopicPartition partition, long offset, UUID aggregate, int version) {
    }

    @Test
    void givenAProjectorCatchingUpWithSlowBatches_whenItsCommittedOffsetsAreSampled_thenEveryEventBelowThemHasItsRowsCommitted() throws Exception {
        Migrations.migrate(SharedPostgres.get().dataSource());
        EventTopics.Topic<String, byte[]> topic = EventTopics.forAggregateType("document");
        Path state = Files.createTempDirectory("rows-before-offsets");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null);
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic.name(), Optional.of(3), Optional.empty()))).all().get();
            List<Published> published = publish(kafka.bootstrapServers(), topic);
            ProjectorConfig config = new ProjectorConfig(SLOW, new DatabaseSettings(SharedPostgres.get().jdbcUrl(), null, null),
                    KafkaSettings.of(kafka.bootstrapServers()),
                    "rows-before-offsets-", 1, state, Duration.ofMillis(25), null);
            Monitoring monitoring = new Monitoring("test");
            ProjectorApp projector = ProjectorApp.start(config, monitoring);
            AtomicInteger samples = new AtomicInteger();
            try {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(5)).until(() -> {
                    assertThat(projector.failure()).as("the projector runs").isNotDone();
                    Map<TopicPartition, Long> committed = committed(admin, config.applicationId());
                    // the offsets first, then the rows: rows committed before those offsets show in this later read
                    List<Published> behind = published.stream()
                            .filter(event -> event.offset() < committed.getOrDefault(event.partition(), 0L)).toList();
                    Map<UUID, Integer> positions = positions(behind.stream().map(Published::aggregate).distinct().toList());
                    for (Published event : behind) {
                        assertThat(positions.getOrDefault(event.aggregate(), 0)).as("%s at %d, below the committed offset %d",
                                event.partition(), event.offset(), committed.get(event.partition())).isGreaterThanOrEqualTo(event.version());
                    }
                    samples.incrementAndGet();
                    return behind.size() == published.size();
                });
            } finally {
                projector.close();
                monitoring.close();
                deleteRecursively(state);
            }
            assertThat(samples.get()).as("samples taken while it caught up").isGreaterThan(10);
        }
    }

    private static List<Published> publish(String bootstrapServers, EventTopics.Topic<String, byte[]> topic) throws Exception {
        List<Published> published = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (int d = 0; d < DOCUMENTS; d++) {
                EventFixtures document = EventFixtures.document();
                for (EventEnvelope event : List.of(document.next("DocumentUploaded", EventFixtures.UPLOADED),
                        document.next("DocumentConverted", EventFixtures.CONVERTED), document.next("DocumentArchived", "{}"))) {
                    RecordMetadata sent = producer.send(new ProducerRecord<>(topic.name(), event.aggregateId().toString(),
                            EventJson.toBytes(event))).get();
                    published.add(new Published(new TopicPartition(sent.topic(), sent.partition()), sent.offset(), event.aggregateId(),
                            event.eventVersion()));
                }
            }
        }
        return published;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                .entrySet()) {
            if (entry.getValue() != null) {
                offsets.put(entry.getKey(), entry.getValue().offset());
            }
        }
        return offsets;
    }

    private static Map<UUID, Integer> positions(List<UUID> aggregates) throws Exception {
        Map<UUID, Integer> positions = new HashMap<>();
        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); PreparedStatement statement = connection.prepareStatement(
                "SELECT aggregate_id, version FROM readmodel.projection_positions WHERE projection = 'document-slow' AND aggregate_id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", aggregates.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    positions.put(rows.getObject(1, UUID.class), rows.getInt(2));
                }
            }
        }
        return positions;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
