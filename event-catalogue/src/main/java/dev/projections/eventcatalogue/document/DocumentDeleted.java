package dev.projections.eventcatalogue.document;

public record DocumentDeleted(String reason) {

    public static final String TYPE = "DocumentDeleted";
}
