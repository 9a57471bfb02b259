package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import net.logstash.logback.encoder.LogstashEncoder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What an operator sees and does: metrics, JSON logs, status, verify and replay, against a running pipeline. */
class OperationsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        pipeline = SharedPipeline.get();
        // a replaced stream thread ends with its exception, by design; that is no failure of a test
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @Test
    void givenEventsWritten_whenMetricsAreScraped_thenAppendedAppliedLatencyAndLagAreThereAndMove() throws Exception {
        String before = metrics();
        double applied = value(before, "pipeline_projector_events_total", "outcome=\"applied\",read_model=\"customer\"");
        double appended = value(before, "pipeline_writer_events_appended_total", "aggregate_type=\"customer\"");
        double latencies = value(before, "pipeline_projector_end_to_end_latency_seconds_count", "read_model=\"customer\"");

        for (int i = 0; i < 5; i++) {
            registerCustomer(UUID.randomUUID(), "metrics");
        }

        // the latency of an event is measured when its transaction commits, a moment after it is applied
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String now = metrics();
            return value(now, "pipeline_projector_events_total", "outcome=\"applied\",read_model=\"customer\"") >= applied + 5
                    && value(now, "pipeline_projector_end_to_end_latency_seconds_count", "read_model=\"customer\"") >= latencies + 5;
        });
        String after = metrics();
        assertThat(value(after, "pipeline_writer_events_appended_total", "aggregate_type=\"customer\"")).isEqualTo(appended + 5);
        assertThat(after).contains("pipeline_projector_end_to_end_latency_seconds_bucket{", "pipeline_projector_lag_events{",
                "pipeline_relay_events_total{", "pipeline_relay_slot_lag_bytes{", "pipeline_relay_last_sequence{",
                "pipeline_relay_batch_seconds_bucket{", "hikaricp_connections_active{", "jvm_memory_used_bytes{");
    }

    @Test
    void givenEventsWritten_whenMetricsAreScraped_thenEveryMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        UUID customer = UUID.randomUUID();
        registerCustomer(customer, "dashboard");
        awaitCustomer(customer);

        Set<String> exported = metrics().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

        assertThat(exported).containsAll(DeploymentFiles.metricNames());
    }

    @Test
    void givenACustomerRegistered_whenTheShellConsumerExampleReadsItsTopic_thenItPrintsTheEvent() throws Exception {
        assumeTrue(DeploymentFiles.installed("kcat") && DeploymentFiles.installed("jq"), "kcat or jq is not installed (Debian packages kcat, jq):"
                + " docs/examples/consume-events.sh not run");
        UUID customer = UUID.randomUUID();
        registerCustomer(customer, "example");
        awaitCustomer(customer);

        ProcessBuilder example = new ProcessBuilder("bash", DeploymentFiles.root().resolve("docs/examples/consume-events.sh").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        example.environment().putAll(Map.of("BOOTSTRAP", pipeline.bootstrapServers(), "GROUP", "example-" + customer,
                "TOPIC", EventTopics.forAggregateType("customer").name(), "EXIT_AT_END", "1"));
        Process process = example.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(printed).contains(customer + "\t1\tCustomerRegistered\n");
    }

    @Test
    void givenACorrelationIdSentToTheWriter_whenItsEventIsProjected_thenTheProjectorsJsonLogLineCarriesIt() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.projections.projectorstreams.write.BatchTransaction");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        encoder.start();
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(encoder.getContext());
        appender.setEncoder(encoder);
        appender.setOutputStream(lines);
        appender.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(appender);
        UUID customer = UUID.randomUUID();
        try {
            registerCustomer(customer, "trace-e2e-42");

            JsonNode line = await().atMost(Duration.ofSeconds(60)).until(() -> jsonLines(lines).stream()
                    .filter(json -> json.path("message").asText().contains(customer.toString())).findFirst().orElse(null), json -> json != null);
            assertThat(line.get("correlation_id").asText()).isEqualTo("trace-e2e-42");
            assertThat(line.get("level").asText()).isEqualTo("DEBUG");
            assertThat(line.get("message").asText()).contains("CustomerRegistered", "APPLIED");
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    @Test
    void givenRunningComponents_whenStatusIsAskedForJson_thenTheRelayIsActiveAndEachProjectorShowsItsGroupAndLag() throws Exception {
        JsonNode status = await().atMost(Duration.ofSeconds(60)).until(() -> EventJson.tree(SharedPipeline.command("status", "--json").out()),
                json -> json.get("projectors").findValues("lagEvents").stream().allMatch(lag -> lag.asLong() == 0));

        assertThat(status.get("relay").get("active").asBoolean()).isTrue();
        assertThat(status.get("relay").get("lastRelayedSequence").asLong()).isEqualTo(status.get("relay").get("eventStoreLastSequence").asLong());
        assertThat(status.get("projectors").findValuesAsText("readModel")).containsExactly("conversation", "customer", "document", "semantic-ir");
        assertThat(status.get("projectors").get(0).get("members")).hasSize(1);
        assertThat(status.get("projectors").findValuesAsText("version")).containsOnly("1");
        assertThat(status.get("projectors").get(0).get("partitions")).hasSize(6);
        SharedPipeline.Run text = SharedPipeline.command("status");
        assertThat(text.out()).contains("RELAY slot pipeline_relay: active", "pipeline-projector-semantic-ir");
        // every component runs: what is left to report is parked events other tests may have left
        status.get("problems").forEach(problem -> assertThat(problem.asText()).endsWith("parked event(s)"));
        assertThat(text.exit()).isEqualTo(status.get("problems").isEmpty() ? 0 : 1);
    }

    @Test
    void givenACaughtUpReadModel_whenVerified_thenItPassesAndAfterAHandEditItFailsNamingTheRow() throws Exception {
        UUID customer = UUID.randomUUID();
        registerCustomer(customer, "verify");
        awaitCustomer(customer);
        assertThat(SharedPipeline.command("verify", "customer").exit()).isZero();

        sql("UPDATE readmodel.customers SET name = 'changed by hand' WHERE id = '" + customer + "'");
        try {
            SharedPipeline.Run run = SharedPipeline.command("verify", "customer");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("customer readmodel.customers " + customer + ": differs: name is \"changed by hand\", its events make it \"Customer ",
                    "customer: ", "1 difference(s)");
        } finally {
            sql("UPDATE readmodel.customers SET name = 'Customer " + customer + "' WHERE id = '" + customer + "'");
        }
    }

    @Test
    void givenAUserWithOnlyTheReaderRole_whenVerifying_thenItChecksInTemporaryTablesWithoutWritingTheReadModel() throws Exception {
        UUID customer = UUID.randomUUID();
        registerCustomer(customer, "verify as reader");
        awaitCustomer(customer);
        sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'verifying_reader') THEN"
                + " CREATE ROLE verifying_reader LOGIN IN ROLE pipeline_reader; END IF; END $$");

        SharedPipeline.Run run = SharedPipeline.command("verify", "customer", "--db-user", "verifying_reader");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("verify: every read model matches the event store");
    }

    @Test
    void givenAReadModelConstraintStricterThanTheStore_whenItParksACustomer_thenParkedListsItAndRetryAfterTheFixBringsItCurrent()
            throws Exception {
        UUID customer = UUID.randomUUID();
        // a constraint the writer does not enforce: the read model refuses what the event store accepted
        sql("ALTER TABLE readmodel.customers ADD CONSTRAINT names_not_blocked CHECK (name <> 'Customer " + customer + "')");
        try {
            registerCustomer(customer, "parked");
            SharedPipeline.Run list = await().atMost(Duration.ofSeconds(60))
                    .until(() -> SharedPipeline.command("parked", "list", "customer", "--aggregate", customer.toString()), run -> run.exit() == 1);

            assertThat(list.out()).contains("customer " + customer + ": 1 event(s) parked since ", "first CustomerRegistered v1 (sequence ",
                    "23514", "names_not_blocked", "parked: 1 aggregate(s), 1 event(s)");
            SharedPipeline.Run statusRun = SharedPipeline.command("status", "--json");
            assertThat(statusRun.exit()).isEqualTo(1);
            assertThat(StreamSupport.stream(EventJson.tree(statusRun.out()).get("problems").spliterator(), false).map(JsonNode::asText))
                    .anyMatch(problem -> problem.matches("customer: \\d+ parked event\\(s\\)"));
            JsonNode projectors = EventJson.tree(statusRun.out()).get("projectors");
            assertThat(StreamSupport.stream(projectors.spliterator(), false).filter(node -> node.get("readModel").asText().equals("customer"))
                    .findFirst().orElseThrow().get("parkedAggregates").asLong()).isPositive();
            await().atMost(Duration.ofSeconds(40)).until(() -> value(metrics(), "pipeline_projector_parked_events", "read_model=\"customer\"") >= 1);
        } finally {
            sql("ALTER TABLE readmodel.customers DROP CONSTRAINT IF EXISTS names_not_blocked");
        }

        SharedPipeline.Run retry = SharedPipeline.command("parked", "retry", "customer", "--aggregate", customer.toString());

        assertThat(retry.exit()).as(retry.out()).isZero();
        assertThat(retry.out()).contains("customer " + customer + ": 1 event(s) applied, current at v1", "retry: 1 of 1 aggregate(s) current");
        assertThat(rows("SELECT name FROM readmodel.customers WHERE id = '" + customer + "'")).containsExactly("Customer " + customer);
        assertThat(SharedPipeline.command("parked", "list", "customer", "--aggregate", customer.toString()).exit()).isZero();
        // the running projector finds the customer released at its next event
        String rename = "{\"expectedVersion\": 1, \"events\": [{\"eventType\": \"CustomerRenamed\", \"payload\": {\"name\": \"Renamed\"}}]}";
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/customer/" + customer + "/events"))
                .POST(HttpRequest.BodyPublishers.ofString(rename)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows("SELECT name FROM readmodel.customers WHERE id = '" + customer + "'"),
                names -> names.equals(List.of("Renamed")));
    }

    @Test
    void givenARunningProjector_whenAReplayIsAsked_thenItRefusesNamingTheActiveMember() throws Exception {
        SharedPipeline.Run run = SharedPipeline.command("replay", "conversation", "--to-earliest");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("projector group pipeline-projector-conversation has 1 active member(s)", "stop its projectors first");
    }

    @Test
    void givenAStoppedProjector_whenItsReadModelIsRebuilt_thenEveryRowIsAsBefore() throws Exception {
        for (int i = 0; i < 3; i++) {
            registerCustomer(UUID.randomUUID(), "rebuild");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> SharedPipeline.command("verify", "customer").exit() == 0);
        List<String> before = rows("SELECT row_to_json(c)::text FROM readmodel.customers c ORDER BY id");

        pipeline.stopProjector("customer");
        try {
            SharedPipeline.Run run = SharedPipeline.command("replay", "customer", "--rebuild", "--wait", "30s");

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("emptied read model customer", "replayed customer");
            assertThat(run.err()).contains("events 100%");
            assertThat(rows("SELECT row_to_json(c)::text FROM readmodel.customers c ORDER BY id")).isEqualTo(before);
        } finally {
            pipeline.startProjector("customer");
        }
    }

    @Test
    void givenALiveReadModelServingReaders_whenItIsRebuiltInAShadowAndSwappedIn_thenReadersNeverSeeItEmptyOrPartial() throws Exception {
        for (int i = 0; i < 20; i++) {
            registerCustomer(UUID.randomUUID(), "shadow");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> SharedPipeline.command("verify", "customer").exit() == 0);
        int before = rows("SELECT id FROM readmodel.customers").size();
        AtomicBoolean reading = new AtomicBoolean(true);
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        List<String> overTime = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (reading.get()) {
                try {
                    int count = Integer.parseInt(rows("SELECT count(*) FROM readmodel.customers").get(0));
                    if (seen.isEmpty() || seen.get(seen.size() - 1) != count) {
                        overTime.add(String.format("%.2fs:%d", (System.nanoTime() - start) / 1e9, count));
                    }
                    seen.add(count);
                    Thread.sleep(5);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        // writes go on all along: the live projector applies them until it is stopped, the shadow all of them
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (reading.get()) {
                try {
                    registerCustomer(UUID.randomUUID(), "shadow-writes");
                    written.incrementAndGet();
                    Thread.sleep(20);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        CompletableFuture<SharedPipeline.Run> replay = CompletableFuture.supplyAsync(() -> {
            try {
                return SharedPipeline.command("replay", "customer", "--shadow", "--swap", "--wait", "2m");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        SharedPipeline.Run run;
        try {
            // the live projector keeps projecting while the shadow is built; then the operator stops it to swap
            UUID during = UUID.randomUUID();
            registerCustomer(during, "shadow");
            awaitCustomer(during);
            pipeline.stopProjector("customer");
            run = replay.get(3, TimeUnit.MINUTES);
        } finally {
            reading.set(false);
            pipeline.startProjector("customer");
        }
        reader.get(1, TimeUnit.MINUTES);
        writer.get(1, TimeUnit.MINUTES);
        System.out.print(run.out());
        System.out.printf("readers during the shadow build and swap: %d reads of readmodel.customers, fewest rows seen %d, %d before, "
                + "%d customers registered meanwhile; row count over time: %s%n", seen.size(),
                seen.stream().mapToInt(Integer::intValue).min().orElse(-1), before, written.get(), String.join(" ", overTime));
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("read " + i + " of the row count").isGreaterThanOrEqualTo(seen.get(i - 1));
        }

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("building customer version 1 beside the live one (version 1), into [readmodel_shadow.customers]",
                "compared with the live read model:", "readmodel.customers: ", "swapped: customer holds the rebuilt rows, at version 1");
        assertThat(seen).hasSizeGreaterThan(10).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(before));
        assertThat(rows("SELECT coalesce(to_regclass('readmodel_shadow.customers')::text, 'dropped')")).containsExactly("dropped");
        assertThat(rows("SELECT count(*) FROM readmodel.projection_positions WHERE projection = 'customer-shadow'")).containsExactly("0");
        // the live group continues from where the shadow was
        UUID after = UUID.randomUUID();
        registerCustomer(after, "shadow");
        awaitCustomer(after);
        await().atMost(Duration.ofSeconds(60)).until(() -> SharedPipeline.command("verify", "customer").exit() == 0);
    }

    @Test
    void givenARowTheLiveReadModelGotWrong_whenAShadowIsBuiltWithoutSwap_thenTheDiffNamesItAndTheLiveReadModelIsLeftAlone() throws Exception {
        UUID customer = UUID.randomUUID();
        registerCustomer(customer, "shadow-diff");
        awaitCustomer(customer);
        sql("UPDATE readmodel.customers SET name = 'changed by hand' WHERE id = '" + customer + "'");
        try {
            SharedPipeline.Run run = SharedPipeline.command("replay", "customer", "--shadow");

            System.out.print(run.out());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).containsPattern("readmodel.customers: [\\d,]+ rows live, [\\d,]+ in the shadow; 1 only live, 1 only in the shadow; "
                    + "e.g. aggregates " + customer).contains("the shadow differs from the live read model in 2 rows", "shadow dropped",
                    "    live   {\"id\": \"" + customer + "\"", "\"name\": \"changed by hand\"",
                    "    shadow {\"id\": \"" + customer + "\"", "\"name\": \"Customer " + customer + "\"");
            assertThat(rows("SELECT name FROM readmodel.customers WHERE id = '" + customer + "'")).containsExactly("changed by hand");
            assertThat(rows("SELECT coalesce(to_regclass('readmodel_shadow.customers')::text, 'dropped')")).containsExactly("dropped");
        } finally {
            sql("UPDATE readmodel.customers SET name = 'Customer " + customer + "' WHERE id = '" + customer + "'");
        }
    }

    @Test
    void givenAReadModelAtANewerVersionThanThisBuild_whenItsProjectorOrAShadowBuildStarts_thenEachRefusesNamingBothVersions()
            throws Exception {
        sql("UPDATE readmodel.read_models SET version = 2 WHERE name = 'conversation'");
        try {
            SharedPipeline.Run projector = SharedPipeline.command("projector", "conversation", "--metrics-port", "0");
            SharedPipeline.Run shadow = SharedPipeline.command("replay", "conversation", "--shadow");

            assertThat(projector.exit()).isEqualTo(1);
            assertThat(projector.out() + projector.err()).contains("read model conversation is at version 2 in this database, and this build "
                    + "projects version 1: run a build that projects version 2");
            assertThat(shadow.exit()).isEqualTo(1);
            assertThat(shadow.err()).contains("read model conversation is at version 2, and this build projects version 1");
        } finally {
            sql("UPDATE readmodel.read_models SET version = 1 WHERE name = 'conversation'");
        }
    }

    @Test
    void givenASequence_whenAReplayIsPlannedFromIt_thenItStartsAtTheFirstEventWithThatSequenceOrLater() throws Exception {
        for (int i = 0; i < 4; i++) {
            registerCustomer(UUID.randomUUID(), "sequence");
        }
        long from = Long.parseLong(rows("SELECT max(sequence) - 1 FROM eventstore.events WHERE aggregate_type = 'customer'").get(0));
        long expected = Long.parseLong(rows("SELECT count(*) FROM eventstore.events WHERE aggregate_type = 'customer' AND sequence >= " + from).get(0));
        await().atMost(Duration.ofSeconds(60)).until(() -> SharedPipeline.command("verify", "customer").exit() == 0);

        pipeline.stopProjector("customer");
        try {
            SharedPipeline.Run run = SharedPipeline.command("replay", "customer", "--to-sequence", Long.toString(from), "--no-run", "--wait", "30s");

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains(expected + " events to apply: start the projector");
        } finally {
            pipeline.startProjector("customer");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> SharedPipeline.command("verify", "customer").exit() == 0);
    }

    private static void registerCustomer(UUID id, String correlationId) throws Exception {
        String body = "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"CustomerRegistered\", \"payload\": {\"code\": \"" + id.toString().substring(0, 13)
                + "\", \"name\": \"Customer " + id + "\"}}]}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + "/aggregates/customer/" + id + "/events"))
                .header("X-Correlation-ID", correlationId).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static void awaitCustomer(UUID id) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !rows("SELECT id FROM readmodel.customers WHERE id = '" + id + "'").isEmpty());
    }

    private static String metrics() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.monitoringUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the sample whose name and labels match; 0 when there is none. */
    private static double value(String metrics, String name, String labels) {
        Matcher sample = Pattern.compile("^" + name + "\\{[^}]*" + labels + "[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private static List<JsonNode> jsonLines(ByteArrayOutputStream lines) {
        List<JsonNode> json = new ArrayList<>();
        for (String line : lines.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                json.add(EventJson.tree(line));
            }
        }
        return json;
    }

    private static List<String> rows(String sql) throws Exception {
        try (Connection connection = pipeline.dataSource().getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (result.next()) {
                rows.add(result.getString(1));
            }
            return rows;
        }
    }

    private static void sql(String sql) throws Exception {
        try (Connection connection = pipeline.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
