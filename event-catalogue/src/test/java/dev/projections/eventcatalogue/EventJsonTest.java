package dev.projections.eventcatalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final String ENVELOPE = """
            {"eventId": "0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11", "sequence": 42, "aggregateId": "6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f",
             "aggregateType": "document", "eventType": "DocumentArchived", "eventVersion": 3, "occurredAt": "2026-11-24T02:13:59.123456Z",
             "payload": {"reason": "superseded", "nested": {"list": [1, 2]}}, "metadata": {"correlation_id": "order-7"}}""";

    @Test
    void givenAnEnvelope_whenRead_thenEveryFieldIsThereAndItWritesBackTheSame() {
        EventEnvelope event = EventJson.envelope(bytes(ENVELOPE));

        assertThat(event.eventId()).isEqualTo(UUID.fromString("0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11"));
        assertThat(event.sequence()).isEqualTo(42);
        assertThat(event.aggregateId()).isEqualTo(UUID.fromString("6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f"));
        assertThat(event.aggregateType()).isEqualTo("document");
        assertThat(event.eventType()).isEqualTo("DocumentArchived");
        assertThat(event.eventVersion()).isEqualTo(3);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T02:13:59.123456Z"));
        assertThat(event.payload()).isEqualTo(EventJson.tree("{\"reason\": \"superseded\", \"nested\": {\"list\": [1, 2]}}"));
        assertThat(event.correlationId()).hasValue("order-7");
        assertThat(EventJson.envelope(EventJson.toBytes(event))).isEqualTo(event);
    }

    @Test
    void givenFieldsInAnotherOrderAndOnesNotKnown_whenRead_thenTheyAreSkippedAndMissingOptionalOnesAreEmpty() {
        EventEnvelope event = EventJson.envelope(bytes("""
                {"addedLater": {"deep": [{"x": 1}]}, "occurredAt": "2026-11-24T02:13:59Z", "eventVersion": 1, "eventType": "DocumentUploaded",
                 "aggregateType": "document", "aggregateId": "6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f", "sequence": 7,
                 "eventId": "0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11"}"""));

        assertThat(event.eventType()).isEqualTo("DocumentUploaded");
        assertThat(event.payload().isEmpty()).isTrue();
        assertThat(event.metadata().isEmpty()).isTrue();
    }

    @Test
    void givenRecordsThatAreNoEnvelope_whenRead_thenTheErrorSaysWhy() {
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("\"eventId\": \"0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11\", ", ""))))
                .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith("not an event envelope: ").hasMessageContaining("eventId");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("0b6e4c3e-27a4", "not-a-uuid"))))
                .hasMessageStartingWith("not an event envelope: ");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("2026-11-24T02:13:59.123456Z", "yesterday"))))
                .hasMessageStartingWith("not an event envelope: ").hasMessageContaining("yesterday");
        assertThatThrownBy(() -> EventJson.envelope(bytes("[1, 2]"))).hasMessageStartingWith("not an event envelope: ");
        assertThatThrownBy(() -> EventJson.envelope(bytes("{\"eventId\": "))).hasMessageStartingWith("not an event envelope: ");
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
