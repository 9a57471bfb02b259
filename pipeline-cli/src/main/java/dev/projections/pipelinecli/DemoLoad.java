package dev.projections.pipelinecli;

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
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Sample documents written through the HTTP writer, as a producer outside the JVM would, with progress
 * until the read model has caught up with every one of them.
 */
final class DemoLoad {

    private static final String[] SUBJECTS = {"Quarterly report", "Pump maintenance manual", "Supplier contract",
        "Safety data sheet", "Thermal analysis", "Board minutes", "Calibration procedure", "Grant proposal"};
    private static final String[] PEOPLE = {"alice", "bob", "chen", "dana", "emeka", "farah"};

    private final String httpUrl;
    private final DataSource dataSource;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random = new Random(42);

    DemoLoad(String httpUrl, DataSource dataSource, PrintStream out) {
        this.httpUrl = httpUrl;
        this.dataSource = dataSource;
        this.out = out;
    }

    void run(int documents) {
        try {
            Instant started = Instant.now();
            Instant lastReport = started;
            List<UUID> written = new ArrayList<>();
            int events = 0;
            for (int i = 0; i < documents; i++) {
                UUID id = UUID.randomUUID();
                events += writeDocument(id, i);
                written.add(id);
                if (Duration.between(lastReport, Instant.now()).toSeconds() >= 1) {
                    out.printf("demo: wrote %d/%d documents (%d events); %d in the read model%n", i + 1, documents, events,
                            projected(written));
                    lastReport = Instant.now();
                }
            }
            out.printf("demo: wrote %d documents (%d events) in %d ms; waiting for the read model%n", documents, events,
                    Duration.between(started, Instant.now()).toMillis());
            int projected;
            while ((projected = projected(written)) < documents) {
                Thread.sleep(500);
                out.printf("demo: %d/%d documents in the read model at their last version%n", projected, documents);
            }
            out.printf("demo: done, %d documents in readmodel.document_views at their last version after %d ms%n",
                    projected, Duration.between(started, Instant.now()).toMillis());
        } catch (Exception e) {
            out.println("demo: stopped: " + e.getMessage());
        }
    }

    private int writeDocument(UUID id, int index) throws Exception {
        String subject = SUBJECTS[index % SUBJECTS.length];
        List<ObjectNode> events = new ArrayList<>();
        events.add(event("DocumentUploaded", EventJson.MAPPER.createObjectNode()
                .put("title", subject + " #" + (index + 1))
                .put("filename", subject.toLowerCase().replace(' ', '-') + "-" + (index + 1) + ".pdf")
                .put("contentType", "application/pdf")
                .put("sizeBytes", 20_000 + random.nextInt(5_000_000))
                .put("uploadedBy", PEOPLE[random.nextInt(PEOPLE.length)])));
        ObjectNode converted = EventJson.MAPPER.createObjectNode()
                .put("markdownContent", "# " + subject + "\n\nGenerated sample content.\n");
        ArrayNode sections = converted.putArray("sections");
        int sectionCount = 1 + random.nextInt(5);
        for (int s = 0; s < sectionCount; s++) {
            sections.addObject().put("heading", "Section " + (s + 1)).put("level", s == 0 ? 1 : 2).put("content", "Text of section " + (s + 1));
        }
        events.add(event("DocumentConverted", converted));
        if (random.nextInt(5) == 0) {
            events.add(event("DocumentArchived", EventJson.MAPPER.createObjectNode().put("reason", "superseded")));
        }
        // one request per event, as an application appending as its aggregate changes would
        for (int version = 0; version < events.size(); version++) {
            ObjectNode request = EventJson.MAPPER.createObjectNode().put("expectedVersion", version);
            request.putArray("events").add(events.get(version));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(httpUrl + "/aggregates/document/" + id + "/events"))
                    .header("Content-Type", "application/json")
                    .header("X-Correlation-ID", "demo-" + id)
                    .POST(HttpRequest.BodyPublishers.ofString(EventJson.toText(request)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("the writer answered " + response.statusCode() + ": " + response.body());
            }
        }
        return events.size();
    }

    private static ObjectNode event(String type, ObjectNode payload) {
        ObjectNode event = EventJson.MAPPER.createObjectNode().put("eventType", type);
        event.set("payload", payload);
        return event;
    }

    private int projected(List<UUID> documents) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT count(*)
                          FROM readmodel.document_views v
                          JOIN (SELECT aggregate_id, max(event_version) AS version
                                  FROM eventstore.events WHERE aggregate_id = ANY (?) GROUP BY aggregate_id) e
                            ON e.aggregate_id = v.id AND e.version = v.version
                        """)) {
            statement.setArray(1, connection.createArrayOf("uuid", documents.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
