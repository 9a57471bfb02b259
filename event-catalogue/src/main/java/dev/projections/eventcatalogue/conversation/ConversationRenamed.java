package dev.projections.eventcatalogue.conversation;

public record ConversationRenamed(String title) {

    public static final String TYPE = "ConversationRenamed";
}
