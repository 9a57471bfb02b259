package dev.projections.eventcatalogue.conversation;

import com.fasterxml.jackson.databind.JsonNode;

/** A message of a conversation; {@code role} is {@code user} or {@code assistant}. */
public record MessagePosted(String role, String content, JsonNode metadata) {

    public static final String TYPE = "MessagePosted";
}
