package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

    /** The row as Debezium's ExtractNewRecordState hands it over: uuid, jsonb and timestamptz as strings. */
    private static final Schema ROW = SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("sequence", Schema.INT64_SCHEMA)
            .field("aggregate_id", Schema.STRING_SCHEMA)
            .field("aggregate_type", Schema.STRING_SCHEMA)
            .field("event_type", Schema.STRING_SCHEMA)
            .field("event_version", Schema.INT32_SCHEMA)
            .field("payload", Schema.STRING_SCHEMA)
            .field("metadata", Schema.STRING_SCHEMA)
            .field("created_at", Schema.STRING_SCHEMA)
            .build();

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
                .put("created_at", "2026-11-24T02:13:59.123456Z");

        EventEnvelope event = EventPublisher.toEnvelope(row);
        ProducerRecord<String, byte[]> record = EventPublisher.toRecord(event);

        assertThat(event.eventId()).isEqualTo(eventId);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T02:13:59.123456Z"));
        assertThat(record.topic()).isEqualTo("events.document");
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
        EventEnvelope read = EventJson.envelope(record.value());
        assertThat(read).usingRecursiveComparison().ignoringFields("payload").isEqualTo(event);
        assertThat(read.payload()).isEqualTo(EventJson.tree("{\"reason\": \"superseded\"}"));
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
