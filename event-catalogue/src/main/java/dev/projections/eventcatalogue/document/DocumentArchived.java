package dev.projections.eventcatalogue.document;

public record DocumentArchived(String reason) {

    public static final String TYPE = "DocumentArchived";
}
