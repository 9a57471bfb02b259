package dev.projections.eventcatalogue;

import java.util.List;

/** The aggregate types of the event catalogue. */
public final class AggregateTypes {

    public static final String DOCUMENT = "document";
    public static final String CUSTOMER = "customer";
    public static final String CONVERSATION = "conversation";

    public static final List<String> ALL = List.of(DOCUMENT, CUSTOMER, CONVERSATION);

    private AggregateTypes() {
    }
}
