package dev.projections.eventwriter;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import java.util.List;

/** The JSON bodies the writer answers with: an append's result, the read models' positions, and errors. */
final class WriterResponses {

    private WriterResponses() {
    }

    /** What an append wrote: the aggregate's new version and each event's id, version and sequence. */
    static ObjectNode appended(AppendResult result, String correlationId) {
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", result.aggregateType())
                .put("aggregateId", result.aggregateId().toString())
                .put("version", result.version())
                .put("correlationId", correlationId);
        ArrayNode appended = response.putArray("events");
        result.events().forEach(event -> appended.addObject()
                .put("eventId", event.eventId().toString())
                .put("eventVersion", event.eventVersion())
                .put("sequence", event.sequence()));
        return response;
    }

    /** Each read model's position, and whether it is current: at the aggregate's version. */
    static ArrayNode positions(List<ReadModelPositions.Applied> positions, int version) {
        ArrayNode list = EventJson.MAPPER.createArrayNode();
        positions.forEach(position -> list.addObject()
                .put("readModel", position.readModel())
                .put("version", position.version())
                .put("sequence", position.sequence())
                .put("current", position.reached(version))
                .put("parked", position.parked()));
        return list;
    }

    static ObjectNode error(String code, String message) {
        return EventJson.MAPPER.createObjectNode().put("error", code).put("message", message);
    }

    static ObjectNode invalid(List<Problem> problems) {
        ObjectNode body = error("invalid_request", problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the request; nothing was written");
        ArrayNode list = body.putArray("problems");
        problems.forEach(problem -> list.addObject().put("path", problem.path()).put("message", problem.message()));
        return body;
    }
}
