package dev.projections.eventcatalogue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.upcasting.Upcasters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Rows of {@code eventstore.events} as envelopes: the one mapping of a stored event, for the writer's
 * library, the checks and retries of read models ({@link #ofAggregate}, {@link #bySequence}: each read as the
 * catalogue's current type, see {@link Upcasters}), and re-publishing ({@link #asStored}: as the relay
 * publishes it, its payload the stored text).
 */
public final class StoredEvents {

    private static final String SELECT = """
            SELECT id, sequence, aggregate_id, aggregate_type, event_type, event_version, payload::text, metadata::text, created_at
              FROM eventstore.events
            """;

    private StoredEvents() {
    }

    /** The aggregate's events after {@code version}, in version order (after 0: all of them). */
    public static List<EventEnvelope> ofAggregate(Connection connection, UUID aggregate, int version) throws SQLException {
        return query(connection, true, SELECT + " WHERE aggregate_id = ? AND event_version > ? ORDER BY event_version", aggregate, version);
    }

    /** The aggregates' events, each aggregate's in version order. */
    public static List<EventEnvelope> ofAggregates(Connection connection, List<UUID> aggregates) throws SQLException {
        return query(connection, true, SELECT + " WHERE aggregate_id = ANY (?) ORDER BY aggregate_id, event_version",
                connection.createArrayOf("uuid", aggregates.toArray()));
    }

    /**
     * At most {@code limit} events by sequence, after the given one. A sequence is taken at insert and seen at
     * commit, so a transaction still open may later fill a gap below the last sequence read: this reads what
     * is committed, it does not tail the store (the relay does).
     */
    public static List<EventEnvelope> bySequence(Connection connection, long afterSequence, int limit) throws SQLException {
        return query(connection, true, SELECT + " WHERE sequence > ? ORDER BY sequence LIMIT ?", afterSequence, limit);
    }

    /** Like {@link #bySequence}, each event as stored, not upcast: what the relay publishes of it. */
    public static List<EventEnvelope> asStored(Connection connection, long afterSequence, int limit) throws SQLException {
        return query(connection, false, SELECT + " WHERE sequence > ? ORDER BY sequence LIMIT ?", afterSequence, limit);
    }

    private static List<EventEnvelope> query(Connection connection, boolean upcast, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<EventEnvelope> events = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    EventEnvelope event = new EventEnvelope(rows.getObject(1, UUID.class), rows.getLong(2), rows.getObject(3, UUID.class),
                            rows.getString(4), rows.getString(5), rows.getInt(6), rows.getObject(9, OffsetDateTime.class).toInstant(),
                            upcast ? EventJson.tree(rows.getString(7)) : EventJson.raw(rows.getString(7)),
                            (ObjectNode) EventJson.tree(rows.getString(8)));
                    events.add(upcast ? Upcasters.CURRENT.upcast(event) : event);
                }
            }
            return events;
        }
    }
}
