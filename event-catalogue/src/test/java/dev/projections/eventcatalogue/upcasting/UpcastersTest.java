package dev.projections.eventcatalogue.upcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventCatalogue;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UpcastersTest {

    private static final Upcasters UPCASTERS = Upcasters.CURRENT;

    @Test
    void givenADocumentAddedOfTheOldProducers_whenRead_thenItIsADocumentUploadedTheCatalogueAcceptsWithTheRestOfItsEnvelopeKept() {
        EventEnvelope added = document("DocumentAdded", """
                {"file": {"name": "pump.pdf", "mimeType": "application/pdf", "sizeKb": 2}, "addedBy": "alice"}""");

        EventEnvelope read = UPCASTERS.upcast(added);

        assertThat(read.eventType()).isEqualTo("DocumentUploaded");
        assertThat(EventJson.toText(read.payload())).isEqualTo(
                "{\"title\":\"pump.pdf\",\"filename\":\"pump.pdf\",\"contentType\":\"application/pdf\",\"sizeBytes\":2048,\"uploadedBy\":\"alice\"}");
        EventCatalogue.EventType uploaded = EventCatalogue.CURRENT.find("document", "DocumentUploaded").orElseThrow();
        assertThat(EventCatalogue.CURRENT.validate(uploaded, read.payload())).isEmpty();
        assertThat(List.of(read.eventId(), read.sequence(), read.aggregateId(), read.eventVersion(), read.occurredAt()))
                .isEqualTo(List.of(added.eventId(), added.sequence(), added.aggregateId(), added.eventVersion(), added.occurredAt()));
        assertThat(read.metadata().get("upcast_from").asText()).isEqualTo("DocumentAdded");
        assertThat(read.correlationId()).hasValue("import-7");
        assertThat(added.metadata().has("upcast_from")).as("the event as written is left alone").isFalse();
    }

    @Test
    void givenADocumentAddedWithItsOwnTitle_whenRead_thenTheTitleIsKept() {
        EventEnvelope read = UPCASTERS.upcast(document("DocumentAdded", """
                {"file": {"name": "pump.pdf", "mimeType": "application/pdf", "sizeKb": 0}, "title": "Pump manual", "addedBy": "bob"}"""));

        assertThat(read.payload().get("title").asText()).isEqualTo("Pump manual");
        assertThat(read.payload().get("sizeBytes").asLong()).isZero();
    }

    @Test
    void givenAnEventOfACurrentType_whenRead_thenItIsTheSameEvent() {
        EventEnvelope uploaded = document("DocumentUploaded", """
                {"title": "T", "filename": "t.pdf", "contentType": "application/pdf", "sizeBytes": 1, "uploadedBy": "alice"}""");

        assertThat(UPCASTERS.upcast(uploaded)).isSameAs(uploaded);
        assertThat(UPCASTERS.readAs("document", "DocumentUploaded")).isEmpty();
        assertThat(UPCASTERS.readAs("document", "DocumentAdded")).hasValue("DocumentUploaded");
    }

    @Test
    void givenADocumentAddedLackingItsFile_whenRead_thenTheErrorSaysWhatTheNewShapeNeeds() {
        EventEnvelope broken = document("DocumentAdded", "{\"addedBy\": \"alice\"}");

        assertThatThrownBy(() -> UPCASTERS.upcast(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DocumentAdded payload lacks file.name, file.mimeType or addedBy, which DocumentUploaded needs");
    }

    @Test
    void givenTwoRetiredShapesInARow_whenRead_thenBothUpcastersApplyAndTheFirstNameIsKept() {
        Upcasters chain = new Upcasters(List.of(rename("FileAdded", "DocumentAdded"), new DocumentAddedUpcaster()));

        EventEnvelope read = chain.upcast(document("FileAdded", """
                {"file": {"name": "a.pdf", "mimeType": "application/pdf", "sizeKb": 1}, "addedBy": "carol"}"""));

        assertThat(read.eventType()).isEqualTo("DocumentUploaded");
        assertThat(read.payload().get("uploadedBy").asText()).isEqualTo("carol");
        assertThat(read.metadata().get("upcast_from").asText()).isEqualTo("FileAdded");
    }

    @Test
    void givenUpcastersThatGoRoundInACircle_whenLoaded_thenTheyAreRefused() {
        assertThatThrownBy(() -> new Upcasters(List.of(rename("A", "B"), rename("B", "A"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("go round in a circle");
    }

    private static Upcaster rename(String from, String to) {
        return new Upcaster() {
            @Override
            public String aggregateType() {
                return "document";
            }

            @Override
            public String fromType() {
                return from;
            }

            @Override
            public String toType() {
                return to;
            }

            @Override
            public JsonNode upcast(JsonNode payload) {
                return payload;
            }
        };
    }

    private static EventEnvelope document(String eventType, String payload) {
        ObjectNode metadata = EventJson.MAPPER.createObjectNode().put(EventEnvelope.CORRELATION_ID, "import-7");
        return new EventEnvelope(UUID.randomUUID(), 17, UUID.randomUUID(), "document", eventType, 1, Instant.parse("2024-05-01T10:00:00Z"),
                EventJson.tree(payload), metadata);
    }
}
