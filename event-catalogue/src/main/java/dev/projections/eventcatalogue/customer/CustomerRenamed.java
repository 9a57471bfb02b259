package dev.projections.eventcatalogue.customer;

public record CustomerRenamed(String name) {

    public static final String TYPE = "CustomerRenamed";
}
