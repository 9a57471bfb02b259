package dev.projections.projectorstreams;

import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.migrations.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.write.BatchTransaction;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.write.PendingBatches;
import dev.projections.projectorstreams.write.ProjectionMetrics;
import dev.projections.projectorstreams.write.ProjectionTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A projection applied as its projector applies it: records piped through the projector's own topology
 * ({@link TopologyTestDriver}) into its stream thread's batch, which is committed to the shared test
 * PostgreSQL as the projector's consumer commits it before offsets.
 */
public final class ProjectionFixture {

    private final DataSource dataSource;
    private final Projection projection;
    private final PendingBatches batches;
    private final Map<String, TestInputTopic<String, byte[]>> topics = new HashMap<>();

    public ProjectionFixture(Projection projection) {
        this.dataSource = SharedPostgres.get().dataSource();
        Migrations.migrate(dataSource);
        this.projection = projection;
        this.batches = new PendingBatches(new BatchTransaction(projection, ShadowProjection.readModelOf(projection)), dataSource,
                new ProjectionMetrics(projection.name(), new SimpleMeterRegistry()), Duration.ofMillis(25));
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "fixture-" + projection.name());
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // a stateless topology: the driver keeps nothing on disk, so nothing needs closing
        TopologyTestDriver driver = new TopologyTestDriver(ProjectionTopology.buildTopology(batches), properties);
        for (EventTopics.Topic<String, byte[]> topic : EventTopics.forAggregateTypes(projection.aggregateTypes())) {
            topics.put(topic.name(), driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer()));
        }
    }

    public Outcome apply(EventEnvelope event) {
        return applyAll(List.of(event)).get(0);
    }

    /** Delivers the events and commits them as one batch, as a projector applies what it read since its last commit. */
    public List<Outcome> applyAll(List<EventEnvelope> events) {
        for (EventEnvelope event : events) {
            topics.get(event.topic()).pipeInput(event.aggregateId().toString(), EventJson.toBytes(event));
        }
        return batches.commit().outcomes();
    }

    /**
     * What {@link #oneByOneAndInOneBatch} found: how many statements the projection folded the batch into
     * (-1 if it did not fold it), the batch's outcomes, and each document's rows, the batch's with the other's id.
     */
    public record Folding(int foldedStatements, List<Outcome> outcomes, String oneByOne, String inOneBatch) {
    }

    /**
     * Applies one history of a new document (event type and payload, in order) event by event to one
     * document, and as one batch, which the projection may fold, to another.
     */
    public Folding oneByOneAndInOneBatch(List<String[]> history, String... tablesAndKeys) throws SQLException {
        EventFixtures oneByOne = EventFixtures.document();
        EventFixtures together = EventFixtures.document();
        List<EventEnvelope> batch = new ArrayList<>();
        for (String[] event : history) {
            apply(oneByOne.next(event[0], event[1]));
            batch.add(together.next(event[0], event[1]));
        }
        RecordingStatements statements = new RecordingStatements();
        boolean folded = projection.fold(batch, statements);
        List<Outcome> outcomes = applyAll(batch);
        return new Folding(folded ? statements.sql().size() : -1, outcomes, snapshot(oneByOne.aggregateId(), tablesAndKeys),
                snapshot(together.aggregateId(), tablesAndKeys).replace(together.aggregateId().toString(), oneByOne.aggregateId().toString()));
    }

    /** Commits the events to {@code eventstore.events} as well, with their ids and sequences, as the writer would have. */
    public void store(List<EventEnvelope> events) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO eventstore.events (id, sequence, aggregate_id, aggregate_type, event_type, event_version, payload, metadata,
                                               created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)""")) {
            for (EventEnvelope event : events) {
                insert.setObject(1, event.eventId());
                insert.setLong(2, event.sequence());
                insert.setObject(3, event.aggregateId());
                insert.setString(4, event.aggregateType());
                insert.setString(5, event.eventType());
                insert.setInt(6, event.eventVersion());
                insert.setString(7, EventJson.toText(event.payload()));
                insert.setString(8, EventJson.toText(event.metadata()));
                insert.setObject(9, event.occurredAt().atOffset(ZoneOffset.UTC));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The first column of each row the query returns, as text. */
    public List<String> query(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1));
                }
            }
            return rows;
        }
    }

    /**
     * Delivers every event of the history again and returns each aggregate's rows after it; the caller
     * compares them with {@link #snapshots} taken before.
     */
    public List<String> replay(List<EventEnvelope> history, List<UUID> aggregates, String... tablesAndKeys) throws SQLException {
        for (EventEnvelope event : history) {
            Outcome outcome = apply(event);
            if (outcome != Outcome.ALREADY_APPLIED) {
                throw new AssertionError("event " + event.sequence() + " was " + outcome + " again, not " + Outcome.ALREADY_APPLIED);
            }
        }
        return snapshots(aggregates, tablesAndKeys);
    }

    public List<String> snapshots(List<UUID> aggregates, String... tablesAndKeys) throws SQLException {
        List<String> snapshots = new ArrayList<>();
        for (UUID aggregate : aggregates) {
            snapshots.add(snapshot(aggregate, tablesAndKeys));
        }
        return snapshots;
    }

    /** Every column of every row the queries find for one aggregate, as JSON text. */
    public String snapshot(UUID aggregateId, String... tablesAndKeys) throws SQLException {
        StringBuilder text = new StringBuilder();
        for (String tableAndKey : tablesAndKeys) {
            String[] parts = tableAndKey.split(":");
            text.append(query("SELECT row_to_json(t)::text FROM " + parts[0] + " t WHERE " + parts[1] + " = ? ORDER BY row_to_json(t)::text",
                    aggregateId)).append('\n');
        }
        return text.toString();
    }
}
