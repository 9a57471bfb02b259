package dev.projections.projectorstreams.write;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The events an operator discarded from a read model ({@code bin/pipeline parked discard}), by aggregate:
 * a rebuild skips them again, and {@code verify} leaves them out of what an aggregate's events make, so
 * that the read model stays what the operator decided.
 */
public final class DiscardedEvents {

    private final Map<UUID, Set<Long>> sequences;

    private DiscardedEvents(Map<UUID, Set<Long>> sequences) {
        this.sequences = sequences;
    }

    public static DiscardedEvents of(Connection connection, String projection) throws SQLException {
        Map<UUID, Set<Long>> sequences = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT aggregate_id, sequence FROM readmodel.discarded_events
                 WHERE projection = ? AND aggregate_id IS NOT NULL AND sequence IS NOT NULL""")) {
            query.setString(1, projection);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sequences.computeIfAbsent(rows.getObject(1, UUID.class), id -> new HashSet<>()).add(rows.getLong(2));
                }
            }
        }
        return new DiscardedEvents(sequences);
    }

    public boolean contains(UUID aggregate, long sequence) {
        Set<Long> discarded = sequences.get(aggregate);
        return discarded != null && discarded.contains(sequence);
    }

    /**
     * A read model's discarded events, read at its first batch: a discard moves an aggregate's position past
     * its events, so only a replay or rebuild, which starts the projector anew, meets them again.
     */
    static final class Cached {
        private final String readModel;
        private volatile DiscardedEvents discarded;

        Cached(String readModel) {
            this.readModel = readModel;
        }

        DiscardedEvents of(Connection connection) throws SQLException {
            DiscardedEvents known = discarded;
            if (known == null) {
                known = DiscardedEvents.of(connection, readModel);
                discarded = known;
            }
            return known;
        }
    }
}
