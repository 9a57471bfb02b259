package dev.projections.eventwriter;

import dev.projections.eventcatalogue.EventTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Aggregate type and event type names, payloads and metadata as JSON objects. */
final class StructuralValidator implements EventValidator {

    static final Pattern EVENT_TYPE = Pattern.compile("[A-Z][A-Za-z0-9]{0,99}");

    @Override
    public List<Problem> validate(String aggregateType, List<NewEvent> events) {
        List<Problem> problems = new ArrayList<>();
        if (aggregateType == null || !EventTopics.AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            problems.add(new Problem("aggregateType", "must be a lower-case name matching " + EventTopics.AGGREGATE_TYPE));
        }
        if (events == null || events.isEmpty()) {
            problems.add(new Problem("events", "must hold at least one event"));
            return problems;
        }
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            String at = "events[" + i + "]";
            if (event.eventType() == null || !EVENT_TYPE.matcher(event.eventType()).matches()) {
                problems.add(new Problem(at + ".eventType", "must be a PascalCase name matching " + EVENT_TYPE));
            }
            if (event.payload() == null || !event.payload().isObject()) {
                problems.add(new Problem(at + ".payload", "must be a JSON object"));
            }
        }
        return problems;
    }
}
