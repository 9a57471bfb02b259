package dev.projections.eventwriter;

import java.util.List;

/** Checks the events of an append before anything is written; returns every problem found. */
@FunctionalInterface
public interface EventValidator {

    List<Problem> validate(String aggregateType, List<NewEvent> events);

    /** No checks beyond the structural ones every append gets. */
    EventValidator NONE = (aggregateType, events) -> List.of();
}
