package dev.projections.eventwriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.settings.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A {@code POST /aggregates/{aggregateType}/{aggregateId}/events} as the writer reads it: the aggregate,
 * {@code {"expectedVersion": n, "events": [{eventType, payload, metadata?}]}} with the correlation id (and the caller) in each
 * event's metadata, and what it asks to wait for ({@code ?waitFor=<read-model>[,...]&timeout=<duration>}).
 * Every problem of the request is listed, not just the first.
 */
record AppendRequest(UUID aggregateId, int expectedVersion, List<NewEvent> events, Wait waitFor) {

    /** How long a POST waits for read models when it gives no timeout: {@code ?waitFor=document} alone. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);
    /** The longest a POST may wait for read models; a request thread is held meanwhile. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(60);

    /** What a POST asked to wait for. */
    record Wait(List<String> readModels, Duration timeout) {
    }

    /**
     * @param knownReadModels the read models that read aggregates of the type, which a wait may name; asked only for a wait
     * @param problems where every problem found goes; the request is null when there is one
     */
    /** @param userId the caller's name, stored as each event's {@code user_id} in place of any sent; null keeps what was sent */
    static AppendRequest parse(String rawAggregateId, byte[] body, String rawQuery, String correlationId, String userId,
            Supplier<List<String>> knownReadModels, String aggregateType, List<Problem> problems) {
        UUID aggregateId = aggregateId(rawAggregateId, problems);
        JsonNode request;
        try {
            request = EventJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", "");
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problems.add(new Problem("body", "is not valid JSON: " + reason + where));
            return null;
        } catch (IOException e) {
            // a byte array has no I/O of its own to fail
            throw new UncheckedIOException(e);
        }
        if (request == null || !request.isObject()) {
            problems.add(new Problem("body", "must be a JSON object {\"expectedVersion\": n, \"events\": [...]}"));
            return null;
        }
        JsonNode expected = request.get("expectedVersion");
        if (expected == null || !expected.canConvertToInt() || !expected.isIntegralNumber()) {
            problems.add(new Problem("expectedVersion", "is required: the aggregate's current version, 0 for a new one"));
        }
        List<NewEvent> events = events(request.get("events"), correlationId, userId, problems);
        Wait wait = wait(queryParameters(rawQuery), aggregateType, knownReadModels, problems);
        return problems.isEmpty() ? new AppendRequest(aggregateId, expected.intValue(), events, wait) : null;
    }

    /** The path's aggregate id; null, with a problem, when it is not a UUID. */
    static UUID aggregateId(String raw, List<Problem> problems) {
        try {
            UUID id = UUID.fromString(raw);
            if (id.toString().equalsIgnoreCase(raw)) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add(new Problem("aggregateId", "'" + raw + "' is not a UUID"));
        return null;
    }

    private static List<NewEvent> events(JsonNode node, String correlationId, String userId, List<Problem> problems) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            problems.add(new Problem("events", "is required: a non-empty array of {eventType, payload, metadata?}"));
            return List.of();
        }
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode event = node.get(i);
            String at = "events[" + i + "]";
            if (!event.isObject()) {
                problems.add(new Problem(at, "must be an object {eventType, payload, metadata?}"));
                continue;
            }
            JsonNode type = event.get("eventType");
            if (type == null || !type.isTextual()) {
                problems.add(new Problem(at + ".eventType", "is required: a string"));
            }
            JsonNode payload = event.get("payload");
            if (payload == null || !payload.isObject()) {
                problems.add(new Problem(at + ".payload", "is required: a JSON object"));
            }
            JsonNode metadata = event.get("metadata");
            if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
                problems.add(new Problem(at + ".metadata", "must be a JSON object"));
                metadata = null;
            }
            ObjectNode meta = metadata == null || metadata.isNull() ? EventJson.MAPPER.createObjectNode() : ((ObjectNode) metadata).deepCopy();
            meta.put(EventEnvelope.CORRELATION_ID, correlationId);
            if (userId != null) {
                meta.put(EventEnvelope.USER_ID, userId);
            }
            events.add(new NewEvent(type == null ? null : type.asText(), payload, meta));
        }
        return events;
    }

    /** The wait the request asks for, null for none; a problem for a read model not known for the type or a bad timeout. */
    private static Wait wait(Map<String, String> query, String aggregateType, Supplier<List<String>> knownReadModels, List<Problem> problems) {
        String waitFor = query.get("waitFor");
        String rawTimeout = query.get("timeout");
        if (waitFor == null) {
            if (rawTimeout != null) {
                problems.add(new Problem("timeout", "is for waiting: name the read model too, e.g. ?waitFor=document&timeout=2s"));
            }
            return null;
        }
        Duration timeout = DEFAULT_WAIT;
        if (rawTimeout != null) {
            timeout = Settings.parseDuration(rawTimeout).orElse(null);
            if (timeout == null || timeout.isNegative() || timeout.compareTo(LONGEST_WAIT) > 0) {
                problems.add(new Problem("timeout", "is '" + rawTimeout + "'; give a duration from 0ms to " + LONGEST_WAIT.toSeconds()
                        + "s, such as 500ms or 2s"));
            }
        }
        List<String> known = knownReadModels.get();
        List<String> readModels = Arrays.stream(waitFor.split(",")).map(String::trim).filter(name -> !name.isEmpty()).distinct().toList();
        for (String readModel : readModels) {
            if (!known.contains(readModel)) {
                problems.add(new Problem("waitFor", "read model '" + readModel + "' is not one that reads " + aggregateType
                        + " aggregates on this database (known once its projector has started: "
                        + (known.isEmpty() ? "none yet" : String.join(", ", known)) + ")"));
            }
        }
        if (readModels.isEmpty()) {
            problems.add(new Problem("waitFor", "names no read model; e.g. ?waitFor=document"));
        }
        return new Wait(readModels, timeout);
    }

    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }
}
