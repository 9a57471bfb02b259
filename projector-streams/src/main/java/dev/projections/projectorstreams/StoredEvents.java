package dev.projections.projectorstreams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
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
 * An aggregate's events as {@code eventstore.events} holds them, read as the catalogue's current types (see
 * {@link Upcasters}): what read models are checked and retried against.
 */
final class StoredEvents {

    private StoredEvents() {
    }

    /** The aggregate's events after {@code version}, in version order. */
    static List<EventEnvelope> after(Connection connection, UUID aggregate, int version) throws SQLException {
        List<EventEnvelope> events = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT id, sequence, aggregate_type, event_type, event_version, payload::text, metadata::text, created_at
                  FROM eventstore.events WHERE aggregate_id = ? AND event_version > ? ORDER BY event_version""")) {
            statement.setObject(1, aggregate);
            statement.setInt(2, version);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(Upcasters.CURRENT.upcast(new EventEnvelope(rows.getObject(1, UUID.class), rows.getLong(2), aggregate,
                            rows.getString(3), rows.getString(4), rows.getInt(5), rows.getObject(8, OffsetDateTime.class).toInstant(),
                            EventJson.tree(rows.getString(6)), (ObjectNode) EventJson.tree(rows.getString(7)))));
                }
            }
        }
        return events;
    }
}
