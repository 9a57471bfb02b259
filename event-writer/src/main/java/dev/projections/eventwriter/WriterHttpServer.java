package dev.projections.eventwriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.monitoring.Monitoring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
                respond(exchange, 404, WriterResponses.error("not_found", "no such resource; use /aggregates/{aggregateType}/{aggregateId}/events"
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
                respond(exchange, 503, WriterResponses.error("unavailable", "the event store is unavailable; retry later with the same "
                        + "expectedVersion (a 409 then means an earlier try was written)"));
            } else {
                // a missing right or an unexpected schema: retrying cannot help until an operator acts
                LOG.error("event store refused the request (SQL state {}): {}", e.sqlState(), e.getMessage());
                respond(exchange, 500, WriterResponses.error("store_refused", "the event store refused the request (SQL state " + e.sqlState()
                        + "); nothing was appended, and retrying will not help until the writer's database rights or schema"
                        + " are fixed: see the writer's log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, WriterResponses.error("unavailable", "the writer is stopping; an append may have been written: GET the aggregate's events"));
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
            respond(exchange, 500, WriterResponses.error("internal_error", "the request failed; retry later with the same expectedVersion"));
        } finally {
            MDC.remove("correlation_id");
            exchange.close();
        }
    }

    private void append(HttpExchange exchange, String aggregateType, String rawAggregateId, String correlationId)
            throws IOException, InterruptedException {
        byte[] body = readBody(exchange);
        if (body == null) {
            respond(exchange, 413, WriterResponses.error("payload_too_large", "the request body is larger than " + maxRequestBytes + " bytes"));
            return;
        }
        List<Problem> problems = new ArrayList<>();
        AppendRequest request = AppendRequest.parse(rawAggregateId, body, exchange.getRequestURI().getRawQuery(), correlationId,
                () -> store.positions().readModels(aggregateType), aggregateType, problems);
        if (request == null) {
            respond(exchange, 400, WriterResponses.invalid(problems));
            return;
        }
        UUID aggregateId = request.aggregateId();
        List<NewEvent> events = request.events();
        AppendRequest.Wait wait = request.waitFor();
        try {
            AppendResult result = store.append(aggregateType, aggregateId, request.expectedVersion(), events);
            ObjectNode response = WriterResponses.appended(result, correlationId);
            LOG.debug("appended {} event(s) to {} {}, now at version {}", events.size(), aggregateType, aggregateId, result.version());
            exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getPath());
            if (wait == null) {
                respond(exchange, 201, response);
                return;
            }
            ReadModelPositions.Waited waited = store.positions().await(aggregateType, aggregateId, result.version(), wait.readModels(),
                    wait.timeout());
            response.put("waitedMs", waited.took().toMillis());
            response.set("projections", WriterResponses.positions(waited.positions(), result.version()));
            if (!waited.applied()) {
                boolean parked = waited.positions().stream().anyMatch(ReadModelPositions.Applied::parked);
                response.put("message", parked
                        ? "appended; a read model waited for has parked this aggregate (bin/pipeline parked list) and will not apply it until an operator acts"
                        : "appended; not every read model waited for applied it within " + wait.timeout().toMillis() + " ms");
            }
            respond(exchange, waited.applied() ? 201 : 202, response);
        } catch (InvalidEventsException e) {
            respond(exchange, 400, WriterResponses.invalid(e.problems()));
        } catch (VersionConflictException e) {
            respond(exchange, 409, WriterResponses.error("version_conflict", e.getMessage())
                    .put("aggregateId", e.aggregateId().toString())
                    .put("expectedVersion", e.expectedVersion())
                    .put("currentVersion", e.currentVersion()));
        } catch (UniqueClaimException e) {
            respond(exchange, 409, WriterResponses.error("unique_conflict", e.getMessage())
                    .put("claim", e.claim())
                    .put("value", e.value())
                    .put("heldBy", String.valueOf(e.heldBy())));
        }
    }

    private void projections(HttpExchange exchange, String aggregateType, String rawAggregateId) throws IOException {
        UUID aggregateId = aggregateIdOrRespond(exchange, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        int version = store.currentVersion(aggregateType, aggregateId);
        if (version == 0) {
            respond(exchange, 404, WriterResponses.error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
            return;
        }
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId.toString())
                .put("version", version);
        response.set("projections", WriterResponses.positions(store.positions().of(aggregateType, aggregateId), version));
        respond(exchange, 200, response);
    }

    private void notAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        respond(exchange, 405, WriterResponses.error("method_not_allowed", "use " + allowed.replace(", ", " or ")));
    }

    private void read(HttpExchange exchange, String aggregateType, String rawAggregateId) throws IOException {
        UUID aggregateId = aggregateIdOrRespond(exchange, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        List<EventEnvelope> events = store.load(aggregateId);
        if (events.isEmpty() || !events.get(0).aggregateType().equals(aggregateType)) {
            respond(exchange, 404, WriterResponses.error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
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
        UUID aggregateId = AppendRequest.aggregateId(rawAggregateId, problems);
        if (!problems.isEmpty()) {
            respond(exchange, 400, WriterResponses.invalid(problems));
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

    private static String correlationId(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(CORRELATION_HEADER);
        return given != null && CORRELATION_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
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
