package dev.projections.eventcatalogue.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The upcasters of the catalogue: an event of a retired type is read as the type that replaced it, through
 * as many upcasters as lead to a current one. Its id, sequence, version, time and metadata stay; the
 * metadata gains {@value #UPCAST_FROM}, naming the type it was written as.
 */
public final class Upcasters {

    public static final String UPCAST_FROM = "upcast_from";
    public static final Upcasters CURRENT = new Upcasters(List.of(new DocumentAddedUpcaster()));

    private final Map<String, Upcaster> byType = new HashMap<>();

    public Upcasters(List<Upcaster> upcasters) {
        for (Upcaster upcaster : upcasters) {
            Upcaster twin = byType.putIfAbsent(key(upcaster.aggregateType(), upcaster.fromType()), upcaster);
            if (twin != null) {
                throw new IllegalStateException("two upcasters read " + upcaster.aggregateType() + " " + upcaster.fromType());
            }
        }
        for (Upcaster upcaster : upcasters) {
            chain(upcaster.aggregateType(), upcaster.fromType());
        }
    }

    /** The event as its newest shape reads, or the event itself when its type is current. */
    public EventEnvelope upcast(EventEnvelope event) {
        Upcaster upcaster = byType.get(key(event.aggregateType(), event.eventType()));
        if (upcaster == null) {
            return event;
        }
        String type = event.eventType();
        JsonNode payload = event.payload();
        while (upcaster != null) {
            payload = upcaster.upcast(payload);
            type = upcaster.toType();
            upcaster = byType.get(key(event.aggregateType(), type));
        }
        ObjectNode metadata = event.metadata().deepCopy();
        metadata.put(UPCAST_FROM, event.eventType());
        return new EventEnvelope(event.eventId(), event.sequence(), event.aggregateId(), event.aggregateType(), type, event.eventVersion(),
                event.occurredAt(), payload, metadata);
    }

    /** The type an event of this retired type is read as, when it is one. */
    public Optional<String> readAs(String aggregateType, String eventType) {
        if (!byType.containsKey(key(aggregateType, eventType))) {
            return Optional.empty();
        }
        return Optional.of(chain(aggregateType, eventType));
    }

    /** The current type at the end of the chain from {@code eventType}; refuses a chain that comes back on itself. */
    private String chain(String aggregateType, String eventType) {
        String type = eventType;
        for (int steps = 0; byType.containsKey(key(aggregateType, type)); steps++) {
            if (steps > byType.size()) {
                throw new IllegalStateException("the upcasters of " + aggregateType + " " + eventType + " go round in a circle");
            }
            type = byType.get(key(aggregateType, type)).toType();
        }
        return type;
    }

    private static String key(String aggregateType, String eventType) {
        return aggregateType + "/" + eventType;
    }
}
