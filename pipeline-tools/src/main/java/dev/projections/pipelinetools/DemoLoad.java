package dev.projections.pipelinetools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Sample customers, documents (converted, with semantic IR, some archived or deleted) and conversations,
 * written through the HTTP writer as a producer outside the JVM would, with progress until every read
 * model has caught up with every one of them.
 */
final class DemoLoad {

    private static final String[] SUBJECTS = {"Quarterly report", "Pump maintenance manual", "Supplier contract",
        "Safety data sheet", "Thermal analysis", "Board minutes", "Calibration procedure", "Grant proposal"};
    private static final String[] COMPANIES = {"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne"};
    private static final String[] PEOPLE = {"alice", "bob", "chen", "dana", "emeka", "farah"};
    private static final String[] QUESTIONS = {"Which pump fits line 3?", "Summarise the contract terms.",
        "What does the thermal analysis conclude?", "Where is the calibration interval defined?"};

    private final String httpUrl;
    private final DataSource dataSource;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random = new Random(42);
    /** The aggregates written, by the read-model table whose main rows must reach their last version. */
    private final Map<String, List<UUID>> expected = new LinkedHashMap<>();
    private int events;
    private int deletedDocuments;

    DemoLoad(String httpUrl, DataSource dataSource, PrintStream out) {
        this.httpUrl = httpUrl;
        this.dataSource = dataSource;
        this.out = out;
        for (String table : List.of("customers", "document_views", "semantic_ir_documents", "conversation_threads")) {
            expected.put(table, new ArrayList<>());
        }
    }

    void run(int documents) {
        try {
            Instant started = Instant.now();
            List<UUID> customers = new ArrayList<>();
            for (String company : COMPANIES) {
                customers.add(writeCustomer(company));
            }
            Instant lastReport = Instant.now();
            for (int i = 0; i < documents; i++) {
                writeDocument(i, customers.get(random.nextInt(customers.size())));
                if (i % 4 == 0) {
                    writeConversation(customers.get(random.nextInt(customers.size())));
                }
                if (Duration.between(lastReport, Instant.now()).toSeconds() >= 1) {
                    out.printf("demo: wrote %d/%d documents, %d events in all; %s%n", i + 1, documents, events, progress());
                    lastReport = Instant.now();
                }
            }
            out.printf("demo: wrote %d events in %d ms; %d of the %d documents were deleted again, which leaves them no rows;"
                    + " waiting for the read models%n", events, Duration.between(started, Instant.now()).toMillis(), deletedDocuments, documents);
            while (!caughtUp()) {
                Thread.sleep(500);
                out.println("demo: " + progress());
            }
            out.printf("demo: done after %d ms, every read model at its aggregates' last versions: %s%n",
                    Duration.between(started, Instant.now()).toMillis(), progress());
        } catch (Exception e) {
            out.println("demo: stopped: " + e.getMessage());
        }
    }

    private UUID writeCustomer(String company) throws Exception {
        UUID id = UUID.randomUUID();
        String code = company.toUpperCase().substring(0, 3) + "-" + id.toString().substring(0, 8);
        List<ObjectNode> history = new ArrayList<>(List.of(event("CustomerRegistered", object().put("code", code).put("name", company + " " + code))));
        if (random.nextInt(3) == 0) {
            history.add(event("CustomerRenamed", object().put("name", company + " Holdings " + code)));
        }
        append("customer", id, history);
        expected.get("customers").add(id);
        return id;
    }

    private void writeDocument(int index, UUID customer) throws Exception {
        UUID id = UUID.randomUUID();
        String subject = SUBJECTS[index % SUBJECTS.length];
        List<ObjectNode> history = new ArrayList<>();
        history.add(event("DocumentUploaded", object()
                .put("title", subject + " #" + (index + 1))
                .put("filename", subject.toLowerCase().replace(' ', '-') + "-" + (index + 1) + ".pdf")
                .put("contentType", "application/pdf")
                .put("sizeBytes", 20_000 + random.nextInt(5_000_000))
                .put("uploadedBy", PEOPLE[random.nextInt(PEOPLE.length)])
                .put("customerId", customer.toString())));
        ObjectNode converted = object().put("markdownContent", "# " + subject + "\n\nSample content.\n");
        ArrayNode sections = converted.putArray("sections");
        for (int s = 0, count = 1 + random.nextInt(5); s < count; s++) {
            sections.addObject().put("heading", "Section " + (s + 1)).put("level", s == 0 ? 1 : 2).put("content", "Text of section " + (s + 1));
        }
        converted.putObject("metadata").put("pages", 1 + random.nextInt(40));
        history.add(event("DocumentConverted", converted));
        history.add(event("SemanticIrExtracted", semanticIr()));
        boolean deleted = random.nextInt(20) == 0;
        if (deleted) {
            history.add(event("DocumentDeleted", object().put("reason", "uploaded by mistake")));
        } else if (random.nextInt(5) == 0) {
            history.add(event("DocumentArchived", object().put("reason", "superseded")));
        }
        append("document", id, history);
        if (deleted) {
            deletedDocuments++;
        } else {
            expected.get("document_views").add(id);
            expected.get("semantic_ir_documents").add(id);
        }
    }

    private ObjectNode semanticIr() {
        ObjectNode ir = object();
        ArrayNode formulas = ir.putArray("formulas");
        for (int i = 0, count = random.nextInt(3); i < count; i++) {
            ObjectNode formula = formulas.addObject().put("name", "F" + (i + 1)).put("expression", "q = k * A * dT / d");
            formula.putObject("variables").put("k", "conductivity").put("A", "area");
        }
        ArrayNode definitions = ir.putArray("definitions");
        for (int i = 0, count = random.nextInt(3); i < count; i++) {
            definitions.addObject().put("term", "term " + (i + 1)).put("definition", "what term " + (i + 1) + " means").put("context", "section 1");
        }
        ArrayNode tables = ir.putArray("tables");
        if (random.nextBoolean()) {
            ObjectNode table = tables.addObject().put("name", "Parameters").put("rowCount", 2).put("columnCount", 2);
            ArrayNode rows = table.putArray("tableData");
            rows.addArray().add("pressure").add(4.5);
            rows.addArray().add("flow").add(120);
        }
        ArrayNode references = ir.putArray("crossReferences");
        if (random.nextBoolean()) {
            references.addObject().put("target", "ISO 9001").put("referenceType", "standard").put("location", "p. 2");
        }
        return ir;
    }

    private void writeConversation(UUID customer) throws Exception {
        UUID id = UUID.randomUUID();
        List<ObjectNode> history = new ArrayList<>();
        history.add(event("ConversationStarted", object().put("customerId", customer.toString())
                .put("userId", PEOPLE[random.nextInt(PEOPLE.length)]).put("title", "Support request")));
        for (int m = 0, count = 1 + random.nextInt(3); m < count; m++) {
            history.add(event("MessagePosted", object().put("role", "user").put("content", QUESTIONS[random.nextInt(QUESTIONS.length)])));
            ObjectNode answer = object().put("role", "assistant").put("content", "Here is what the documents say.");
            answer.putObject("metadata").put("sources", 1 + random.nextInt(3));
            history.add(event("MessagePosted", answer));
        }
        if (random.nextBoolean()) {
            history.add(event("ConversationRenamed", object().put("title", "Pump selection")));
        }
        ObjectNode context = object();
        context.putObject("context").put("topic", "maintenance").put("language", "en");
        history.add(event("ConversationContextUpdated", context));
        if (random.nextInt(3) == 0) {
            history.add(event("ConversationClosed", object()));
        }
        append("conversation", id, history);
        expected.get("conversation_threads").add(id);
    }

    /** One request per event, as an application appending as its aggregate changes. */
    private void append(String aggregateType, UUID id, List<ObjectNode> history) throws Exception {
        for (int version = 0; version < history.size(); version++) {
            ObjectNode request = object().put("expectedVersion", version);
            request.putArray("events").add(history.get(version));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(httpUrl + "/aggregates/" + aggregateType + "/" + id + "/events"))
                    .header("Content-Type", "application/json")
                    .header("X-Correlation-ID", "demo-" + id)
                    .POST(HttpRequest.BodyPublishers.ofString(EventJson.toText(request)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("the writer answered " + response.statusCode() + ": " + response.body());
            }
            events++;
        }
    }

    private static ObjectNode event(String type, ObjectNode payload) {
        ObjectNode event = object().put("eventType", type);
        event.set("payload", payload);
        return event;
    }

    private static ObjectNode object() {
        return EventJson.MAPPER.createObjectNode();
    }

    private boolean caughtUp() throws SQLException {
        for (Map.Entry<String, List<UUID>> table : expected.entrySet()) {
            if (atLastVersion(table.getKey(), table.getValue()) < table.getValue().size()) {
                return false;
            }
        }
        return true;
    }

    private String progress() throws SQLException {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, List<UUID>> table : expected.entrySet()) {
            parts.add(table.getKey() + " " + atLastVersion(table.getKey(), table.getValue()) + "/" + table.getValue().size());
        }
        return String.join(", ", parts);
    }

    private int atLastVersion(String table, List<UUID> ids) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT count(*)
                          FROM readmodel.%s v
                          JOIN (SELECT aggregate_id, max(event_version) AS version
                                  FROM eventstore.events WHERE aggregate_id = ANY (?) GROUP BY aggregate_id) e
                            ON e.aggregate_id = v.id AND e.version = v.version
                        """.formatted(table))) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
