package dev.projections.eventcatalogue.conversation;

import java.util.UUID;

public record ConversationStarted(UUID customerId, String userId, String title) {

    public static final String TYPE = "ConversationStarted";
}
