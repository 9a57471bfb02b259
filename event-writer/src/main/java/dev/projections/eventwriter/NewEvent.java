package dev.projections.eventwriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An event to append: its type, its payload and its metadata (correlation, causation, user). */
public record NewEvent(String eventType, JsonNode payload, ObjectNode metadata) {

    public NewEvent {
        metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata;
    }

    public static NewEvent of(String eventType, JsonNode payload) {
        return new NewEvent(eventType, payload, null);
    }
}
