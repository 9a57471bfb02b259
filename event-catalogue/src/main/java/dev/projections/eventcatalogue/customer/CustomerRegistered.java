package dev.projections.eventcatalogue.customer;

public record CustomerRegistered(String code, String name) {

    public static final String TYPE = "CustomerRegistered";
}
