package dev.projections.projectorstreams.operations;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.StoredEvents;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.write.BatchTransaction;
import dev.projections.projectorstreams.write.Delivery;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.write.RecordOrigin;
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
 * aggregate, retry them once the cause is fixed, or discard the one that failed and apply what follows it.
 * Retry and discard lock the aggregate's position, as a projector's batch does, so they can run while
 * projectors do; a projector learns of the release at the aggregate's next event.
 */
public final class ParkedEvents {

    /** One aggregate's parked events: how many, the first of them and why it was parked. */
    public record ParkedAggregate(UUID aggregateId, int events, String firstEventType, Integer firstVersion, Long firstSequence,
            String firstError, Instant since, RecordOrigin firstOrigin) {
    }

    /** What a retry did to an aggregate: events applied, and the version it is at; {@code error} when one was parked again. */
    public record Retried(UUID aggregateId, int applied, int version, String error) {
    }

    /**
     * What a discard did to an aggregate: the events it moved to {@code readmodel.discarded_events} (as
     * {@code DocumentConverted v2}), then as a retry, the events applied after them, the version it is at, and
     * {@code error} when a later event was refused and parked again.
     */
    public record Discarded(UUID aggregateId, List<String> dropped, int applied, int version, String error) {
    }

    /** Which parked events a discard drops. */
    public enum Drop {
        /** the first parked event of each aggregate: the one its projection refused */
        FIRST,
        /** the one parked event of the given sequence */
        SEQUENCE,
        /** every parked event of each aggregate, the ones parked behind the refused one too */
        WITH_LATER_EVENTS
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
    /** The position's lock, as a projector's batch takes it, with a placeholder for an aggregate that has none. */
    private static final String LOCK_POSITION = """
            INSERT INTO readmodel.projection_positions AS p (projection, aggregate_id, version, sequence) VALUES (?, ?, 0, 0)
            ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = p.version
            """;
    /** Moves parked rows of an aggregate (or, for a null one, the records with no aggregate) into the audit table. */
    private static final String DISCARD = """
            WITH discarded AS (
                DELETE FROM readmodel.parked_events WHERE ctid IN (
                    SELECT ctid FROM readmodel.parked_events
                     WHERE projection = ? AND aggregate_id IS NOT DISTINCT FROM ?::uuid AND %s
                     ORDER BY event_version NULLS FIRST, kafka_offset %s)
                RETURNING *),
            audited AS (
                INSERT INTO readmodel.discarded_events
                       (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type, event_version, error,
                        record_value, parked_at, discarded_by, reason, later_event)
                SELECT projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type, event_version, error,
                       record_value, parked_at, ?, ?, ? AND error LIKE 'an earlier event of aggregate %% is parked'
                  FROM discarded
                RETURNING event_type, event_version, kafka_offset)
            SELECT coalesce(event_type || ' v' || event_version, 'a record that is not an event') FROM audited
             ORDER BY event_version NULLS FIRST, kafka_offset
            """;

    private final Projection projection;
    private final DataSource dataSource;

    public ParkedEvents(Projection projection, DataSource dataSource) {
        this.projection = projection;
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
                retried.add(inTransaction(connection -> applyAfterPosition(connection, parked.aggregateId())));
            }
        }
        return retried;
    }

    /**
     * Drops parked events of each selected aggregate into {@code readmodel.discarded_events}, with who and why,
     * then applies the aggregate's later events in order, as a retry does, in one transaction per aggregate.
     * An event refused again is parked again, with its error. Records with no aggregate are dropped together.
     *
     * @param aggregate one aggregate, or null for every parked one
     * @param sequence the event to drop, for {@link Drop#SEQUENCE}
     * @throws IllegalArgumentException the sequence is not that of a parked event of the selection
     */
    public List<Discarded> discard(UUID aggregate, Drop drop, Long sequence, String by, String reason) throws SQLException {
        List<Discarded> discarded = new ArrayList<>();
        for (ParkedAggregate parked : list(aggregate)) {
            Discarded one = inTransaction(connection -> discardOne(connection, parked.aggregateId(), drop, sequence, by, reason));
            if (!one.dropped().isEmpty()) {
                discarded.add(one);
            }
        }
        if (drop == Drop.SEQUENCE && discarded.isEmpty()) {
            throw new IllegalArgumentException("no parked event of " + projection.name() + (aggregate == null ? "" : " aggregate " + aggregate)
                    + " has sequence " + sequence + " (bin/pipeline parked list names each aggregate's first)");
        }
        return discarded;
    }

    private Discarded discardOne(Connection connection, UUID aggregate, Drop drop, Long sequence, String by, String reason)
            throws SQLException {
        if (aggregate != null) {
            try (PreparedStatement lock = connection.prepareStatement(LOCK_POSITION)) {
                lock.setString(1, projection.name());
                lock.setObject(2, aggregate);
                lock.executeUpdate();
            }
        }
        List<String> dropped = new ArrayList<>();
        String which = switch (drop) {
            case FIRST, WITH_LATER_EVENTS -> "true";
            case SEQUENCE -> "sequence = ?";
        };
        // records that were not events, with no aggregate to name, are dropped together
        String limit = drop == Drop.FIRST && aggregate != null ? "LIMIT 1" : "";
        try (PreparedStatement discard = connection.prepareStatement(DISCARD.formatted(which, limit))) {
            int parameter = 1;
            discard.setString(parameter++, projection.name());
            discard.setObject(parameter++, aggregate);
            if (drop == Drop.SEQUENCE) {
                discard.setLong(parameter++, sequence);
            }
            discard.setString(parameter++, by);
            discard.setString(parameter++, reason);
            discard.setBoolean(parameter, drop == Drop.WITH_LATER_EVENTS);
            try (ResultSet rows = discard.executeQuery()) {
                while (rows.next()) {
                    dropped.add(rows.getString(1));
                }
            }
        }
        if (dropped.isEmpty()) {
            // not this aggregate's event: nothing of it changes, not even its position's placeholder
            connection.rollback();
            return new Discarded(aggregate, dropped, 0, 0, null);
        }
        if (aggregate == null) {
            return new Discarded(null, dropped, 0, 0, null);
        }
        Retried then = applyAfterPosition(connection, aggregate);
        return new Discarded(aggregate, dropped, then.applied(), then.version(), then.error());
    }

    /**
     * The aggregate's events after its position, as the event store holds them, applied in the caller's
     * transaction: those discarded are passed over (moving the position), a refused one is parked again.
     */
    private Retried applyAfterPosition(Connection connection, UUID aggregate) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        Map<Long, RecordOrigin> origins = origins(connection, aggregate);
        for (EventEnvelope event : StoredEvents.ofAggregate(connection, aggregate, position(connection, aggregate))) {
            // an event never parked (none should be) is named by its sequence, on no partition
            deliveries.add(Delivery.of(origins.getOrDefault(event.sequence(), new RecordOrigin(event.topic(), -1, event.sequence())), event));
        }
        // a transaction of its own reads the discarded events anew, this one's discard among them
        BatchTransaction.Result written = new BatchTransaction(projection, projection.name()).apply(connection, deliveries, Set.of());
        int version = position(connection, aggregate);
        try (PreparedStatement release = connection.prepareStatement(RELEASE)) {
            release.setString(1, projection.name());
            release.setObject(2, aggregate);
            release.setInt(3, version);
            release.setBoolean(4, written.parked().isEmpty());
            release.executeUpdate();
        }
        // parked again, or parked events the event store does not hold (none should be)
        String error = query(connection, FIRST_ERROR, aggregate, rows -> rows.next() ? rows.getString(1) : null);
        int applied = (int) written.outcomes().stream().filter(outcome -> outcome == Outcome.APPLIED).count();
        return new Retried(aggregate, applied, version, error);
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

    /** Work in one transaction of its own. */
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
