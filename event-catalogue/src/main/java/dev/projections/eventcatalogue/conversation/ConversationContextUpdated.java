package dev.projections.eventcatalogue.conversation;

import com.fasterxml.jackson.databind.JsonNode;

public record ConversationContextUpdated(JsonNode context) {

    public static final String TYPE = "ConversationContextUpdated";
}
