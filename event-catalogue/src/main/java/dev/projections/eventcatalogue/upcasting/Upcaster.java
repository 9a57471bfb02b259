package dev.projections.eventcatalogue.upcasting;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads one event type written in a shape the catalogue no longer takes as the newer one. Events are
 * stored and published as they were written; an upcaster changes only what a reader sees: a projector,
 * {@code verify}, {@code parked retry} and the writer's {@code GET}.
 */
public interface Upcaster {

    /** The aggregate type of the events it reads. */
    String aggregateType();

    /** The event type it reads: a retired type, which the writer no longer appends. */
    String fromType();

    /** The event type it turns them into: one of the catalogue's, or another upcaster's {@link #fromType()}. */
    String toType();

    /**
     * The payload in the newer shape.
     *
     * @throws IllegalArgumentException the old payload lacks what the newer shape needs: a reader parks the event
     */
    JsonNode upcast(JsonNode payload);
}
