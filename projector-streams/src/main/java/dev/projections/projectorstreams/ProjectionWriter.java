package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies batches of events to one read model, each event together with its aggregate's position: an
 * event at or below the position is a duplicate and changes nothing; the version right after it advances
 * the position and the rows together; one further ahead is held back ({@link Outcome#VERSION_GAP}), so a
 * read model never skips an event of an aggregate. The batch's positions are locked and read in one
 * statement and written back in another. An aggregate new to the read model has no position to lock: the
 * batch creates it, and is applied again should another writer have created it meanwhile. Its events'
 * statements (or, where the projection can {@linkplain Projection#fold fold} an aggregate's events, fewer)
 * run as a few JDBC batches ({@link StatementWaves}). An event the database refuses for its data, or
 * whose payload the projection cannot apply, is parked, never skipped: it and every later event of its
 * aggregate wait in {@code readmodel.parked_events}, while other aggregates go on.
 */
public final class ProjectionWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionWriter.class);

    /** Locks and reads the positions the aggregates have; an aggregate new to the read model has none yet. */
    private static final String LOCK_POSITIONS = """
            SELECT aggregate_id, version FROM readmodel.projection_positions
             WHERE projection = ? AND aggregate_id = ANY (?::uuid[])
             ORDER BY aggregate_id
               FOR UPDATE
            """;
    /**
     * Locks each aggregate's position, creating a placeholder at 0 for a new one, and reads it: for a batch
     * with parked aggregates, whose positions an operator's retry or discard may be creating at the same time.
     */
    private static final String LOCK_OR_PLACE_POSITIONS = """
            INSERT INTO readmodel.projection_positions AS p (projection, aggregate_id, version, sequence)
            SELECT ?, aggregate_id, 0, 0 FROM unnest(?::uuid[]) AS a (aggregate_id)
            ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = p.version
            RETURNING aggregate_id, version
            """;
    private static final String SET_POSITIONS = """
            UPDATE readmodel.projection_positions AS p SET version = u.version, sequence = u.sequence
              FROM unnest(?::uuid[], ?::integer[], ?::bigint[]) AS u (aggregate_id, version, sequence)
             WHERE p.projection = ? AND p.aggregate_id = u.aggregate_id
            """;
    /** The first positions of new aggregates; one another writer created meanwhile is not returned. */
    private static final String NEW_POSITIONS = """
            INSERT INTO readmodel.projection_positions (projection, aggregate_id, version, sequence)
            SELECT ?, aggregate_id, version, sequence FROM unnest(?::uuid[], ?::integer[], ?::bigint[]) AS u (aggregate_id, version, sequence)
            ON CONFLICT (projection, aggregate_id) DO NOTHING
            RETURNING aggregate_id
            """;
    private static final String DROP_PLACEHOLDERS = """
            DELETE FROM readmodel.projection_positions WHERE projection = ? AND aggregate_id = ANY (?::uuid[]) AND version = 0
            """;
    private static final String PARK = """
            INSERT INTO readmodel.parked_events
                   (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type,
                    event_version, error, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (projection, topic, kafka_partition, kafka_offset) DO UPDATE SET error = excluded.error
            """;
    /** Which of the aggregates still have parked events: {@code parked retry} and {@code discard} release them. */
    private static final String STILL_PARKED = """
            SELECT DISTINCT aggregate_id FROM readmodel.parked_events WHERE projection = ? AND aggregate_id = ANY (?::uuid[])
            """;

    /** A delivery to park, and why. */
    private record Park(Delivery delivery, String error) {
    }

    /**
     * The batch's aggregates' positions, 0 for one without; {@code unplaced} have no row yet, which the
     * batch creates once it applies their first events.
     */
    private record Positions(Map<UUID, Integer> versions, Set<UUID> unplaced) {
    }

    /** Another writer created the position of an aggregate this batch found new: the batch is applied again. */
    private static final class PositionTaken extends RuntimeException {
        PositionTaken(int taken) {
            super(taken + " new aggregates' positions were created by another writer meanwhile", null, false, false);
        }
    }

    /** A delivery further ahead than the version after its aggregate's position. */
    private record Gap(Delivery delivery, int position) {
    }

    /**
     * What a batch came to: each delivery's outcome, in order, the aggregates it parked, and those of
     * {@code parkedBefore} it found released by an operator.
     */
    public record Written(List<Outcome> outcomes, Set<UUID> parked, Set<UUID> released) {
    }

    private final Projection projection;
    private final DataSource dataSource;
    private volatile DiscardedEvents discarded;

    public ProjectionWriter(Projection projection, DataSource dataSource) {
        this.projection = projection;
        this.dataSource = dataSource;
    }

    public Projection projection() {
        return projection;
    }

    /**
     * Applies a batch inside the caller's transaction, which it may roll back and fill again: when the
     * batch is refused as a whole, its events are applied again one by one, each under a savepoint, so that
     * only the refused ones are parked. The caller commits.
     *
     * @param parkedBefore aggregates with parked events, whose later events are parked behind them
     * @throws SQLException the database could not be used; the transaction is lost
     */
    public Written write(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore) throws SQLException {
        try {
            return writeAgainIfTaken(connection, deliveries, parkedBefore, false);
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            LOG.warn("{}: a batch of {} events was refused ({}: {}); applying them one by one to park the refused ones",
                    projection.name(), deliveries.size(), e.getSQLState(), e.getMessage());
            connection.rollback();
            return writeAgainIfTaken(connection, deliveries, parkedBefore, true);
        }
    }

    /**
     * Applies the batch, and again if another writer (a projector instance whose partitions moved, or one
     * that has not yet noticed that it lost them) created a position the batch found missing: the second time
     * that position exists, and its lock makes this batch wait for the other writer's transaction.
     */
    private Written writeAgainIfTaken(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore, boolean separately)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return write(connection, deliveries, parkedBefore, separately);
            } catch (PositionTaken e) {
                connection.rollback();
                if (attempt == 3) {
                    throw new SQLException(projection.name() + ": " + e.getMessage() + ", three times in a row", "40001", e);
                }
                LOG.info("{}: {}; applying the batch again", projection.name(), e.getMessage());
            }
        }
    }

    /** Applies events in a transaction of their own. */
    public Written write(List<Delivery> deliveries, Set<UUID> parkedBefore) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Written written = write(connection, deliveries, parkedBefore);
                connection.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Applies one event in a transaction of its own; the aggregates it parks join {@code parked}. */
    public Outcome apply(EventEnvelope event, RecordOrigin origin, Set<UUID> parked) throws SQLException {
        Written written = write(List.of(Delivery.of(origin, event)), parked);
        parked.removeAll(written.released());
        parked.addAll(written.parked());
        return written.outcomes().get(0);
    }

    private Written write(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore, boolean separately)
            throws SQLException {
        Positions locked = lockPositions(connection, deliveries, parkedBefore);
        Map<UUID, Integer> positions = locked.versions();
        Set<UUID> released = new HashSet<>();
        parkedBefore = stillParked(connection, positions.keySet(), parkedBefore, released);
        Map<UUID, Long> sequences = new HashMap<>();
        Set<UUID> parked = new HashSet<>();
        List<Park> parks = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        StatementWaves waves = new StatementWaves();
        Map<UUID, Fold> folds = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            EventEnvelope event = delivery.event();
            if (event == null) {
                if (delivery.aggregateId() != null) {
                    parked.add(delivery.aggregateId());
                }
                parks.add(new Park(delivery, "not an event envelope: " + delivery.unreadable()));
                outcomes.add(Outcome.PARKED);
                continue;
            }
            UUID aggregate = event.aggregateId();
            if (event.eventVersion() <= positions.get(aggregate)) {
                outcomes.add(Outcome.ALREADY_APPLIED);
                continue;
            }
            String refusal = parkedBefore.contains(aggregate) || parked.contains(aggregate)
                    ? "an earlier event of aggregate " + aggregate + " is parked" : null;
            if (refusal == null && event.eventVersion() > positions.get(aggregate) + 1) {
                gaps.add(new Gap(delivery, positions.get(aggregate)));
                outcomes.add(Outcome.VERSION_GAP);
                continue;
            }
            if (refusal == null && discarded(connection).contains(aggregate, event.sequence())) {
                positions.put(aggregate, event.eventVersion());
                sequences.put(aggregate, event.sequence());
                outcomes.add(Outcome.DISCARDED);
                continue;
            }
            StatementWaves.EventStatements statements = new StatementWaves.EventStatements();
            if (refusal == null) {
                try {
                    projection.apply(event, statements);
                } catch (RuntimeException e) {
                    // a payload the projection cannot read, or a projection that did not expect it
                    refusal = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            }
            if (refusal == null && separately) {
                refusal = executeAlone(connection, statements);
            }
            if (refusal != null) {
                parked.add(aggregate);
                parks.add(new Park(delivery, refusal));
                outcomes.add(Outcome.PARKED);
                continue;
            }
            if (!separately) {
                folds.computeIfAbsent(aggregate, key -> new Fold()).add(event, statements);
            }
            positions.put(aggregate, event.eventVersion());
            sequences.put(aggregate, event.sequence());
            outcomes.add(Outcome.APPLIED);
        }
        for (Map.Entry<UUID, Fold> aggregate : folds.entrySet()) {
            aggregate.getValue().into(waves, aggregate.getKey());
        }
        waves.execute(connection);
        setPositions(connection, locked, sequences);
        if (!parks.isEmpty()) {
            StatementWaves.execute(connection, PARK, parks.stream().map(this::parkRow).toList());
        }
        // logged once the statements ran: a batch refused as a whole and applied again parks each event once
        parks.forEach(ProjectionWriter::logPark);
        if (!separately) {
            // a batch applied again one by one meets the same gaps: they are logged the first time only
            gaps.stream().collect(Collectors.toMap(gap -> gap.delivery().aggregateId(), gap -> gap, (first, later) -> first,
                    LinkedHashMap::new)).values().forEach(this::logGap);
        }
        if (LOG.isDebugEnabled()) {
            for (int i = 0; i < deliveries.size(); i++) {
                logOutcome(deliveries.get(i).event(), outcomes.get(i));
            }
        }
        return new Written(outcomes, parked, released);
    }

    /** The events of one aggregate a batch applies and their statements, until the projection may fold them. */
    private final class Fold {
        private final List<EventEnvelope> events = new ArrayList<>(4);
        private final List<StatementWaves.EventStatements> statements = new ArrayList<>(4);

        void add(EventEnvelope event, StatementWaves.EventStatements eventStatements) {
            events.add(event);
            statements.add(eventStatements);
        }

        void into(StatementWaves waves, UUID aggregate) {
            if (events.size() > 1) {
                StatementWaves.EventStatements folded = new StatementWaves.EventStatements();
                try {
                    if (projection.fold(events, folded)) {
                        waves.add(aggregate, folded);
                        return;
                    }
                } catch (RuntimeException e) {
                    // each event was accepted alone: their own statements still apply them
                    LOG.warn("{}: folding {} events of aggregate {} failed, applying them one by one: {}", projection.name(),
                            events.size(), aggregate, e.toString());
                }
            }
            statements.forEach(eventStatements -> waves.add(aggregate, eventStatements));
        }
    }

    /**
     * Of the batch's aggregates known as parked, those that still are, read once their positions are
     * locked: an operator's retry or discard, which locks them too, has committed or not begun.
     */
    private Set<UUID> stillParked(Connection connection, Set<UUID> aggregates, Set<UUID> parkedBefore, Set<UUID> released)
            throws SQLException {
        UUID[] known = aggregates.stream().filter(parkedBefore::contains).toArray(UUID[]::new);
        if (known.length == 0) {
            return Set.of();
        }
        Set<UUID> still = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(STILL_PARKED)) {
            statement.setString(1, projection.name());
            statement.setArray(2, connection.createArrayOf("uuid", known));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    still.add(rows.getObject(1, UUID.class));
                }
            }
        }
        for (UUID aggregate : known) {
            if (!still.contains(aggregate)) {
                released.add(aggregate);
            }
        }
        return still;
    }

    private void logOutcome(EventEnvelope event, Outcome outcome) {
        if (event != null) {
            withCorrelationId(event, () -> LOG.debug("{} {} v{} of {} (sequence {}): {}", projection.name(), event.eventType(),
                    event.eventVersion(), event.aggregateId(), event.sequence(), outcome));
        }
    }

    private void logGap(Gap gap) {
        EventEnvelope event = gap.delivery().event();
        RecordOrigin origin = gap.delivery().origin();
        withCorrelationId(event, () -> LOG.warn("{}: held back {} v{} of aggregate {} (sequence {}, {}-{}@{}): the read model is at v{}, "
                + "so v{} has not arrived; it is applied when the relay sends the aggregate's events again",
                projection.name(), event.eventType(), event.eventVersion(), event.aggregateId(), event.sequence(), origin.topic(),
                origin.partition(), origin.offset(), gap.position(), gap.position() + 1));
    }

    private static void logPark(Park park) {
        EventEnvelope event = park.delivery().event();
        RecordOrigin origin = park.delivery().origin();
        withCorrelationId(event, () -> LOG.error("parked {} of aggregate {} (sequence {}, {}-{}@{}): {}",
                event == null ? "an unreadable record" : event.eventType(), park.delivery().aggregateId(),
                event == null ? "?" : event.sequence(), origin.topic(), origin.partition(), origin.offset(), park.error()));
    }

    /** Logs with the event's correlation id, if it has one, as a field of the line. */
    private static void withCorrelationId(EventEnvelope event, Runnable log) {
        if (event != null) {
            event.correlationId().ifPresent(id -> MDC.put("correlation_id", id));
        }
        try {
            log.run();
        } finally {
            MDC.remove("correlation_id");
        }
    }

    /** @return null when the statements ran, else why the database refused them (rolled back alone) */
    private static String executeAlone(Connection connection, StatementWaves.EventStatements statements) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            statements.execute(connection);
            connection.releaseSavepoint(savepoint);
            return null;
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            connection.rollback(savepoint);
            return e.getSQLState() + ": " + e.getMessage();
        }
    }

    private Positions lockPositions(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore) throws SQLException {
        // in one order, so that two transactions over the same aggregates cannot deadlock
        UUID[] aggregates = deliveries.stream().filter(delivery -> delivery.event() != null).map(Delivery::aggregateId)
                .distinct().sorted().toArray(UUID[]::new);
        Map<UUID, Integer> positions = new HashMap<>();
        Set<UUID> unplaced = new HashSet<>();
        if (aggregates.length == 0) {
            return new Positions(positions, unplaced);
        }
        boolean parked = Arrays.stream(aggregates).anyMatch(parkedBefore::contains);
        try (PreparedStatement statement = connection.prepareStatement(parked ? LOCK_OR_PLACE_POSITIONS : LOCK_POSITIONS)) {
            statement.setString(1, projection.name());
            statement.setArray(2, connection.createArrayOf("uuid", aggregates));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    positions.put(rows.getObject(1, UUID.class), rows.getInt(2));
                }
            }
        }
        for (UUID aggregate : aggregates) {
            if (positions.putIfAbsent(aggregate, 0) == null) {
                unplaced.add(aggregate);
            }
        }
        return new Positions(positions, unplaced);
    }

    /**
     * Moves the advanced positions and creates those of new aggregates; a new aggregate with nothing
     * applied leaves no position behind.
     */
    private void setPositions(Connection connection, Positions locked, Map<UUID, Long> sequences) throws SQLException {
        Map<UUID, Integer> positions = locked.versions();
        UUID[] moved = sequences.keySet().stream().filter(aggregate -> !locked.unplaced().contains(aggregate)).toArray(UUID[]::new);
        if (moved.length > 0) {
            try (PreparedStatement statement = connection.prepareStatement(SET_POSITIONS)) {
                bindPositions(connection, statement, 1, moved, positions, sequences);
                statement.setString(4, projection.name());
                statement.executeUpdate();
            }
        }
        UUID[] created = sequences.keySet().stream().filter(locked.unplaced()::contains).sorted().toArray(UUID[]::new);
        if (created.length > 0) {
            int inserted = 0;
            try (PreparedStatement statement = connection.prepareStatement(NEW_POSITIONS)) {
                statement.setString(1, projection.name());
                bindPositions(connection, statement, 2, created, positions, sequences);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        inserted++;
                    }
                }
            }
            if (inserted < created.length) {
                throw new PositionTaken(created.length - inserted);
            }
        }
        UUID[] placeholders = positions.entrySet().stream()
                .filter(position -> position.getValue() == 0 && !locked.unplaced().contains(position.getKey())).map(Map.Entry::getKey)
                .toArray(UUID[]::new);
        if (placeholders.length > 0) {
            try (PreparedStatement statement = connection.prepareStatement(DROP_PLACEHOLDERS)) {
                statement.setString(1, projection.name());
                statement.setArray(2, connection.createArrayOf("uuid", placeholders));
                statement.executeUpdate();
            }
        }
    }

    /** The aggregates, their positions and their sequences, as three arrays from parameter {@code first} on. */
    private static void bindPositions(Connection connection, PreparedStatement statement, int first, UUID[] aggregates,
            Map<UUID, Integer> positions, Map<UUID, Long> sequences) throws SQLException {
        statement.setArray(first, connection.createArrayOf("uuid", aggregates));
        statement.setArray(first + 1, connection.createArrayOf("integer", Arrays.stream(aggregates).map(positions::get).toArray()));
        statement.setArray(first + 2, connection.createArrayOf("bigint", Arrays.stream(aggregates).map(sequences::get).toArray()));
    }

    private Object[] parkRow(Park park) {
        Delivery delivery = park.delivery();
        EventEnvelope event = delivery.event();
        RecordOrigin origin = delivery.origin();
        return new Object[] {projection.name(), origin.topic(), origin.partition(), origin.offset(), delivery.aggregateId(),
            event == null ? null : event.sequence(), event == null ? null : event.eventType(),
            event == null ? null : event.eventVersion(), printable(park.error()),
            printable(delivery.value() != null ? delivery.value() : event == null ? null : EventJson.toText(event))};
    }

    /**
     * The events discarded from this read model, read at the first batch: a discard moves an aggregate's
     * position past its events, so only a replay or rebuild, which starts the projector anew, meets them again.
     */
    private DiscardedEvents discarded(Connection connection) throws SQLException {
        DiscardedEvents known = discarded;
        if (known == null) {
            // a shadow build skips what the operator discarded from the live read model, as its rebuild would
            String readModel = projection instanceof ShadowProjection shadow ? shadow.live().name() : projection.name();
            known = DiscardedEvents.of(connection, readModel);
            discarded = known;
        }
        return known;
    }

    /**
     * Empties the read model for a rebuild: its tables, its positions and its parked events, in one
     * transaction, so that a replay from the earliest offset makes it anew.
     */
    public void clear() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.executeUpdate("TRUNCATE " + projection.tables().stream().map(Projection.Table::name)
                        .collect(Collectors.joining(", ")));
                forget(connection, projection.name());
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Deletes what a projector keeps of a read model beside its rows: its positions and its parked events. */
    static void forget(Connection connection, String projection) throws SQLException {
        for (String table : List.of("readmodel.projection_positions", "readmodel.parked_events")) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE projection = ?")) {
                delete.setString(1, projection);
                delete.executeUpdate();
            }
        }
    }

    /** PostgreSQL text cannot hold NUL: a poison record may, and must still be parked. */
    private static String printable(String text) {
        return text == null ? null : text.replace("\u0000", "\\u0000");
    }

    /** The aggregates of this read model with parked events, read when a task starts. */
    public Set<UUID> parkedAggregates() throws SQLException {
        Set<UUID> parked = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT DISTINCT aggregate_id FROM readmodel.parked_events WHERE projection = ? AND aggregate_id IS NOT NULL")) {
            statement.setString(1, projection.name());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    parked.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return parked;
    }
}
