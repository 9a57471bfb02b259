package dev.projections.eventwriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.access.Action;
import dev.projections.eventwriter.access.BearerTokens;
import dev.projections.eventwriter.access.Caller;
import dev.projections.eventwriter.access.Credentials;
import dev.projections.eventwriter.access.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The writer's routes: {@code POST /aggregates/{aggregateType}/{aggregateId}/events} appends (with
 * {@code ?waitFor=<read-model>} it answers once that read model has applied the append), {@code GET} on the same
 * path reads the aggregate's events, and {@code GET /aggregates/{aggregateType}/{aggregateId}/projections}
 * answers how far each read model has applied the aggregate. Each request's credentials are checked before its
 * body is read, and its caller's rights on the aggregate type before anything else; every request is answered
 * here, blocking on the database as it must.
 */
final class WriterRoutes extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(WriterRoutes.class);
    private static final Pattern AGGREGATE_PATH = Pattern.compile("^/aggregates/([^/]+)/([^/]+)/(events|projections)/?$");
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** One request being answered. */
    private record Call(Request request, Response response, Callback callback) {
    }

    private final EventStore store;
    private final Credentials credentials;
    private final int maxRequestBytes;
    private final Counter unauthenticated;
    private final Counter forbidden;

    WriterRoutes(EventStore store, Credentials credentials, int maxRequestBytes, MeterRegistry registry) {
        this.store = store;
        this.credentials = credentials;
        this.maxRequestBytes = maxRequestBytes;
        this.unauthenticated = refusals(registry, "unauthenticated");
        this.forbidden = refusals(registry, "forbidden");
    }

    private static Counter refusals(MeterRegistry registry, String reason) {
        return Counter.builder("pipeline.writer.requests.refused").tag("reason", reason)
                .description("Requests refused before their body was read: unauthenticated (401) or forbidden (403)").register(registry);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        answer(new Call(request, response, callback));
        return true;
    }

    private void answer(Call call) {
        try {
            Matcher path = AGGREGATE_PATH.matcher(call.request().getHttpURI().getPath());
            Verdict verdict = credentials.check(call.request().getHeaders().get(HttpHeader.AUTHORIZATION));
            if (verdict instanceof Verdict.Refused refused) {
                unauthenticated.increment();
                call.response().getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refused.challenge());
                refuse(call, 401, WriterResponses.error("unauthorized", refused.message()));
                return;
            }
            Caller caller = ((Verdict.Admitted) verdict).caller();
            if (!path.matches()) {
                respond(call, 404, WriterResponses.error("not_found", "no such resource; use /aggregates/{aggregateType}/{aggregateId}/events"
                        + " or /aggregates/{aggregateType}/{aggregateId}/projections"));
                return;
            }
            String aggregateType = path.group(1);
            String correlationId = correlationId(call.request());
            call.response().getHeaders().put(WriterHttpServer.CORRELATION_HEADER, correlationId);
            MDC.put("correlation_id", correlationId);
            boolean events = path.group(3).equals("events");
            Action action = switch (call.request().getMethod()) {
                case "POST" -> events ? Action.APPEND : null;
                case "GET" -> events ? Action.READ_EVENTS : Action.READ_PROJECTIONS;
                default -> null;
            };
            if (action == null) {
                String allowed = events ? "GET, POST" : "GET";
                call.response().getHeaders().put(HttpHeader.ALLOW, allowed);
                respond(call, 405, WriterResponses.error("method_not_allowed", "use " + allowed.replace(", ", " or ")));
                return;
            }
            if (!caller.may(action, aggregateType)) {
                forbidden.increment();
                LOG.warn("refused {} a {} on {} aggregates: it lacks the scope {}", caller.name(), action, aggregateType,
                        action.scope(aggregateType));
                refuse(call, 403, WriterResponses.error("forbidden", caller.name() + " may not " + switch (action) {
                    case APPEND -> "append to";
                    case READ_EVENTS -> "read the events of";
                    case READ_PROJECTIONS -> "read the projections of";
                } + " " + aggregateType + " aggregates: that needs the scope " + action.scope(aggregateType)));
                return;
            }
            switch (action) {
                case APPEND -> append(call, aggregateType, path.group(2), correlationId, caller);
                case READ_EVENTS -> read(call, aggregateType, path.group(2));
                case READ_PROJECTIONS -> projections(call, aggregateType, path.group(2));
            }
        } catch (EventStoreException e) {
            if (e.transientFailure()) {
                LOG.error("event store unavailable: {}", e.getMessage());
                // a commit cut off may still have been written: the same expectedVersion then answers 409
                respond(call, 503, WriterResponses.error("unavailable", "the event store is unavailable; retry later with the same "
                        + "expectedVersion (a 409 then means an earlier try was written)"));
            } else {
                // a missing right or an unexpected schema: retrying cannot help until an operator acts
                LOG.error("event store refused the request (SQL state {}): {}", e.sqlState(), e.getMessage());
                respond(call, 500, WriterResponses.error("store_refused", "the event store refused the request (SQL state " + e.sqlState()
                        + "); nothing was appended, and retrying will not help until the writer's database rights or schema"
                        + " are fixed: see the writer's log"));
            }
        } catch (BearerTokens.KeysUnavailable e) {
            LOG.error("cannot check bearer tokens: {}", e.getMessage());
            respond(call, 503, WriterResponses.error("unavailable", "the writer cannot check tokens now (its token issuer's keys cannot be"
                    + " fetched); nothing was appended: retry later"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(call, 503, WriterResponses.error("unavailable", "the writer is stopping; an append may have been written: GET the aggregate's events"));
        } catch (IOException | RuntimeException e) {
            LOG.error("request failed", e);
            respond(call, 500, WriterResponses.error("internal_error", "the request failed; retry later with the same expectedVersion"));
        } finally {
            MDC.remove("correlation_id");
        }
    }

    private void append(Call call, String aggregateType, String rawAggregateId, String correlationId, Caller caller)
            throws IOException, InterruptedException {
        byte[] body = readBody(call.request());
        if (body == null) {
            respond(call, 413, WriterResponses.error("payload_too_large", "the request body is larger than " + maxRequestBytes + " bytes"));
            return;
        }
        List<Problem> problems = new ArrayList<>();
        AppendRequest request = AppendRequest.parse(rawAggregateId, body, call.request().getHttpURI().getQuery(), correlationId,
                caller.name(), () -> store.positions().readModels(aggregateType), aggregateType, problems);
        if (request == null) {
            respond(call, 400, WriterResponses.invalid(problems));
            return;
        }
        UUID aggregateId = request.aggregateId();
        List<NewEvent> events = request.events();
        AppendRequest.Wait wait = request.waitFor();
        try {
            AppendResult result = store.append(aggregateType, aggregateId, request.expectedVersion(), events);
            ObjectNode response = WriterResponses.appended(result, correlationId);
            LOG.debug("appended {} event(s) to {} {}, now at version {}", events.size(), aggregateType, aggregateId, result.version());
            call.response().getHeaders().put(HttpHeader.LOCATION, call.request().getHttpURI().getPath());
            if (wait == null) {
                respond(call, 201, response);
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
            respond(call, waited.applied() ? 201 : 202, response);
        } catch (InvalidEventsException e) {
            respond(call, 400, WriterResponses.invalid(e.problems()));
        } catch (VersionConflictException e) {
            respond(call, 409, WriterResponses.error("version_conflict", e.getMessage())
                    .put("aggregateId", e.aggregateId().toString())
                    .put("expectedVersion", e.expectedVersion())
                    .put("currentVersion", e.currentVersion()));
        } catch (UniqueClaimException e) {
            respond(call, 409, WriterResponses.error("unique_conflict", e.getMessage())
                    .put("claim", e.claim())
                    .put("value", e.value())
                    .put("heldBy", String.valueOf(e.heldBy())));
        }
    }

    private void projections(Call call, String aggregateType, String rawAggregateId) {
        UUID aggregateId = aggregateIdOrRespond(call, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        int version = store.currentVersion(aggregateType, aggregateId);
        if (version == 0) {
            respond(call, 404, WriterResponses.error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
            return;
        }
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId.toString())
                .put("version", version);
        response.set("projections", WriterResponses.positions(store.positions().of(aggregateType, aggregateId), version));
        respond(call, 200, response);
    }

    private void read(Call call, String aggregateType, String rawAggregateId) {
        UUID aggregateId = aggregateIdOrRespond(call, rawAggregateId);
        if (aggregateId == null) {
            return;
        }
        List<EventEnvelope> events = store.load(aggregateId);
        if (events.isEmpty() || !events.get(0).aggregateType().equals(aggregateType)) {
            respond(call, 404, WriterResponses.error("not_found", "no " + aggregateType + " aggregate " + aggregateId));
            return;
        }
        ObjectNode response = EventJson.MAPPER.createObjectNode()
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId.toString())
                .put("version", events.get(events.size() - 1).eventVersion());
        response.set("events", EventJson.MAPPER.valueToTree(events));
        respond(call, 200, response);
    }

    /** The path's aggregate id; null, once a 400 naming the problem is sent, when it is not a UUID. */
    private UUID aggregateIdOrRespond(Call call, String rawAggregateId) {
        List<Problem> problems = new ArrayList<>();
        UUID aggregateId = AppendRequest.aggregateId(rawAggregateId, problems);
        if (!problems.isEmpty()) {
            respond(call, 400, WriterResponses.invalid(problems));
        }
        return aggregateId;
    }

    private byte[] readBody(Request request) throws IOException {
        if (request.getLength() > maxRequestBytes) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(maxRequestBytes + 1);
            return body.length > maxRequestBytes ? null : body;
        }
    }

    /**
     * Answers a request refused before its body was read. A body of a length the writer accepts is skipped, so
     * that the client's connection stays open for its next request; any other is not read, and the connection closes.
     */
    private void refuse(Call call, int status, JsonNode body) throws IOException {
        long length = call.request().getLength();
        if (length > 0 && length <= maxRequestBytes) {
            try (InputStream in = Content.Source.asInputStream(call.request())) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } else if (length != 0) {
            call.response().getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        respond(call, status, body);
    }

    private static String correlationId(Request request) {
        String given = request.getHeaders().get(WriterHttpServer.CORRELATION_HEADER);
        return given != null && CORRELATION_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    private static void respond(Call call, int status, JsonNode body) {
        call.response().setStatus(status);
        call.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        call.response().write(true, ByteBuffer.wrap(EventJson.toBytes(body)), call.callback());
    }
}
