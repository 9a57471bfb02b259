package dev.projections.eventwriter;

import dev.projections.eventcatalogue.EventCatalogue;
import dev.projections.eventcatalogue.upcasting.Upcasters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Holds each event to the event catalogue: a known aggregate type, an event type of it, and a payload
 * its JSON Schema accepts. Problems name the field as {@code events[1].payload.sections[0].level}.
 */
public final class CatalogueValidator implements EventValidator {

    private final EventCatalogue catalogue;

    public CatalogueValidator(EventCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @Override
    public List<Problem> validate(String aggregateType, List<NewEvent> events) {
        if (!catalogue.hasAggregateType(aggregateType)) {
            return List.of(new Problem("aggregateType", "'" + aggregateType + "' is not an aggregate type of the event catalogue; known: "
                    + String.join(", ", catalogue.aggregateTypes())));
        }
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            Optional<EventCatalogue.EventType> type = catalogue.find(aggregateType, event.eventType());
            Optional<String> readAs = Upcasters.CURRENT.readAs(aggregateType, event.eventType());
            if (type.isEmpty() && readAs.isPresent()) {
                problems.add(new Problem("events[" + i + "].eventType", "'" + event.eventType() + "' is a retired event type, which the "
                        + "pipeline reads as " + readAs.get() + "; append a " + readAs.get() + " instead"));
                continue;
            }
            if (type.isEmpty()) {
                problems.add(new Problem("events[" + i + "].eventType", "'" + event.eventType() + "' is not an event of a "
                        + aggregateType + "; known: " + String.join(", ", catalogue.eventTypeNames(aggregateType))));
                continue;
            }
            String at = "events[" + i + "].payload";
            catalogue.validate(type.get(), event.payload())
                    .forEach(problem -> problems.add(new Problem(at + path(problem.pointer()), problem.message())));
        }
        return problems;
    }

    /** {@code /sections/0/level} as {@code .sections[0].level}. */
    static String path(String pointer) {
        StringBuilder path = new StringBuilder();
        for (String segment : pointer.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            String name = segment.replace("~1", "/").replace("~0", "~");
            path.append(name.chars().allMatch(Character::isDigit) ? "[" + name + "]" : "." + name);
        }
        return path.toString();
    }
}
