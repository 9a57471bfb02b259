package dev.projections.eventcatalogue.conversation;

public record ConversationClosed() {

    public static final String TYPE = "ConversationClosed";
}
