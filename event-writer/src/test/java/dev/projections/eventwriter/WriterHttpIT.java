package dev.projections.eventwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.access.Credentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.projections.migrations.Migrations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class WriterHttpIT {

    private static final String UPLOADED = """
            {"eventType": "DocumentUploaded", "payload": {"title": "Spec", "filename": "spec.pdf",
             "contentType": "application/pdf", "sizeBytes": 10, "uploadedBy": "alice"}}""";
    /** A new document's first append. */
    private static final String NEW_DOCUMENT = "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + "]}";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WriterHttpServer server;
    private static EventStore store;

    @BeforeAll
    static void start() throws Exception {
        Migrations.migrate(SharedPostgres.get().dataSource());
        store = new EventStore(SharedPostgres.get().dataSource());
        server = WriterHttpServer.start(store, plain(4), Credentials.none(), new SimpleMeterRegistry());
    }

    private static WriterHttpServer.Options plain(int threads) {
        return new WriterHttpServer.Options("127.0.0.1", 0, threads, 4096, 8192, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void givenNewDocument_whenPosted_then201WithVersionSequencesAndTheCorrelationIdStoredInEachEvent() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + ", {\"eventType\": \"DocumentArchived\", \"payload\": {}}]}",
                "order-42");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("X-Correlation-ID")).hasValue("order-42");
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("version").asInt()).isEqualTo(2);
        assertThat(body.get("correlationId").asText()).isEqualTo("order-42");
        assertThat(body.get("events")).hasSize(2);
        assertThat(body.get("events").get(1).get("sequence").asLong()).isGreaterThan(body.get("events").get(0).get("sequence").asLong());

        JsonNode read = EventJson.tree(get(id).body());
        assertThat(read.get("version").asInt()).isEqualTo(2);
        assertThat(read.get("events").get(0).get("sequence").asLong()).isEqualTo(body.get("events").get(0).get("sequence").asLong());
        assertThat(read.get("events").get(0).get("metadata").get("correlation_id").asText()).isEqualTo("order-42");
        assertThat(read.get("events").get(1).get("metadata").get("correlation_id").asText()).isEqualTo("order-42");
    }

    @Test
    void givenNoCorrelationHeader_whenPosted_thenOneIsGeneratedStoredAndReturned() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + "]}", null);

        String generated = response.headers().firstValue("X-Correlation-ID").orElseThrow();
        assertThat(UUID.fromString(generated)).isNotNull();
        assertThat(store.load(id).get(0).correlationId()).hasValue(generated);
    }

    @Test
    void givenStaleExpectedVersion_whenPosted_then409SayingBothVersions() throws Exception {
        UUID id = UUID.randomUUID();
        post(id, "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + "]}", null);

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + "]}", null);

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("version_conflict");
        assertThat(body.get("expectedVersion").asInt()).isZero();
        assertThat(body.get("currentVersion").asInt()).isEqualTo(1);
        assertThat(store.currentVersion(id)).isEqualTo(1);
    }

    @Test
    void givenACustomerCodeTaken_whenAnotherCustomerRegistersWithIt_then409NamingTheCodeAndItsHolder() throws Exception {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        String code = "H-" + first.toString().substring(0, 8);
        String registration = "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"CustomerRegistered\", \"payload\": "
                + "{\"code\": \"" + code + "\", \"name\": \"Acme\"}}]}";
        assertThat(post("customer", first, registration).statusCode()).isEqualTo(201);

        HttpResponse<String> response = post("customer", second, registration);

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("unique_conflict");
        assertThat(body.get("message").asText()).isEqualTo("customer code '" + code + "' is already taken by aggregate " + first);
        assertThat(body.get("claim").asText()).isEqualTo("customer code");
        assertThat(body.get("value").asText()).isEqualTo(code);
        assertThat(body.get("heldBy").asText()).isEqualTo(first.toString());
        assertThat(store.currentVersion(second)).isZero();
    }

    @Test
    void givenMalformedJson_whenPosted_then400NamingTheProblem() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(EventJson.tree(response.body()).get("problems").get(0).get("path").asText()).isEqualTo("body");
        assertThat(response.body()).contains("is not valid JSON");
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenARequestWithSeveralProblems_whenPosted_then400ListingEveryOne() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/aggregates/document/not-a-uuid/events"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"events\": [{\"payload\": 3, \"metadata\": []}]}")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(EventJson.tree(response.body()).get("problems")).extracting(problem -> problem.get("path").asText())
                .containsExactly("aggregateId", "expectedVersion", "events[0].eventType", "events[0].payload", "events[0].metadata");
    }

    @Test
    void givenABodyOverTheLimit_whenPosted_then413AndNothingWritten() throws Exception {
        UUID id = UUID.randomUUID();
        String title = "x".repeat(5000);

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"DocumentUploaded\", \"payload\": {\"title\": \"" + title + "\"}}]}", null);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(EventJson.tree(response.body()).get("error").asText()).isEqualTo("payload_too_large");
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenAPayloadMissingAFieldAndAnotherOfTheWrongType_whenPosted_then400NamingBothAndNothingWritten() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"DocumentUploaded\", "
                + "\"payload\": {\"title\": \"T\", \"filename\": \"t.pdf\", \"contentType\": \"x\", \"sizeBytes\": \"big\"}}]}", null);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problems = EventJson.tree(response.body()).get("problems");
        assertThat(problems).extracting(problem -> problem.get("path").asText() + ": " + problem.get("message").asText())
                .containsExactly("events[0].payload.sizeBytes: string found, integer expected", "events[0].payload.uploadedBy: is required");
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenAnUnknownEventType_whenPosted_then400NamingTheKnownOnes() throws Exception {
        HttpResponse<String> response = post(UUID.randomUUID(), "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"DocumentPrinted\", \"payload\": {}}]}", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("'DocumentPrinted' is not an event of a document; known: DocumentUploaded");
    }

    @Test
    void givenARetiredEventType_whenPosted_then400NamingTheTypeItIsReadAsAndNothingIsWritten() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = post(id, "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"DocumentAdded\", \"payload\": "
                + "{\"file\": {\"name\": \"a.pdf\", \"mimeType\": \"application/pdf\", \"sizeKb\": 1}, \"addedBy\": \"alice\"}}]}", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(EventJson.tree(response.body()).get("problems").get(0).get("message").asText())
                .isEqualTo("'DocumentAdded' is a retired event type, which the pipeline reads as DocumentUploaded; append a DocumentUploaded instead");
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenAWriterWhoseDatabaseUserMayNotAppend_whenPosted_then500SayingTheStoreRefusedAndNothingWasAppended() throws Exception {
        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("""
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'writer_without_rights') THEN
                            CREATE ROLE writer_without_rights LOGIN IN ROLE pipeline_reader;
                        END IF;
                    END $$""");
        }
        PGSimpleDataSource readOnly = new PGSimpleDataSource();
        readOnly.setUrl(SharedPostgres.get().jdbcUrl().replace("user=" + EmbeddedPostgres.USER, "user=writer_without_rights"));
        WriterHttpServer refusing = WriterHttpServer.start(new EventStore(readOnly), plain(2), Credentials.none(), new SimpleMeterRegistry());
        UUID id = UUID.randomUUID();
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + refusing.port()
                    + "/aggregates/document/" + id + "/events")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"expectedVersion\": 0, \"events\": [" + UPLOADED + "]}")));

            // not 503: retrying cannot help until an operator grants the right
            assertThat(response.statusCode()).isEqualTo(500);
            JsonNode body = EventJson.tree(response.body());
            assertThat(body.get("error").asText()).isEqualTo("store_refused");
            assertThat(body.get("message").asText()).contains("SQL state 42501", "nothing was appended");
            assertThat(store.currentVersion(id)).isZero();
        } finally {
            refusing.close();
        }
    }

    @Test
    void givenReadModelsAtDifferentPositions_whenItsProjectionsAreAsked_thenEachSaysItsVersionAndWhetherItIsCurrent() throws Exception {
        UUID id = UUID.randomUUID();
        register("ryw-current", "document");
        register("ryw-behind", "document");
        register("ryw-customers", "customer");
        post(id, "{\"expectedVersion\": 0, \"events\": [" + UPLOADED + ", {\"eventType\": \"DocumentArchived\", \"payload\": {}}]}", null);
        applied("ryw-current", id, 2);
        applied("ryw-behind", id, 1);

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/aggregates/document/" + id + "/projections")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("version").asInt()).isEqualTo(2);
        assertThat(projection(body, "ryw-current")).isEqualTo("version=2 current=true parked=false");
        assertThat(projection(body, "ryw-behind")).isEqualTo("version=1 current=false parked=false");
        assertThat(body.get("projections").findValuesAsText("readModel")).doesNotContain("ryw-customers");
        assertThat(send(HttpRequest.newBuilder(uri("/aggregates/document/" + UUID.randomUUID() + "/projections")).GET()).statusCode())
                .isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/aggregates/customer/" + id + "/projections")).GET()).statusCode())
                .as("a document asked for as a customer").isEqualTo(404);
    }

    @Test
    void givenAReadModelThatAppliesTheAppendAMomentLater_whenPostedWithWaitFor_then201OnceItHasApplied() throws Exception {
        UUID id = UUID.randomUUID();
        register("ryw-late", "document");
        CompletableFuture<Void> projector = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> store.currentVersion(id) == 1);
            sleep(200);
            applied("ryw-late", id, 1);
        });

        HttpResponse<String> response = post("document", id, "?waitFor=ryw-late&timeout=5s", NEW_DOCUMENT);

        projector.join();
        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("waitedMs").asLong()).isBetween(150L, 4_000L);
        assertThat(projection(body, "ryw-late")).isEqualTo("version=1 current=true parked=false");
    }

    @Test
    void givenAReadModelThatDoesNotApplyIt_whenPostedWithWaitForAndATimeout_then202WithItsPositionAndTheEventIsAppended() throws Exception {
        UUID id = UUID.randomUUID();
        register("ryw-stopped", "document");

        HttpResponse<String> response = post("document", id, "?waitFor=ryw-stopped&timeout=300ms", NEW_DOCUMENT);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("waitedMs").asLong()).isGreaterThanOrEqualTo(300L);
        assertThat(body.get("message").asText()).isEqualTo("appended; not every read model waited for applied it within 300 ms");
        assertThat(projection(body, "ryw-stopped")).isEqualTo("version=0 current=false parked=false");
        assertThat(store.currentVersion(id)).isEqualTo(1);
    }

    @Test
    void givenAReadModelThatParkedTheAggregate_whenPostedWithWaitFor_then202AtOnceSayingSo() throws Exception {
        UUID id = UUID.randomUUID();
        register("ryw-parking", "document");
        execute("INSERT INTO readmodel.parked_events (projection, topic, kafka_partition, kafka_offset, aggregate_id, error) "
                + "VALUES ('ryw-parking', 'events.document', 0, " + (System.nanoTime() & 0xffffff) + ", '" + id + "', 'refused')");

        HttpResponse<String> response = post("document", id, "?waitFor=ryw-parking&timeout=20s", NEW_DOCUMENT);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = EventJson.tree(response.body());
        assertThat(body.get("waitedMs").asLong()).isLessThan(10_000L);
        assertThat(body.get("message").asText()).contains("has parked this aggregate (bin/pipeline parked list)");
        assertThat(projection(body, "ryw-parking")).isEqualTo("version=0 current=false parked=true");
    }

    @Test
    void givenAnUnknownReadModelAndABadTimeout_whenPostedWithWaitFor_then400NamingBothAndNothingIsWritten() throws Exception {
        UUID id = UUID.randomUUID();
        register("ryw-known", "document");

        HttpResponse<String> response = post("document", id, "?waitFor=invoices&timeout=forever", NEW_DOCUMENT);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problems = EventJson.tree(response.body()).get("problems");
        assertThat(problems.findValuesAsText("path")).containsExactly("timeout", "waitFor");
        assertThat(problems.get(0).get("message").asText()).isEqualTo("is 'forever'; give a duration from 0ms to 60s, such as 500ms or 2s");
        assertThat(problems.get(1).get("message").asText()).startsWith("read model 'invoices' is not one that reads document aggregates")
                .contains("ryw-known");
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenAnUnknownAggregate_whenRead_then404() throws Exception {
        assertThat(get(UUID.randomUUID()).statusCode()).isEqualTo(404);
    }

    /** What a projector's start does: its read model becomes known for read-your-writes. */
    private static void register(String readModel, String aggregateType) {
        execute("INSERT INTO readmodel.read_models (name, aggregate_types) VALUES ('" + readModel + "', ARRAY['" + aggregateType
                + "']) ON CONFLICT (name) DO NOTHING");
    }

    /** What a projector's commit does to the aggregate's position once it has applied up to the version. */
    private static void applied(String readModel, UUID id, int version) {
        execute("INSERT INTO readmodel.projection_positions (projection, aggregate_id, version, sequence) VALUES ('" + readModel + "', '"
                + id + "', " + version + ", " + version + ") ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = excluded.version");
    }

    private static void execute(String sql) {
        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String projection(JsonNode body, String readModel) {
        for (JsonNode projection : body.get("projections")) {
            if (projection.get("readModel").asText().equals(readModel)) {
                return "version=" + projection.get("version").asInt() + " current=" + projection.get("current").asBoolean() + " parked="
                        + projection.get("parked").asBoolean();
            }
        }
        return "absent";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpResponse<String> post(String aggregateType, UUID id, String query, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/aggregates/" + aggregateType + "/" + id + "/events" + query))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> post(String aggregateType, UUID id, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/aggregates/" + aggregateType + "/" + id + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> post(UUID id, String body, String correlationId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/aggregates/document/" + id + "/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (correlationId != null) {
            request.header("X-Correlation-ID", correlationId);
        }
        return send(request);
    }

    private static HttpResponse<String> get(UUID id) throws Exception {
        return send(HttpRequest.newBuilder(uri("/aggregates/document/" + id + "/events")).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
