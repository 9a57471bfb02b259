package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

    /** Debezium's topic of the events table, with one shard's topic.prefix. */
    private static final String EVENTS_TOPIC = "pipeline.eventstore.events";

    /** The row as Debezium's change event carries it: uuid and jsonb as strings, created_at as microseconds (CommitTimeConverter). */
    private static final Schema ROW = SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("sequence", Schema.INT64_SCHEMA)
            .field("aggregate_id", Schema.STRING_SCHEMA)
            .field("aggregate_type", Schema.STRING_SCHEMA)
            .field("event_type", Schema.STRING_SCHEMA)
            .field("event_version", Schema.INT32_SCHEMA)
            .field("payload", Schema.STRING_SCHEMA)
            .field("metadata", Schema.STRING_SCHEMA)
            .field("created_at", Schema.INT64_SCHEMA)
            .build();
    /** An insert's change event: the new row is its "after". */
    private static final Schema CHANGE = SchemaBuilder.struct().field("before", SchemaBuilder.struct().optional().build())
            .field("after", ROW).build();

    @Test
    void givenAnEventRow_whenConverted_thenTheEnvelopeHoldsEveryColumnAndTheTopicAndHeadersFollowTheContract() {
        UUID eventId = UUID.randomUUID();
        UUID aggregateId = UUID.randomUUID();
        Struct row = new Struct(ROW)
                .put("id", eventId.toString())
                .put("sequence", 42L)
                .put("aggregate_id", aggregateId.toString())
                .put("aggregate_type", "document")
                .put("event_type", "DocumentArchived")
                .put("event_version", 3)
                .put("payload", "{\"reason\": \"superseded\"}")
                .put("metadata", "{\"correlation_id\": \"order-7\", \"user_id\": \"alice\"}")
                .put("created_at", CommitTimeConverter.micros(Instant.parse("2026-11-24T02:13:59.123456Z")));

        EventEnvelope event = EventPublisher.toEnvelope(row);
        ProducerRecord<String, byte[]> record = EventTopics.record(event);

        assertThat(event.eventId()).isEqualTo(eventId);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T02:13:59.123456Z"));
        assertThat(record.topic()).isEqualTo(EventTopics.forAggregateType("document").name());
        assertThat(record.key()).isEqualTo(aggregateId.toString());
        assertThat(record.timestamp()).isEqualTo(Instant.parse("2026-11-24T02:13:59.123Z").toEpochMilli());
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"eventId\":\"" + eventId + "\",\"sequence\":42,\"aggregateId\":\"" + aggregateId + "\",\"aggregateType\":\"document\","
                        + "\"eventType\":\"DocumentArchived\",\"eventVersion\":3,\"occurredAt\":\"2026-11-24T02:13:59.123456Z\","
                        // the payload as the event store holds it, passed on unparsed
                        + "\"payload\":{\"reason\": \"superseded\"},\"metadata\":{\"correlation_id\":\"order-7\",\"user_id\":\"alice\"}}");
        assertThat(header(record, "event_type")).isEqualTo("DocumentArchived");
        assertThat(header(record, "sequence")).isEqualTo("42");
        assertThat(header(record, "correlation_id")).isEqualTo("order-7");
        // read back, the payload is a tree, where the relay's envelope held the text
        assertThat(EventJson.envelope(record.value())).isEqualTo(new EventEnvelope(event.eventId(), event.sequence(), event.aggregateId(),
                event.aggregateType(), event.eventType(), event.eventVersion(), event.occurredAt(), EventJson.tree("{\"reason\": \"superseded\"}"),
                event.metadata()));
    }

    @Test
    void givenKafkaRefusesOneRecordMidBatch_whenTheBatchIsPublished_thenTheProducerIsClosedAndNothingOfTheBatchIsMarkedProcessed()
            throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public void flush() {
                // the mock's flush acknowledges every record it holds; Kafka's sends them and waits, and a
                // refusal reaches the relay in the record's acknowledgement, which this test gives or refuses
            }
        };
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = new ArrayList<>();
        for (long sequence = 1; sequence <= 5; sequence++) {
            batch.add(changeEvent(sequence));
        }
        List<Object> processed = new CopyOnWriteArrayList<>();
        EventPublisher publisher = new EventPublisher(producer, types -> { }, new RelayMetrics(new SimpleMeterRegistry(), "pipeline_relay"));
        CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
            try {
                publisher.handleBatch(batch, committer(processed));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 5);

        producer.completeNext();
        producer.completeNext();
        producer.errorNext(new TimeoutException("Expiring 1 record(s) for events.document-0: 120000 ms has passed"));

        assertThatThrownBy(() -> published.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RelayPublishException.class)
                .cause().hasMessageContaining("Kafka did not acknowledge event 3 (DocumentArchived of")
                .hasMessageContaining("120000 ms has passed");
        // the later records are dropped with the producer; the batch is sent again from its first event
        assertThat(producer.closed()).isTrue();
        assertThat(processed).isEmpty();
    }

    @Test
    void givenABatchKafkaAcknowledges_whenPublished_thenEachEventIsMarkedProcessedAndItsDelayFromItsCommitIsMeasured() throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Instant committed = Instant.now().minusSeconds(2);
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = new ArrayList<>();
        for (long sequence = 1; sequence <= 5; sequence++) {
            batch.add(changeEvent(sequence, committed));
        }
        List<Object> processed = new CopyOnWriteArrayList<>();

        new EventPublisher(producer, types -> { }, new RelayMetrics(registry, "pipeline_relay")).handleBatch(batch, committer(processed));

        assertThat(processed).hasSize(6).endsWith("batch finished");
        assertThat(registry.get("pipeline.relay.events").tag("slot", "pipeline_relay").counter().count()).isEqualTo(5);
        io.micrometer.core.instrument.Timer delay = registry.get("pipeline.relay.delay").tag("slot", "pipeline_relay").timer();
        assertThat(delay.count()).isEqualTo(5);
        assertThat(delay.max(TimeUnit.MILLISECONDS)).isBetween(2_000.0, 60_000.0);
    }

    private static ChangeEvent<SourceRecord, SourceRecord> changeEvent(long sequence) {
        return changeEvent(sequence, Instant.parse("2026-11-24T02:13:59.123456Z"));
    }

    private static ChangeEvent<SourceRecord, SourceRecord> changeEvent(long sequence, Instant committed) {
        Struct row = new Struct(ROW)
                .put("id", UUID.randomUUID().toString())
                .put("sequence", sequence)
                .put("aggregate_id", UUID.randomUUID().toString())
                .put("aggregate_type", "document")
                .put("event_type", "DocumentArchived")
                .put("event_version", 1)
                .put("payload", "{}")
                .put("metadata", "{}")
                .put("created_at", CommitTimeConverter.micros(committed));
        SourceRecord record = new SourceRecord(Map.of(), Map.of(), EVENTS_TOPIC, CHANGE, new Struct(CHANGE).put("after", row));
        return new ChangeEvent<>() {
            @Override
            public SourceRecord key() {
                return null;
            }

            @Override
            public SourceRecord value() {
                return record;
            }

            @Override
            public String destination() {
                return EVENTS_TOPIC;
            }

            @Override
            public Integer partition() {
                return null;
            }
        };
    }

    private static DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer(List<Object> processed) {
        return new DebeziumEngine.RecordCommitter<>() {
            @Override
            public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record) {
                processed.add(record);
            }

            @Override
            public void markBatchFinished() {
                processed.add("batch finished");
            }

            @Override
            public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record, DebeziumEngine.Offsets offsets) {
                processed.add(record);
            }

            @Override
            public DebeziumEngine.Offsets buildOffsets() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
