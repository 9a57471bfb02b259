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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/** A projection applied as its projector applies it, against the shared test PostgreSQL. */
public final class ProjectionFixture {

    private final DataSource dataSource;
    private final ProjectionWriter writer;
    private final Set<UUID> parked = new HashSet<>();
    private long offset;

    public ProjectionFixture(Projection projection) {
        this.dataSource = SharedPostgres.get().dataSource();
        Migrations.migrate(dataSource);
        this.writer = new ProjectionWriter(projection, dataSource);
    }

    public Outcome apply(EventEnvelope event) throws SQLException {
        return writer.apply(event, new RecordOrigin(event.topic(), 0, offset++), parked);
    }

    /** Applies the events as one batch, in one transaction, as a projector applies what it read since its last commit. */
    public List<Outcome> applyAll(List<EventEnvelope> events) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        for (EventEnvelope event : events) {
            deliveries.add(Delivery.of(new RecordOrigin(event.topic(), 0, offset++), event));
        }
        ProjectionWriter.Written written = writer.write(deliveries, parked);
        parked.removeAll(written.released());
        parked.addAll(written.parked());
        return written.outcomes();
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
        boolean folded = writer.projection().fold(batch, statements);
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

    public ProjectionWriter writer() {
        return writer;
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
