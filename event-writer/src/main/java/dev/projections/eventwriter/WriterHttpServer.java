package dev.projections.eventwriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The writer over HTTP, for producers outside the JVM:
 * {@code POST /aggregates/{aggregateType}/{aggregateId}/events} appends (with {@code ?waitFor=<read-model>}
 * it answers once that read model has applied the append), {@code GET} on the same path reads the
 * aggregate's events, and {@code GET /aggregates/{aggregateType}/{aggregateId}/projections} answers how far
 * each read model has applied the aggregate.
 */
public final class WriterHttpServer implements AutoCloseable {

    public static final String CORRELATION_HEADER = "X-Correlation-ID";
    private static final Logger LOG = LoggerFactory.getLogger(WriterHttpServer.class);
    private static final Pattern AGGREGATE_PATH = Pattern.compile("^/aggregates/([^/]+)/([^/]+)/(events|projections)/?$");
    /** How long a POST waits for read models when it gives no timeout: {@code ?waitFor=document} alone. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);
    /** The longest a POST may wait for read models; a request thread is held meanwhile. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(60);
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final EventStore store;
    private final int maxRequestBytes;
    private final HttpServer server;
    private final ExecutorService executor;

    private WriterHttpServer(EventStore store, int maxRequestBytes, HttpServer server, ExecutorService executor) {
        this.store = store;
        this.maxRequestBytes = maxRequestBytes;
        this.server = server;
        this.executor = executor;
    }

    /** @param monitoring whose endpoints ({@code /metrics}, {@code /health}) this server also serves; may be null */
    public static WriterHttpServer start(EventStore store, String host, int port, int maxRequestBytes, int threads,
            Monitoring monitoring) throws IOException {
        // without TCP_NODELAY a keep-alive client waits out delayed ACKs: about 40 ms on every request
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "writer-http");
            thread.setDaemon(true);
            return thread;
        });
        WriterHttpServer writer = new WriterHttpServer(store, maxRequestBytes, server, executor);
        server.createContext("/aggregates/", writer::handleEvents);
        if (monitoring != null) {
            monitoring.serveOn(server);
        }
        server.setExecutor(executor);
        server.start();
        return writer;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handleEvents(HttpExchange exchange) throws IOException {
        try {
            Matcher path = AGGREGATE_PATH.matcher(exchange.getRequestURI().getPath());
            if (!path.matches()) {
                respond(exchange, 404, error("not_found", "no such resource; use /aggregates/{aggregateType}/{aggregateId}/events"
                        + " or /aggregates/{aggregateType}/{aggregateId}/projections"));
                return;
            }
            String aggregateType = path.group(1);
            String correlationId = correlationId(exchange);
            exchange.getResponseHeaders().set(CORRELATION_HEADER, correlationId);
            MDC.put("correlation_id", correlationId);
            boolean events = path.group(3).equals("events");
            switch (exchange.getRequestMethod()) {
                case "POST" -> {
                    if (events) {
                        append(exchange, aggregateType, path.group(2), correlationId);
                    } else {
                        notAllowed(exchange, "GET");
                    }
                }
                case "GET" -> {
                    if (events) {
                        read(exchange, aggregateType, path.group(2));
                    } else {
                        projections(exchange, aggregateType, path.group(2));
                    }
                }
                default -> notAllowed(exchange, events ? "GET, POST" : "GET");
            }
        } catch (EventStoreException e) {
            if (e.transientFailure()) {
                LOG.error("event store unavailable: {}", e.getMessage());
                // a commit cut off may still have been written: the same expectedVersion then answers 409
                respond(exchange, 503, error("unavailable", "the event store is unavailable; retry later with the same "
                        + "expectedVersion (a 409 then means an earlier try was written)"));
            } else {
                // a missing right or an unexpected schema: retrying cannot help until an operator acts
                LOG.error("event store refused the request (SQL state {}): {}", e.sqlState(), e.getMessage());
                respond(exchange, 500, error("store_refused", "the event store refused the request (SQL state " + e.sqlState()
                        + "); nothing was appended, and retrying will not help until the writer's database rights or schema"
                        + " are fixed: see the writer's log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, error("unavailable", "the writer is stopping; an append may have been written: GET the aggregate's events"));
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
            respond(exchange, 500, error("internal_error", "the request failed; retry later with the same expectedVersion"));
        } finally {
            MDC.remove("correlation_id");
            exchange.close();
        }
    }

    private void append(HttpExchange exchange, String aggregateType, String rawAggregateId, String correlationId)
            throws IOException, InterruptedException {
        byte[] body = readBody(exchange);
        if (body == null) {
            respond(exchange, 413, error("payload_too_large", "the request body is larger than " + maxRequestBytes + " bytes"));
            return;
        }
        List<Problem> problems = new ArrayList<>();
        UUID aggregateId = parseUuid(rawAggregateId, problems);
        JsonNode request;
        try {
            request = EventJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", "");
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problems.add(new Problem("body", "is not valid JSON: " + reason + where));
            respond(exchange, 400, invalid(problems));
            return;
        }
        if (request == null || !request.isObject()) {
            problems.add(new Problem("body", "must be a JSON object {\"expectedVersion\": n, \"events\": [...]}"));
            respond(exchange, 400, invalid(problems));
            return;
        }
        JsonNode expected = request.get("expectedVersion");
        if (expected == null || !expected.canConvertToInt() || !expected.isIntegralNumber()) {
            problems.add(new Problem("expectedVersion", "is required: the aggregate's current version, 0 for a new one"));
        }
        List<NewEvent> events = parseEvents(request.get("events"), correlationId, problems);
        Wait wait = wait(exchange, aggregateType, problems);
        if (!problems.isEmpty()) {
            respond(exchange, 400, invalid(problems));
            return;
        }
        try {
            AppendResult result = store.append(aggregateType, aggregateId, expected.intValue(), events);
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
            LOG.debug("appended {} event(s) to {} {}, now at version {}", events.size(), aggregateType, aggregateId, result.version());
            exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getPath());
            if (wait == null) {
                respond(exchange, 201, response);
                return;
            }
            ReadModelPositions.Waited waited = store.positions().await(aggregateType, aggregateId, result.version(), wait.readModels(),
                    wait.timeout());
            response.put("waitedMs", waited.took().toMillis());
            response.set("projections", positions(waited.positions(), result.version()));
            if (!waited.applied()) {
                boolean parked = waited.positions().stream().anyMatch(ReadModelPositions.Applied::parked);
                response.put("message", parked
                        ? "appended; a read model waited for has parked this aggregate (bin/pipeline parked list) and will not apply it until an operator acts"
                        : "appended; not every read model waited for applied it within " + wait.timeout().toMillis() + " ms");
            }
            respond(exchange, waited.applied() ? 201 : 202, response);
        } catch (InvalidEventsException e) {
            respond(exchange, 400, invalid(e.problems()));
        } catch (VersionConflictException e) {
            respond(exchange, 409, error("version_conflict", e.getMessage())
                    .put("aggregateId", e.aggregateId().toString())
                    .put("expectedVersion", e.expectedVersion())
                    .put("currentVersion", e.currentVersion()));
        } catch (UniqueClaimException e) {
            respond(exchange, 409, error("unique_conflict", e.getMessage())
                    .put("claim", e.claim())
                    .put("value", e.value())
                    .put("heldBy", String.valueOf(e.heldBy())));
        }
    }

    /** What a POST asked to wait for: {@code ?waitFor=<read-model>[,<read-model>...]&timeout=<duration>}. */
    private record Wait(List<String> readModels, Duration timeout) {
    }

    /** The wait the request asks for, null for none; a problem for a read model not known for the type or a bad timeout. */
    private Wait wait(HttpExchange exchange, String aggregateType, List<Problem> problems) {
        Map<String, String> query = queryParameters(exchange.getRequestURI().getRawQuery());
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
        List<String> known = store.positions().readModels(aggregateType);
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

    private void projections(HttpExchange exchange, String aggregateType, String rawAggregateId) throws IOException {
        UUID aggregateId = aggregateIdOrRespond(exchange, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        int version = store.currentVersion(aggregateType, aggregateId);
        if (version == 0) {
            respond(exchange, 404, error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
            return;
        }
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId.toString())
                .put("version", version);
        response.set("projections", positions(store.positions().of(aggregateType, aggregateId), version));
        respond(exchange, 200, response);
    }

    /** Each read model's position, and whether it is current: at the aggregate's version. */
    private static ArrayNode positions(List<ReadModelPositions.Applied> positions, int version) {
        ArrayNode list = EventJson.MAPPER.createArrayNode();
        positions.forEach(position -> list.addObject()
                .put("readModel", position.readModel())
                .put("version", position.version())
                .put("sequence", position.sequence())
                .put("current", position.reached(version))
                .put("parked", position.parked()));
        return list;
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

    private void notAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        respond(exchange, 405, error("method_not_allowed", "use " + allowed.replace(", ", " or ")));
    }

    private List<NewEvent> parseEvents(JsonNode node, String correlationId, List<Problem> problems) {
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
            events.add(new NewEvent(type == null ? null : type.asText(), payload, meta));
        }
        return events;
    }

    private void read(HttpExchange exchange, String aggregateType, String rawAggregateId) throws IOException {
        UUID aggregateId = aggregateIdOrRespond(exchange, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        List<EventEnvelope> events = store.load(aggregateId);
        if (events.isEmpty() || !events.get(0).aggregateType().equals(aggregateType)) {
            respond(exchange, 404, error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
            return;
        }
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId.toString())
                .put("version", events.get(events.size() - 1).eventVersion());
        response.set("events", EventJson.MAPPER.valueToTree(events));
        respond(exchange, 200, response);
    }

    /** The path's aggregate id; null, once a 400 naming the problem is sent, when it is not a UUID. */
    private UUID aggregateIdOrRespond(HttpExchange exchange, String rawAggregateId) throws IOException {
        List<Problem> problems = new ArrayList<>();
        UUID aggregateId = parseUuid(rawAggregateId, problems);
        if (!problems.isEmpty()) {
            respond(exchange, 400, invalid(problems));
        }
        return aggregateId;
    }

    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxRequestBytes) {
            return null;
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(maxRequestBytes + 1);
            return body.length > maxRequestBytes ? null : body;
        }
    }

    private static UUID parseUuid(String raw, List<Problem> problems) {
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

    private static String correlationId(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(CORRELATION_HEADER);
        return given != null && CORRELATION_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    private static ObjectNode error(String code, String message) {
        return EventJson.MAPPER.createObjectNode().put("error", code).put("message", message);
    }

    private static ObjectNode invalid(List<Problem> problems) {
        ObjectNode body = error("invalid_request", problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the request; nothing was written");
        ArrayNode list = body.putArray("problems");
        problems.forEach(problem -> list.addObject().put("path", problem.path()).put("message", problem.message()));
        return body;
    }

    private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = EventJson.toBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
