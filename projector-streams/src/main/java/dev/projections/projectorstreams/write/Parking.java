package dev.projections.projectorstreams.write;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A read model's parked events, {@code readmodel.parked_events}: an event the projection or the database
 * refused, with every later event of its aggregate, while other aggregates flow on. It also knows which
 * aggregates have parked events, as committed: read from the database when a task starts, then kept up to
 * date by each batch. An operator's {@code parked retry} or {@code discard} releases an aggregate, which a
 * batch finds out once it holds the aggregate's position lock.
 */
public final class Parking {

    private static final Logger LOG = LoggerFactory.getLogger(Parking.class);

    /** An event parked again (read again, retried) keeps its first row, with the new error. */
    private static final String PARK_EVENT = """
            INSERT INTO readmodel.parked_events
                   (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type,
                    event_version, error, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (projection, sequence) WHERE sequence IS NOT NULL DO UPDATE SET error = excluded.error
            """;
    /** A record that is not an event is known by where it was read: the latest record read there is the one parked. */
    private static final String PARK_RECORD = """
            INSERT INTO readmodel.parked_events
                   (projection, topic, kafka_partition, kafka_offset, aggregate_id, sequence, event_type,
                    event_version, error, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (projection, topic, kafka_partition, kafka_offset) WHERE sequence IS NULL
            DO UPDATE SET aggregate_id = excluded.aggregate_id, error = excluded.error, record_value = excluded.record_value,
                          parked_at = now()
            """;
    private static final String STILL_PARKED = """
            SELECT DISTINCT aggregate_id FROM readmodel.parked_events WHERE projection = ? AND aggregate_id = ANY (?::uuid[])
            """;
    private static final String PARKED = """
            SELECT DISTINCT aggregate_id FROM readmodel.parked_events WHERE projection = ? AND aggregate_id IS NOT NULL
            """;

    /** A delivery to park, and why. */
    record Park(Delivery delivery, String error) {
    }

    private final String projection;
    /** Aggregates with parked events, as committed: a park rolled back is not one. */
    private final Set<UUID> known = ConcurrentHashMap.newKeySet();

    Parking(String projection) {
        this.projection = projection;
    }

    /** Reads which aggregates have parked events, as a task starts. */
    void load(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            known.addAll(aggregates(connection, projection));
        }
    }

    /** The aggregates of the read model with parked events. */
    public static Set<UUID> aggregates(Connection connection, String projection) throws SQLException {
        Set<UUID> parked = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(PARKED)) {
            statement.setString(1, projection);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    parked.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return parked;
    }

    Set<UUID> known() {
        return known;
    }

    /** A batch committed: what it parked and what it found released. */
    void committed(BatchTransaction.Result result) {
        known.removeAll(result.released());
        known.addAll(result.parked());
    }

    /**
     * Of the aggregates known as parked, those that still are, read once their positions are locked: an
     * operator's retry or discard, which locks them too, has committed or not begun. Those no longer parked
     * join {@code released}.
     */
    Set<UUID> stillParked(Connection connection, Set<UUID> aggregates, Set<UUID> parkedBefore, Set<UUID> released) throws SQLException {
        UUID[] candidates = aggregates.stream().filter(parkedBefore::contains).toArray(UUID[]::new);
        if (candidates.length == 0) {
            return Set.of();
        }
        Set<UUID> still = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(STILL_PARKED)) {
            statement.setString(1, projection);
            statement.setArray(2, connection.createArrayOf("uuid", candidates));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    still.add(rows.getObject(1, UUID.class));
                }
            }
        }
        for (UUID aggregate : candidates) {
            if (!still.contains(aggregate)) {
                released.add(aggregate);
            }
        }
        return still;
    }

    /** Writes the parked rows in the batch's transaction; they are logged once it has run them. */
    void park(Connection connection, List<Park> parks) throws SQLException {
        if (parks.isEmpty()) {
            return;
        }
        // an event delivered twice in one batch is parked once: the batch's inserts may go as one statement
        Map<Long, Object[]> events = new LinkedHashMap<>();
        List<Object[]> records = new ArrayList<>();
        for (Park park : parks) {
            Delivery delivery = park.delivery();
            EventEnvelope event = delivery.event();
            RecordOrigin origin = delivery.origin();
            Object[] row = {projection, origin.topic(), origin.partition(), origin.offset(), delivery.aggregateId(),
                event == null ? null : event.sequence(), event == null ? null : event.eventType(),
                event == null ? null : event.eventVersion(), printable(park.error()),
                printable(delivery.value() != null ? delivery.value() : event == null ? null : EventJson.toText(event))};
            if (event == null) {
                records.add(row);
            } else {
                events.putIfAbsent(event.sequence(), row);
            }
        }
        if (!events.isEmpty()) {
            StatementWaves.execute(connection, PARK_EVENT, new ArrayList<>(events.values()));
        }
        if (!records.isEmpty()) {
            StatementWaves.execute(connection, PARK_RECORD, records);
        }
        parks.forEach(Parking::log);
    }

    private static void log(Park park) {
        EventEnvelope event = park.delivery().event();
        RecordOrigin origin = park.delivery().origin();
        withCorrelationId(event, () -> LOG.error("parked {} of aggregate {} (sequence {}, {}-{}@{}): {}",
                event == null ? "an unreadable record" : event.eventType(), park.delivery().aggregateId(),
                event == null ? "?" : event.sequence(), origin.topic(), origin.partition(), origin.offset(), park.error()));
    }

    /** Logs with the event's correlation id, if it has one, as a field of the line. */
    static void withCorrelationId(EventEnvelope event, Runnable log) {
        if (event != null) {
            event.correlationId().ifPresent(id -> MDC.put("correlation_id", id));
        }
        try {
            log.run();
        } finally {
            MDC.remove("correlation_id");
        }
    }

    /** PostgreSQL text cannot hold NUL: a poison record may, and must still be parked. */
    private static String printable(String text) {
        return text == null ? null : text.replace("\u0000", "\\u0000");
    }
}
