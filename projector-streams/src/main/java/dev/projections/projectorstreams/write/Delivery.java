package dev.projections.projectorstreams.write;

import dev.projections.eventcatalogue.EventEnvelope;
import java.util.UUID;

/**
 * A record delivered to a projector: an event, or a record that is not one ({@code event} null), kept with
 * what parking it needs.
 */
public record Delivery(RecordOrigin origin, EventEnvelope event, UUID aggregateId, String unreadable, String value) {

    public static Delivery of(RecordOrigin origin, EventEnvelope event) {
        return new Delivery(origin, event, event.aggregateId(), null, null);
    }

    /** @param aggregateId from the record's key, or null when the key is not one */
    public static Delivery unreadable(RecordOrigin origin, UUID aggregateId, String error, String value) {
        return new Delivery(origin, null, aggregateId, error, value);
    }
}
