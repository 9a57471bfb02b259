package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole chain in one JVM, started as local mode starts it: events written over HTTP come out in
 * {@code readmodel.document_views}, through a relay that can be stopped mid-stream and a projector that
 * can be rewound to offset 0.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    private static final EventTopics.Topic<String, byte[]> DOCUMENTS = EventTopics.forAggregateType("document");

    private static final int EVENTS_PER_DOCUMENT = 10;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(8);
    private static LocalPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        pipeline = SharedPipeline.get();
        // a replaced stream thread ends with its exception, by design; that is no failure of a test
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterAll
    static void stop() {
        CLIENTS.shutdownNow();
    }

    @Test
    @Order(1)
    void givenTheRunningPipeline_whenOneEventIsWritten_thenItReachesTheReadModelWithinMilliseconds() throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            UUID id = UUID.randomUUID();
            post(id, 0, List.of(uploaded(i)), "latency-" + i);
            long committed = System.nanoTime();
            while (versionOf(id) < 1) {
                Thread.sleep(1);
                assertThat(System.nanoTime() - committed).isLessThan(TimeUnit.SECONDS.toNanos(30));
            }
            latencies.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - committed));
        }
        Collections.sort(latencies);
        System.out.printf("e2e latency, writer commit to read-model row, 30 single events: p50 %.1f ms, p90 %.1f ms, max %.1f ms%n",
                latencies.get(15) / 1000.0, latencies.get(27) / 1000.0, latencies.get(29) / 1000.0);
    }

    @Test
    @Order(1)
    void givenAClientThatMustReadItsWrite_whenItPostsWithWaitFor_thenTheAnswerComesOnceBothReadModelsHoldTheEvent() throws Exception {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            UUID id = UUID.randomUUID();
            String body = "{\"expectedVersion\": 0, \"events\": [" + uploaded(i) + "]}";

            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/document/" + id
                            + "/events?waitFor=document,semantic-ir&timeout=10s"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            assertThat(versionOf(id)).isEqualTo(1);
            var answer = EventJson.tree(response.body());
            assertThat(answer.get("projections").findValuesAsText("readModel")).containsExactly("document", "semantic-ir");
            assertThat(answer.get("projections").findValuesAsText("current")).containsOnly("true");
            waits.add(answer.get("waitedMs").asLong());
            var projections = EventJson.tree(HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/document/" + id
                    + "/projections")).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(projections.get("projections").findValuesAsText("version")).containsOnly("1");
        }
        Collections.sort(waits);
        System.out.printf("read-your-writes: POST ?waitFor=document,semantic-ir answered after waiting p50 %d ms, max %d ms (10 appends)%n",
                waits.get(5), waits.get(9));
    }

    @Test
    @Order(2)
    void givenTenThousandEventsOverAThousandDocuments_whenWrittenOverHttp_thenEveryDocumentIsAtItsLastVersion() throws Exception {
        List<UUID> documents = IntStream.range(0, 1000).mapToObj(i -> UUID.randomUUID()).toList();
        long started = System.nanoTime();

        writeDocuments(documents);
        long written = System.nanoTime();
        awaitAtVersion(documents, EVENTS_PER_DOCUMENT, Duration.ofMinutes(5));
        long projected = System.nanoTime();

        double seconds = (projected - started) / 1e9;
        System.out.printf("e2e throughput: %d events over %d documents written in %.1f s, all projected after %.1f s: %.0f events/s%n",
                documents.size() * EVENTS_PER_DOCUMENT, documents.size(), (written - started) / 1e9, seconds,
                documents.size() * EVENTS_PER_DOCUMENT / seconds);
        assertThat(statusesOf(documents)).containsOnly("archived");
    }

    @Test
    @Order(3)
    void givenEventsBeingWritten_whenTheRelayStopsMidStreamAndRestarts_thenNoEventIsLostAndEachAggregateStaysInOrder() throws Exception {
        // written until the relay has run again a while: however long its stop takes, writes go on throughout
        List<UUID> documents = new CopyOnWriteArrayList<>();
        AtomicBoolean writeMore = new AtomicBoolean(true);
        Future<?> writing = CLIENTS.submit(() -> {
            while (writeMore.get()) {
                List<UUID> slice = IntStream.range(0, 30).mapToObj(i -> UUID.randomUUID()).toList();
                writeDocuments(slice);
                documents.addAll(slice);
            }
            return null;
        });
        await().atMost(Duration.ofMinutes(2)).until(() -> written(writing, documents) >= 90);

        pipeline.stopRelay();
        int writtenWhileStopped = documents.size();
        await().atMost(Duration.ofMinutes(2)).until(() -> written(writing, documents) >= writtenWhileStopped + 60);
        pipeline.startRelay();
        int writtenAtRestart = documents.size();
        await().atMost(Duration.ofMinutes(2)).until(() -> written(writing, documents) >= writtenAtRestart + 60);
        writeMore.set(false);
        writing.get(5, TimeUnit.MINUTES);

        awaitAtVersion(documents, EVENTS_PER_DOCUMENT, Duration.ofMinutes(5));
        Map<UUID, List<Integer>> published = publishedVersions(new HashSet<>(documents));
        assertThat(published).hasSize(documents.size());
        List<Integer> everyVersion = IntStream.rangeClosed(1, EVENTS_PER_DOCUMENT).boxed().toList();
        published.forEach((id, versions) -> assertThat(firstSeen(versions)).as("versions of %s in topic order", id)
                .isEqualTo(everyVersion));
    }

    @Test
    @Order(4)
    void givenTheDocumentAndCustomerProjectorsStopped_whenTheOthersRunAhead_thenNoEventIsSkippedAndAllAgreeOnceCaughtUp() throws Exception {
        pipeline.stopProjector("document");
        pipeline.stopProjector("customer");
        List<UUID> customers = IntStream.range(0, 10).mapToObj(i -> UUID.randomUUID()).toList();
        List<UUID> documents = IntStream.range(0, 50).mapToObj(i -> UUID.randomUUID()).toList();
        List<UUID> conversations = IntStream.range(0, 20).mapToObj(i -> UUID.randomUUID()).toList();
        for (UUID customer : customers) {
            String code = "X-" + customer.toString().substring(0, 8);
            post("customer", customer, 0, List.of("{\"eventType\": \"CustomerRegistered\", \"payload\": {\"code\": \"" + code
                    + "\", \"name\": \"Customer " + code + "\"}}"), "cross-" + customer);
        }
        for (int i = 0; i < documents.size(); i++) {
            post("document", documents.get(i), 0, List.of(uploaded(i).replace("\"uploadedBy\": \"e2e\"",
                    "\"uploadedBy\": \"e2e\", \"customerId\": \"" + customers.get(i % customers.size()) + "\""),
                    "{\"eventType\": \"SemanticIrExtracted\", \"payload\": {\"formulas\": [{\"name\": \"f\", \"expression\": \"x\", "
                            + "\"variables\": {}}], \"definitions\": [], \"tables\": [], \"crossReferences\": []}}"), "cross-" + i);
        }
        for (int i = 0; i < conversations.size(); i++) {
            post("conversation", conversations.get(i), 0, List.of(
                    "{\"eventType\": \"ConversationStarted\", \"payload\": {\"customerId\": \"" + customers.get(i % customers.size())
                            + "\", \"userId\": \"u\"}}",
                    "{\"eventType\": \"MessagePosted\", \"payload\": {\"role\": \"user\", \"content\": \"hello\"}}"), "cross-c" + i);
        }

        await().atMost(Duration.ofMinutes(2)).until(() -> countAtVersion("readmodel.semantic_ir_documents", documents, 2) == documents.size()
                && countAtVersion("readmodel.conversation_threads", conversations, 2) == conversations.size());
        assertThat(countAtVersion("readmodel.document_views", documents, 1)).isZero();
        assertThat(countAtVersion("readmodel.customers", customers, 1)).isZero();

        pipeline.startProjector("document");
        pipeline.startProjector("customer");
        await().atMost(Duration.ofMinutes(2)).until(() -> countAtVersion("readmodel.document_views", documents, 2) == documents.size()
                && countAtVersion("readmodel.customers", customers, 1) == customers.size());
        assertThat(single("""
                SELECT count(*) FROM readmodel.conversation_threads t
                 WHERE t.id = ANY (?) AND NOT EXISTS (SELECT 1 FROM readmodel.customers c WHERE c.id = t.customer_id)""", conversations))
                .isZero();
        assertThat(single("""
                SELECT count(*) FROM readmodel.document_views d JOIN readmodel.semantic_ir_documents s USING (id)
                 WHERE d.id = ANY (?) AND d.version = s.version AND EXISTS (SELECT 1 FROM readmodel.customers c WHERE c.id = d.customer_id)""",
                documents)).isEqualTo(documents.size());
        assertThat(single("SELECT count(*) FROM readmodel.parked_events WHERE aggregate_id = ANY (?)", documents)).isZero();
    }

    @Test
    @Order(5)
    void givenAnUpToDateReadModel_whenTheProjectorIsRewoundToOffsetZero_thenEveryRowIsUnchanged() throws Exception {
        List<String> before = readModelRows();
        assertThat(before).hasSizeGreaterThan(1000);

        long appliedBefore = pipeline.projector("document").metrics().applied();
        long alreadyAppliedBefore = pipeline.projector("document").metrics().alreadyApplied();

        pipeline.stopProjector("document");
        rewindToEarliest("pipeline-projector-document", DOCUMENTS.name());
        pipeline.startProjector("document");
        awaitCaughtUp("pipeline-projector-document", DOCUMENTS.name());

        assertThat(readModelRows()).isEqualTo(before);
        // the counters are the process's, across the projector's restart
        assertThat(pipeline.projector("document").metrics().applied()).isEqualTo(appliedBefore);
        assertThat(pipeline.projector("document").metrics().alreadyApplied() - alreadyAppliedBefore).isGreaterThanOrEqualTo(13_000);
    }

    @Test
    @Order(6)
    void givenEventsBeingWritten_whenTheProjectorsDatabaseSessionsAreKilled_thenEveryDocumentStillReachesItsLastVersion() throws Exception {
        List<UUID> documents = IntStream.range(0, 200).mapToObj(i -> UUID.randomUUID()).toList();
        Future<?> writing = CLIENTS.submit(() -> {
            writeDocuments(documents);
            return null;
        });
        int killed = 0;
        while (!writing.isDone()) {
            killed += single("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ANY (?::text[])",
                    List.of("projector-document", "projector-semantic-ir"));
            Thread.sleep(300);
        }
        writing.get();

        awaitAtVersion(documents, EVENTS_PER_DOCUMENT, Duration.ofMinutes(3));
        await().atMost(Duration.ofMinutes(2)).until(() -> countAtVersion("readmodel.semantic_ir_documents", documents, EVENTS_PER_DOCUMENT)
                == documents.size());
        assertThat(killed).as("sessions killed").isPositive();
        assertThat(single("SELECT count(*) FROM readmodel.parked_events WHERE aggregate_id = ANY (?)", documents)).isZero();
    }

    @Test
    @Order(7)
    void givenAnEventTheReadModelRefuses_whenProjected_thenItIsParkedAndTheOtherAggregatesGoOn() throws Exception {
        UUID poisoned = UUID.randomUUID();
        UUID healthy = UUID.randomUUID();
        // a name too long for its btree index: the semantic-IR table refuses it, the document model does not care
        String name = new java.util.Random(7).ints(8000, 'a', 'z' + 1).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
        String extracted = "{\"eventType\": \"SemanticIrExtracted\", \"payload\": {\"formulas\": [{\"name\": \"" + name
                + "\", \"expression\": \"x\", \"variables\": {}}], \"definitions\": [], \"tables\": [], \"crossReferences\": []}}";

        post(poisoned, 0, List.of(uploaded(1), extracted, "{\"eventType\": \"DocumentArchived\", \"payload\": {}}"), "poison");
        post(healthy, 0, List.of(uploaded(2)), "healthy");

        await().atMost(Duration.ofMinutes(2)).until(() -> countAtVersion("readmodel.semantic_ir_documents", List.of(healthy), 1) == 1
                && single("SELECT count(*) FROM readmodel.parked_events WHERE projection = 'semantic-ir' AND aggregate_id = ANY (?)",
                        List.of(poisoned)) == 2);
        assertThat(countAtVersion("readmodel.semantic_ir_documents", List.of(poisoned), 1)).isEqualTo(1);
        // the document read model is another application, on its own consumer group: it gets there in its own time
        await().atMost(Duration.ofMinutes(1)).until(() -> countAtVersion("readmodel.document_views", List.of(poisoned), 3) == 1);
        assertThat(single("SELECT count(*) FROM readmodel.parked_events WHERE projection = 'document' AND aggregate_id = ANY (?)",
                List.of(poisoned))).isZero();
        assertThat(single("""
                SELECT count(*) FROM readmodel.parked_events
                 WHERE projection = 'semantic-ir' AND aggregate_id = ANY (?) AND event_type = 'SemanticIrExtracted' AND error LIKE '54000%'""",
                List.of(poisoned))).isEqualTo(1);
    }

    @Test
    @Order(8)
    void givenOnlyOtherTablesWriteWal_whenTheRelayIsIdle_thenItsHeartbeatMovesTheSlotOnSoTheWalIsNotHeldBack() throws Exception {
        execute("CREATE TABLE IF NOT EXISTS public.wal_filler (id serial PRIMARY KEY, filler text)");
        execute("INSERT INTO public.wal_filler (filler) SELECT repeat('x', 1000) FROM generate_series(1, 5000)");
        String written = text("SELECT pg_current_wal_lsn()::text");

        await().atMost(Duration.ofSeconds(90)).until(() -> text(
                "SELECT (confirmed_flush_lsn >= '" + written + "'::pg_lsn)::text FROM pg_replication_slots WHERE slot_name = 'pipeline_relay'")
                .equals("true"));
        assertThat(Integer.parseInt(text("SELECT count(*) FROM eventstore.relay_heartbeats WHERE slot = 'pipeline_relay'"))).isPositive();
    }

    @Test
    @Order(9)
    void givenTheRelaysSlotLostWhileItWasStopped_whenItStartsAgain_thenItReadsTheEventStoreAnewAndNothingWrittenMeanwhileIsMissing()
            throws Exception {
        pipeline.stopRelay();
        List<UUID> documents = IntStream.range(0, 50).mapToObj(i -> UUID.randomUUID()).toList();
        writeDocuments(documents);
        // as an operator's mistake or max_slot_wal_keep_size would: the relay's offsets remain, its slot does not
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> text("SELECT pg_drop_replication_slot('pipeline_relay')::text") != null);

        pipeline.startRelay();

        awaitAtVersion(documents, EVENTS_PER_DOCUMENT, Duration.ofMinutes(5));
        assertThat(statusesOf(documents)).containsOnly("archived");
    }

    @Test
    @Order(10)
    void givenAnEventOfARetiredTypeInTheStore_whenProjectedReadAndVerified_thenItReadsAsTheCurrentTypeAndTheTopicKeepsItAsWritten()
            throws Exception {
        UUID id = UUID.randomUUID();
        // as an import of the old producers' history would write it: their DocumentAdded, which the writer no longer takes
        execute("INSERT INTO eventstore.events (id, aggregate_id, aggregate_type, event_type, event_version, payload, metadata) VALUES ("
                + "gen_random_uuid(), '" + id + "', 'document', 'DocumentAdded', 1, "
                + "'{\"file\": {\"name\": \"pump.pdf\", \"mimeType\": \"application/pdf\", \"sizeKb\": 2}, \"addedBy\": \"alice\"}', '{}')");
        post(id, 1, List.of("{\"eventType\": \"DocumentArchived\", \"payload\": {\"reason\": \"imported\"}}"), "upcast");

        await().atMost(Duration.ofMinutes(1)).until(() -> versionOf(id) == 2);

        assertThat(text("SELECT title || '|' || filename || '|' || content_type || '|' || size_bytes || '|' || uploaded_by || '|' || status"
                + " FROM readmodel.document_views WHERE id = '" + id + "'")).isEqualTo("pump.pdf|pump.pdf|application/pdf|2048|alice|archived");
        var read = EventJson.tree(HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/document/" + id + "/events"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(read.get("events").get(0).get("eventType").asText()).isEqualTo("DocumentUploaded");
        assertThat(read.get("events").get(0).get("metadata").get("upcast_from").asText()).isEqualTo("DocumentAdded");
        assertThat(read.get("events").get(0).get("payload").get("sizeBytes").asLong()).isEqualTo(2048);
        assertThat(published(Set.of(id)).get(id)).extracting(EventEnvelope::eventType).containsExactly("DocumentAdded", "DocumentArchived");
        SharedPipeline.Run verify = SharedPipeline.command("verify", "document", "--aggregate", id.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("document: 1 aggregates checked, 0 difference(s)");
    }

    @Test
    @Order(11)
    void givenAProjectorWhoseCommitIntervalIsAMinute_whenOneEventComesAfterItCaughtUp_thenItCommitsTheEventWithinSecondsNotAtTheInterval()
            throws Exception {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, pipeline.jdbcUrl(), KafkaSettings.BOOTSTRAP_SERVERS, pipeline.bootstrapServers(),
                ProjectorConfig.APPLICATION_ID_PREFIX, "e2e-idle-commit-" + UUID.randomUUID() + "-", ProjectorConfig.COMMIT_INTERVAL, "60s"),
                Map.of());
        Monitoring monitoring = new Monitoring("e2e-idle-commit");
        ProjectorApp projector = ProjectorApp.start(ProjectorConfig.from("document", settings, Map.of()), monitoring);
        try {
            // a group of its own, reading the topic from its start, this event last: caught up once its count stops moving
            post(UUID.randomUUID(), 0, List.of(uploaded(10)), "idle-commit");
            AtomicLong seen = new AtomicLong(-1);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> projector.metrics().handled() > 0 && projector.metrics().handled() == seen.getAndSet(projector.metrics().handled()));
            long before = projector.metrics().handled();

            post(UUID.randomUUID(), 0, List.of(uploaded(11)), "idle-commit");
            long posted = System.nanoTime();
            await().atMost(Duration.ofSeconds(50)).until(() -> projector.metrics().handled() > before);

            // nothing more came, so the batch of one was committed at once, not a commit interval after it began
            assertThat(Duration.ofNanos(System.nanoTime() - posted)).isLessThan(Duration.ofSeconds(10));
            assertThat(projector.failure()).isNotDone();
        } finally {
            projector.close();
            monitoring.close();
        }
    }

    // --- writing ---

    /** How many documents the writing has done so far; its failure, if it failed, rather than a wait that runs out. */
    private static int written(Future<?> writing, List<UUID> done) throws Exception {
        if (writing.isDone()) {
            writing.get();
        }
        return done.size();
    }

    private static void writeDocuments(List<UUID> documents) throws Exception {
        List<Future<?>> writes = new ArrayList<>();
        for (List<UUID> slice : slices(documents, Math.max(1, documents.size() / 8))) {
            writes.add(CLIENTS.submit(() -> {
                for (UUID id : slice) {
                    writeDocument(id);
                }
                return null;
            }));
        }
        for (Future<?> write : writes) {
            write.get(10, TimeUnit.MINUTES);
        }
    }

    /** Ten events in requests of one to three: uploaded, converted eight times, archived. */
    private static void writeDocument(UUID id) throws Exception {
        List<String> events = new ArrayList<>();
        events.add(uploaded(id.hashCode()));
        for (int i = 1; i <= 8; i++) {
            events.add("""
                    {"eventType": "DocumentConverted", "payload": {"markdownContent": "# Revision %d",
                     "sections": [{"heading": "Revision %d", "level": 1, "content": "text"}]}}""".formatted(i, i));
        }
        events.add("{\"eventType\": \"DocumentArchived\", \"payload\": {\"reason\": \"superseded\"}}");
        int version = 0;
        while (version < events.size()) {
            int count = Math.min(1 + Math.floorMod(id.hashCode() + version, 3), events.size() - version);
            post(id, version, events.subList(version, version + count), "e2e-" + id);
            version += count;
        }
    }

    private static String uploaded(int seed) {
        return """
                {"eventType": "DocumentUploaded", "payload": {"title": "Document %d", "filename": "d%d.pdf",
                 "contentType": "application/pdf", "sizeBytes": %d, "uploadedBy": "e2e"}}""".formatted(seed, seed, Math.abs(seed));
    }

    private static void post(UUID id, int expectedVersion, List<String> events, String correlationId) throws Exception {
        post("document", id, expectedVersion, events, correlationId);
    }

    private static void post(String aggregateType, UUID id, int expectedVersion, List<String> events, String correlationId) throws Exception {
        String body = "{\"expectedVersion\": " + expectedVersion + ", \"events\": [" + String.join(",", events) + "]}";
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/" + aggregateType + "/" + id + "/events"))
                    .header("Content-Type", "application/json")
                    .header("X-Correlation-ID", correlationId)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            // an answer that never comes fails the test, naming the request, rather than stalling the writing
            throw new AssertionError("the writer did not answer the append to " + aggregateType + " " + id + " at expectedVersion "
                    + expectedVersion + " within 30 s", e);
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static <T> List<List<T>> slices(List<T> items, int size) {
        List<List<T>> slices = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            slices.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return slices;
    }

    // --- reading the read model ---

    private static void awaitAtVersion(List<UUID> documents, int version, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> countAtVersion(documents, version) == documents.size());
    }

    private static int countAtVersion(Collection<UUID> documents, int version) throws SQLException {
        return countAtVersion("readmodel.document_views", documents, version);
    }

    private static int countAtVersion(String table, Collection<UUID> ids, int version) throws SQLException {
        return single("SELECT count(*) FROM " + table + " WHERE id = ANY (?) AND version = " + version, ids);
    }

    private static int single(String sql, Collection<?> ids) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            Object first = ids.isEmpty() ? null : ids.iterator().next();
            statement.setArray(1, connection.createArrayOf(first instanceof String ? "text" : "uuid", ids.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection(); var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the query's first row, as text. */
    private static String text(String sql) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection(); var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static int versionOf(UUID id) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT version FROM readmodel.document_views WHERE id = ?")) {
            statement.setObject(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    private static Set<String> statusesOf(List<UUID> documents) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT DISTINCT status FROM readmodel.document_views WHERE id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", documents.toArray()));
            Set<String> statuses = new HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    statuses.add(rows.getString(1));
                }
            }
            return statuses;
        }
    }

    private static List<String> readModelRows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = pipeline.dataSource().getConnection()) {
            for (String sql : List.of("SELECT row_to_json(v)::text FROM readmodel.document_views v ORDER BY id",
                    "SELECT row_to_json(c)::text FROM readmodel.document_contents c ORDER BY document_id")) {
                try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(result.getString(1));
                    }
                }
            }
        }
        return rows;
    }

    // --- reading Kafka ---

    /** Each aggregate's versions in the order its partition holds them, redeliveries included. */
    private static Map<UUID, List<Integer>> publishedVersions(Set<UUID> aggregates) {
        Map<UUID, List<Integer>> versions = new HashMap<>();
        published(aggregates).forEach((id, events) -> versions.put(id, events.stream().map(EventEnvelope::eventVersion).toList()));
        return versions;
    }

    /** Each aggregate's events as {@code events.document} holds them, in its partition's order. */
    private static Map<UUID, List<EventEnvelope>> published(Set<UUID> aggregates) {
        Map<UUID, List<EventEnvelope>> published = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", pipeline.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(DOCUMENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    EventEnvelope event = EventJson.envelope(record.value());
                    assertThat(record.key()).isEqualTo(event.aggregateId().toString());
                    if (aggregates.contains(event.aggregateId())) {
                        published.computeIfAbsent(event.aggregateId(), id -> new ArrayList<>()).add(event);
                    }
                }
            }
        }
        return published;
    }

    private static List<Integer> firstSeen(List<Integer> versions) {
        return versions.stream().distinct().collect(Collectors.toList());
    }

    private static void rewindToEarliest(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", pipeline.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                earliest.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
            }
            // the group must be empty: the stopped projector left it
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                    .until(() -> admin.alterConsumerGroupOffsets(group, earliest).all().get() == null);
        }
    }

    private static void awaitCaughtUp(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", pipeline.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> end = admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                return end.entrySet().stream().allMatch(entry -> committed.get(entry.getKey()) != null
                        && committed.get(entry.getKey()).offset() >= entry.getValue());
            });
        }
    }
}
