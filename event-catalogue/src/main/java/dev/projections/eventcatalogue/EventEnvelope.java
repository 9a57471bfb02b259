package dev.projections.eventcatalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One stored event as it travels on the {@code events.<aggregate_type>} topics: the public envelope
 * {@code {eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt, payload,
 * metadata}}. The same record is what the writer's library returns when it loads events.
 */
public record EventEnvelope(
        UUID eventId,
        long sequence,
        UUID aggregateId,
        String aggregateType,
        String eventType,
        int eventVersion,
        Instant occurredAt,
        JsonNode payload,
        ObjectNode metadata) {

    public static final String CORRELATION_ID = "correlation_id";
    public static final String CAUSATION_ID = "causation_id";
    public static final String USER_ID = "user_id";

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(occurredAt, "occurredAt");
        payload = payload == null ? JsonNodeFactory.instance.objectNode() : payload;
        metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata;
    }

    public Optional<String> correlationId() {
        JsonNode value = metadata.get(CORRELATION_ID);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    public String topic() {
        return EventTopics.topicName(aggregateType);
    }
}
