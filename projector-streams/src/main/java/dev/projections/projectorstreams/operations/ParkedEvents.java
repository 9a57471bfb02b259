package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.write.RecordOrigin;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.write.Delivery;
import dev.projections.projectorstreams.write.BatchTransaction;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.eventcatalogue.StoredEvents;
import dev.projections.eventcatalogue.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The operator's way back for a read model's parked events ({@code bin/pipeline parked}): list them by
 * aggregate, retry them once the cause is fixed, or discard them with an audit row. Retry and discard
 * lock the aggregate's position, as a projector's batch does, so they can run while projectors do; a
 * projector learns of the release at the aggregate's next event.
 */
public final class ParkedEvents {

    /** One aggregate's parked events: how many, the first of them and why it was parked. */
    public record ParkedAggregate(UUID aggregateId, int events, String firstEventType, Integer firstVersion, Long firstSequence,
            String firstError, Instant since, RecordOrigin firstOrigin) {
    }

    /** What a retry did to an aggregate: events applied, and the version it is at; {@code error} when one was parked again. */
    public record Retried(UUID aggregateId, int applied, int version, String error) {
    }

    /** What a discard did to an aggregate: events moved to {@code readmodel.discarded_events}, and the version it is at. */
    public record Discarded(UUID aggregateId, int events, int version) {
    }

    private static final String LIST = """
            SELECT DISTINCT ON (aggregate_id) aggregate_id, count(*) OVER (PARTITION BY aggregate_id), event_type, event_version,
                   sequence, error, min(parked_at) OVER (PARTITION BY aggregate_id), topic, kafka_partition, kafka_offset
              FROM readmodel.parked_events
             WHERE projection = ? %s
             ORDER BY aggregate_id, event_version NULLS FIRST, kafka_offset
            """;
    private static final String POSITION = "SELECT version FROM readmodel.projection_positions WHERE projection = ? AND aggregate_id = ?";
    private static final String ORIGINS = """
            SELECT sequence, topic, kafka_partition, kafka_offset FROM readmodel.parked_events
             WHERE projection = ? AND aggregate_id = ? AND sequence IS NOT NULL
            """;
    /** Parked rows the retry made current; records that were not events go once nothing was parked again. */
    private static final String RELEASE = """
            DELETE FROM readmodel.parked_events
             WHERE projection = ? AND aggregate_id = ? AND (event_version <= ? OR (event_version IS NULL AND ?))
            """;
    private static final String FIRST_ERROR = """
            SELECT error FROM readmodel.parked_events WHERE projection = ? AND aggregate_id = ?
             ORDER BY event_version NULLS FIRST, kafka_offset LIMIT 1
            """;
    private static final String LOCK_POSITION = """
            INSERT INTO readmodel.projection_positions AS p (projection, aggregate_id, version, sequence) VALUES (?, ?, 0, 0)
            ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = p.version
            RETURNING version
            """;
    private static final String DISCARD = """
            WITH discarded AS (
                DELETE FROM readmodel.parked_events WHERE projection = ? AND aggregate_id IS NOT DISTINCT FROM ?::uuid RETURNING *)
            INSERT INTO readmodel.discarded_events
                   (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type, event_version, error,
                    record_value, parked_at, discarded_by, reason)
            SELECT projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type, event_version, error,
                   record_value, parked_at, ?, ?
              FROM discarded
            RETURNING event_version, sequence
            """;
    private static final String MOVE_POSITION = """
            UPDATE readmodel.projection_positions SET version = ?, sequence = ? WHERE projection = ? AND aggregate_id = ? AND version < ?
            """;
    private static final String DROP_PLACEHOLDER = """
            DELETE FROM readmodel.projection_positions WHERE projection = ? AND aggregate_id = ? AND version = 0
            """;

    private final Projection projection;
    private final BatchTransaction transaction;
    private final DataSource dataSource;

    public ParkedEvents(Projection projection, DataSource dataSource) {
        this.projection = projection;
        this.transaction = new BatchTransaction(projection, projection.name());
        this.dataSource = dataSource;
    }

    /** @param aggregate one aggregate, or null for all */
    public List<ParkedAggregate> list(UUID aggregate) throws SQLException {
        List<ParkedAggregate> parked = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(LIST.formatted(aggregate == null ? "" : "AND aggregate_id = ?"))) {
            statement.setString(1, projection.name());
            if (aggregate != null) {
                statement.setObject(2, aggregate);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    parked.add(new ParkedAggregate(rows.getObject(1, UUID.class), rows.getInt(2), rows.getString(3),
                            (Integer) rows.getObject(4), (Long) rows.getObject(5), rows.getString(6),
                            rows.getObject(7, OffsetDateTime.class).toInstant(),
                            new RecordOrigin(rows.getString(8), rows.getInt(9), rows.getLong(10))));
                }
            }
        }
        return parked;
    }

    /**
     * Applies each parked aggregate's events again, as {@code eventstore.events} holds them, from the one
     * after its position, in one transaction per aggregate. An event refused again is parked again, with
     * the aggregate's later events, and the new error.
     *
     * @param aggregate one aggregate, or null for every parked one
     */
    public List<Retried> retry(UUID aggregate) throws SQLException {
        List<Retried> retried = new ArrayList<>();
        for (ParkedAggregate parked : list(aggregate)) {
            if (parked.aggregateId() != null) {
                retried.add(retryOne(parked.aggregateId()));
            }
        }
        return retried;
    }

    private Retried retryOne(UUID aggregate) throws SQLException {
        String name = projection.name();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Delivery> deliveries = new ArrayList<>();
                Map<Long, RecordOrigin> origins = origins(connection, aggregate);
                for (EventEnvelope event : StoredEvents.ofAggregate(connection, aggregate, position(connection, aggregate))) {
                    // an event never parked (none should be) is named by its sequence, on no partition
                    deliveries.add(Delivery.of(origins.getOrDefault(event.sequence(), new RecordOrigin(event.topic(), -1, event.sequence())),
                            event));
                }
                BatchTransaction.Result written = transaction.apply(connection, deliveries, Set.of());
                int version = position(connection, aggregate);
                try (PreparedStatement release = connection.prepareStatement(RELEASE)) {
                    release.setString(1, name);
                    release.setObject(2, aggregate);
                    release.setInt(3, version);
                    release.setBoolean(4, written.parked().isEmpty());
                    release.executeUpdate();
                }
                // parked again, or parked events the event store does not hold (none should be)
                String error = firstError(connection, aggregate);
                connection.commit();
                int applied = (int) written.outcomes().stream().filter(outcome -> outcome == Outcome.APPLIED).count();
                return new Retried(aggregate, applied, version, error);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Drops each selected aggregate's parked events into {@code readmodel.discarded_events} with who and
     * why, and moves its position past them, so that its later events apply.
     *
     * @param aggregate one aggregate, or null for every parked one
     */
    public List<Discarded> discard(UUID aggregate, String by, String reason) throws SQLException {
        List<Discarded> discarded = new ArrayList<>();
        for (ParkedAggregate parked : list(aggregate)) {
            discarded.add(discardOne(parked.aggregateId(), by, reason));
        }
        return discarded;
    }

    private Discarded discardOne(UUID aggregate, String by, String reason) throws SQLException {
        String name = projection.name();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int version = aggregate == null ? 0 : lockPosition(connection, aggregate);
                int events = 0;
                int last = version;
                long lastSequence = 0;
                // records that were not events, with no aggregate to name, are discarded together
                try (PreparedStatement discard = connection.prepareStatement(DISCARD)) {
                    discard.setString(1, name);
                    discard.setObject(2, aggregate);
                    discard.setString(3, by);
                    discard.setString(4, reason);
                    try (ResultSet rows = discard.executeQuery()) {
                        while (rows.next()) {
                            events++;
                            Integer eventVersion = (Integer) rows.getObject(1);
                            if (eventVersion != null && eventVersion > last) {
                                last = eventVersion;
                                lastSequence = rows.getLong(2);
                            }
                        }
                    }
                }
                if (aggregate != null) {
                    if (last > version) {
                        try (PreparedStatement move = connection.prepareStatement(MOVE_POSITION)) {
                            move.setInt(1, last);
                            move.setLong(2, lastSequence);
                            move.setString(3, name);
                            move.setObject(4, aggregate);
                            move.setInt(5, last);
                            move.executeUpdate();
                        }
                    }
                    try (PreparedStatement drop = connection.prepareStatement(DROP_PLACEHOLDER)) {
                        drop.setString(1, name);
                        drop.setObject(2, aggregate);
                        drop.executeUpdate();
                    }
                }
                connection.commit();
                return new Discarded(aggregate, events, last);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private int lockPosition(Connection connection, UUID aggregate) throws SQLException {
        return query(connection, LOCK_POSITION, aggregate, rows -> {
            rows.next();
            return rows.getInt(1);
        });
    }

    private int position(Connection connection, UUID aggregate) throws SQLException {
        return query(connection, POSITION, aggregate, rows -> rows.next() ? rows.getInt(1) : 0);
    }

    private Map<Long, RecordOrigin> origins(Connection connection, UUID aggregate) throws SQLException {
        return query(connection, ORIGINS, aggregate, rows -> {
            Map<Long, RecordOrigin> origins = new HashMap<>();
            while (rows.next()) {
                origins.put(rows.getLong(1), new RecordOrigin(rows.getString(2), rows.getInt(3), rows.getLong(4)));
            }
            return origins;
        });
    }

    private String firstError(Connection connection, UUID aggregate) throws SQLException {
        return query(connection, FIRST_ERROR, aggregate, rows -> rows.next() ? rows.getString(1) : null);
    }

    /** Reads a query's rows into what the caller wants of them. */
    private interface RowsReader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** One of the queries about one aggregate of this read model, whose parameters are (projection, aggregate_id). */
    private <T> T query(Connection connection, String sql, UUID aggregate, RowsReader<T> reader) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, projection.name());
            statement.setObject(2, aggregate);
            try (ResultSet rows = statement.executeQuery()) {
                return reader.read(rows);
            }
        }
    }
}
