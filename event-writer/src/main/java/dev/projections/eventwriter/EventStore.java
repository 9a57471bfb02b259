package dev.projections.eventwriter;

import dev.projections.eventcatalogue.EventCatalogue;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.StoredEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The only writer of {@code eventstore.events}. An append is atomic and optimistic: it names the version
 * the caller last saw, and fails with {@link VersionConflictException} when the aggregate has moved on,
 * including when a concurrent append wins the {@code unique (aggregate_id, event_version)} race.
 */
public final class EventStore {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String VERSION_CONSTRAINT = "events_aggregate_version_key";

    /** Raises an asynchronous commit to a synchronous one; a stronger setting (waiting for standbys) is kept. */
    private static final String SYNCHRONOUS_COMMIT =
            "SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'";
    private static final String CURRENT_VERSION = """
            SELECT aggregate_type, max(event_version)
              FROM eventstore.events
             WHERE aggregate_id = ?
             GROUP BY aggregate_type
            """;
    private static final String INSERT_PREFIX = """
            INSERT INTO eventstore.events
                   (id, aggregate_id, aggregate_type, event_type, event_version, payload, metadata)
            VALUES
            """;
    private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)";
    private static final String INSERT_RETURNING = " RETURNING id, event_version, sequence";

    private static final EventValidator STRUCTURAL = new StructuralValidator();

    private final DataSource dataSource;
    private final ReadModelPositions positions;
    private final EventValidator validator;
    private final MeterRegistry registry;
    private final Counter conflicts;
    private final Counter rejections;
    private final Counter claimConflicts;

    /** An event store that holds every event to the event catalogue. */
    public EventStore(DataSource dataSource) {
        this(dataSource, new CatalogueValidator(EventCatalogue.CURRENT), new SimpleMeterRegistry());
    }

    /**
     * @param validator checks beyond the structural ones; {@link EventValidator#NONE} for none
     * @param registry where appends, conflicts and rejections are counted
     */
    public EventStore(DataSource dataSource, EventValidator validator, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.positions = new ReadModelPositions(dataSource);
        this.validator = validator;
        this.registry = registry;
        this.conflicts = Counter.builder("pipeline.writer.version.conflicts")
                .description("Appends refused because the aggregate was not at the expected version").register(registry);
        this.rejections = Counter.builder("pipeline.writer.validation.rejections")
                .description("Appends refused because a request or payload was invalid").register(registry);
        this.claimConflicts = Counter.builder("pipeline.writer.unique.conflicts")
                .description("Appends refused because a value unique across aggregates (a customer code) was taken").register(registry);
    }

    /**
     * Appends events to an aggregate, atomically.
     *
     * @param expectedVersion the aggregate's current version as the caller knows it, 0 for a new aggregate
     * @throws InvalidEventsException nothing written: the request or a payload is invalid
     * @throws VersionConflictException nothing written: the aggregate is at another version
     * @throws UniqueClaimException nothing written: a value unique across aggregates (a customer code) is taken
     */
    public AppendResult append(String aggregateType, UUID aggregateId, int expectedVersion, List<NewEvent> events) {
        List<Problem> problems = new ArrayList<>(STRUCTURAL.validate(aggregateType, events));
        if (aggregateId == null) {
            problems.add(new Problem("aggregateId", "is required"));
        }
        if (expectedVersion < 0) {
            problems.add(new Problem("expectedVersion", "must be 0 or more"));
        }
        if (problems.isEmpty()) {
            problems.addAll(validator.validate(aggregateType, events));
        }
        if (!problems.isEmpty()) {
            rejections.increment();
            throw new InvalidEventsException(problems);
        }
        try {
            AppendResult result = appendValid(aggregateType, aggregateId, expectedVersion, events);
            Counter.builder("pipeline.writer.events.appended").description("Events appended to eventstore.events")
                    .tag("aggregate_type", aggregateType).register(registry).increment(events.size());
            return result;
        } catch (VersionConflictException e) {
            conflicts.increment();
            throw e;
        } catch (InvalidEventsException e) {
            rejections.increment();
            throw e;
        } catch (UniqueClaimException e) {
            claimConflicts.increment();
            throw e;
        }
    }

    private AppendResult appendValid(String aggregateType, UUID aggregateId, int expectedVersion, List<NewEvent> events) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                AppendResult result = append(connection, aggregateType, aggregateId, expectedVersion, events);
                connection.commit();
                return result;
            } catch (SQLException e) {
                connection.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains(VERSION_CONSTRAINT)) {
                    connection.setAutoCommit(true);
                    throw new VersionConflictException(aggregateId, expectedVersion, currentVersion(connection, aggregateId));
                }
                throw e;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new EventStoreException("appending to aggregate " + aggregateId + " failed: " + e.getMessage(), e);
        }
    }

    private AppendResult append(Connection connection, String aggregateType, UUID aggregateId, int expectedVersion,
            List<NewEvent> events) throws SQLException {
        commitSynchronously(connection);
        int current = 0;
        try (PreparedStatement statement = connection.prepareStatement(CURRENT_VERSION)) {
            statement.setObject(1, aggregateId);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    String storedType = rows.getString(1);
                    if (!storedType.equals(aggregateType)) {
                        throw new InvalidEventsException(List.of(new Problem("aggregateType",
                                "aggregate " + aggregateId + " is a " + storedType + ", not a " + aggregateType)));
                    }
                    current = rows.getInt(2);
                }
            }
        }
        if (current != expectedVersion) {
            throw new VersionConflictException(aggregateId, expectedVersion, current);
        }
        String sql = INSERT_PREFIX + String.join(",\n", Collections.nCopies(events.size(), INSERT_ROW)) + INSERT_RETURNING;
        List<AppendResult.Appended> appended = new ArrayList<>(events.size());
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int parameter = 1;
            for (int i = 0; i < events.size(); i++) {
                NewEvent event = events.get(i);
                statement.setObject(parameter++, UUID.randomUUID());
                statement.setObject(parameter++, aggregateId);
                statement.setString(parameter++, aggregateType);
                statement.setString(parameter++, event.eventType());
                statement.setInt(parameter++, expectedVersion + i + 1);
                statement.setString(parameter++, EventJson.toText(event.payload()));
                statement.setString(parameter++, EventJson.toText(event.metadata()));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    appended.add(new AppendResult.Appended(rows.getObject(1, UUID.class), rows.getInt(2), rows.getLong(3)));
                }
            }
        }
        UniqueClaims.claim(connection, aggregateType, aggregateId, events);
        appended.sort((a, b) -> Integer.compare(a.eventVersion(), b.eventVersion()));
        return new AppendResult(aggregateType, aggregateId, expectedVersion + events.size(), List.copyOf(appended));
    }

    /**
     * Has the transaction commit synchronously where the server's default is asynchronous: an acknowledged
     * event is then flushed, and the relay sees it at once (logical decoding reads only flushed WAL, which an
     * asynchronous commit leaves to the WAL writer).
     */
    private static void commitSynchronously(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SYNCHRONOUS_COMMIT)) {
            statement.execute();
        }
    }

    /** Read-your-writes: how far each read model has applied an aggregate, and a wait until it has applied an append. */
    public ReadModelPositions positions() {
        return positions;
    }

    /** The aggregate's current version: 0 when it has no events. */
    public int currentVersion(UUID aggregateId) {
        try (Connection connection = dataSource.getConnection()) {
            return currentVersion(connection, aggregateId);
        } catch (SQLException e) {
            throw new EventStoreException("reading the version of aggregate " + aggregateId + " failed: " + e.getMessage(), e);
        }
    }

    /** The aggregate's current version when it is of this type; 0 when it has no events or is of another type. */
    public int currentVersion(String aggregateType, UUID aggregateId) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(
                "SELECT coalesce(max(event_version), 0) FROM eventstore.events WHERE aggregate_id = ? AND aggregate_type = ?")) {
            statement.setObject(1, aggregateId);
            statement.setString(2, aggregateType);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new EventStoreException("reading the version of " + aggregateType + " " + aggregateId + " failed: " + e.getMessage(), e);
        }
    }

    private static int currentVersion(Connection connection, UUID aggregateId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT coalesce(max(event_version), 0) FROM eventstore.events WHERE aggregate_id = ?")) {
            statement.setObject(1, aggregateId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** The aggregate's events in version order, with their sequences, each read as its current type. */
    public List<EventEnvelope> load(UUID aggregateId) {
        return read(connection -> StoredEvents.ofAggregate(connection, aggregateId, 0));
    }

    /**
     * At most {@code limit} events by sequence, after the given one: what is committed, for audits, checks and
     * re-publishing, not for tailing the store (see {@link StoredEvents#bySequence}).
     */
    public List<EventEnvelope> readAll(long afterSequence, int limit) {
        return read(connection -> StoredEvents.bySequence(connection, afterSequence, limit));
    }

    private interface Query {
        List<EventEnvelope> run(Connection connection) throws SQLException;
    }

    private List<EventEnvelope> read(Query query) {
        try (Connection connection = dataSource.getConnection()) {
            return query.run(connection);
        } catch (SQLException e) {
            throw new EventStoreException("reading events failed: " + e.getMessage(), e);
        }
    }
}
