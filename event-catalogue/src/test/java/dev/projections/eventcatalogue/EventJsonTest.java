package dev.projections.eventcatalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
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
    void givenAnEnvelopeRead_whenItsPayloadIsMappedBeforeAndAfterItsTreeIsAskedFor_thenBothGiveTheSameRecord() {
        EventEnvelope event = EventJson.envelope(bytes(ENVELOPE));

        Archived fromText = EventJson.payload(event, Archived.class);
        Archived again = EventJson.payload(event, Archived.class);
        ((ObjectNode) event.payload()).put("reason", "changed in the tree");
        Archived fromTree = EventJson.payload(event, Archived.class);

        assertThat(fromText.reason()).isEqualTo("superseded");
        assertThat(again).as("asked for again, the text is not read again").isSameAs(fromText);
        assertThat(fromTree.reason()).isEqualTo("changed in the tree");
        assertThatThrownBy(() -> EventJson.payload(EventJson.envelope(bytes(ENVELOPE.replace("\"superseded\"", "[]"))), Archived.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DocumentArchived payload does not match Archived: ");
    }

    @Test
    void givenPayloadsThatAreNoObject_whenRead_thenTheyAreKeptAsTheyAre() {
        assertThat(EventJson.envelope(bytes(ENVELOPE.replace("{\"reason\": \"superseded\", \"nested\": {\"list\": [1, 2]}}", "\"text\"")))
                .payload().asText()).isEqualTo("text");
        assertThat(EventJson.envelope(bytes(ENVELOPE.replace("{\"reason\": \"superseded\", \"nested\": {\"list\": [1, 2]}}", "[1, {}]")))
                .payload()).isEqualTo(EventJson.tree("[1, {}]"));
        assertThat(EventJson.envelope(bytes(ENVELOPE.replace("{\"reason\": \"superseded\", \"nested\": {\"list\": [1, 2]}}", "null")))
                .payload().isEmpty()).isTrue();
    }

    @Test
    void givenInstantsInEveryFormTheEnvelopesUse_whenRead_thenTheyAreWhatInstantParseReads() {
        for (String text : List.of("2026-11-24T02:13:59Z", "2026-11-24T02:13:59.1Z", "2026-11-24T02:13:59.120Z", "2026-11-24T02:13:59.123456Z",
                "2026-11-24T02:13:59.123456789Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2024-02-29T23:59:59.5Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z")) {
            assertThat(EventJson.utcInstant(text)).as(text).isEqualTo(Instant.parse(text));
        }
        for (String other : List.of("2026-11-24T02:13:59+01:00", "+12026-11-24T02:13:59Z", "2026-11-24T02:13:59.Z", "2026-11-24T24:00:00Z",
                "2026-11-24 02:13:59Z", "2026-11-24T02:13:59.1234567890Z", "2026-1x-24T02:13:59Z")) {
            assertThat(EventJson.utcInstant(other)).as(other).isNull();
        }
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("2026-11-24T02:13:59.123456Z", "2026-02-30T02:13:59Z"))))
                .hasMessageStartingWith("not an event envelope: ").hasMessageContaining("2026-02-30T02:13:59Z");
        assertThat(EventJson.envelope(bytes(ENVELOPE.replace("2026-11-24T02:13:59.123456Z", "2026-11-24T03:13:59.5+01:00"))).occurredAt())
                .isEqualTo(Instant.parse("2026-11-24T02:13:59.5Z"));
    }

    record Archived(String reason) {
    }

    @Test
    void givenRecordsThatAreNoEnvelope_whenRead_thenTheErrorSaysWhy() {
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("\"eventId\": \"0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11\", ", ""))))
                .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith("not an event envelope: ").hasMessageContaining("eventId");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("\"0b6e4c3e-27a4-4c8c-9f2c-2f0a6b1e8d11\"", "null"))))
                .isInstanceOf(UncheckedIOException.class).hasMessage("not an event envelope: eventId is missing");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("0b6e4c3e-27a4", "not-a-uuid"))))
                .hasMessageStartingWith("not an event envelope: ");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("2026-11-24T02:13:59.123456Z", "yesterday"))))
                .hasMessageStartingWith("not an event envelope: ").hasMessageContaining("yesterday");
        assertThatThrownBy(() -> EventJson.envelope(bytes("[1, 2]"))).hasMessageStartingWith("not an event envelope: ");
        assertThatThrownBy(() -> EventJson.envelope(bytes("{\"eventId\": "))).hasMessageStartingWith("not an event envelope: ");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("\"eventVersion\": 3", "\"eventVersion\": \"3\""))))
                .hasMessageStartingWith("not an event envelope: eventVersion ");
        assertThatThrownBy(() -> EventJson.envelope(bytes(ENVELOPE.replace("{\"reason\"", "{\"reason\" ]"))))
                .hasMessageStartingWith("not an event envelope: ");
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
