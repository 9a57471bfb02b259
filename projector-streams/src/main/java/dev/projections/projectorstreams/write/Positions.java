package dev.projections.projectorstreams.write;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A batch's aggregates' positions in {@code readmodel.projection_positions}: the version of each aggregate the
 * read model reflects, locked for the batch's transaction, 0 for an aggregate without one. An aggregate new
 * to the read model ({@link #unplaced}) has no row to lock: the batch creates it, and is refused as a
 * serialization failure (state 40001, applied again) should another writer have created it meanwhile.
 */
final class Positions {

    /** Locks and reads the positions the aggregates have; an aggregate new to the read model has none yet. */
    private static final String LOCK = """
            SELECT aggregate_id, version FROM readmodel.projection_positions
             WHERE projection = ? AND aggregate_id = ANY (?::uuid[])
             ORDER BY aggregate_id
               FOR UPDATE
            """;
    /**
     * Locks each aggregate's position, creating a placeholder at 0 for a new one, and reads it: for a batch
     * with parked aggregates, whose positions an operator's retry or discard may be creating at the same time.
     */
    private static final String LOCK_OR_PLACE = """
            INSERT INTO readmodel.projection_positions AS p (projection, aggregate_id, version, sequence)
            SELECT ?, aggregate_id, 0, 0 FROM unnest(?::uuid[]) AS a (aggregate_id)
            ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = p.version
            RETURNING aggregate_id, version
            """;
    private static final String MOVE = """
            UPDATE readmodel.projection_positions AS p SET version = u.version, sequence = u.sequence
              FROM unnest(?::uuid[], ?::integer[], ?::bigint[]) AS u (aggregate_id, version, sequence)
             WHERE p.projection = ? AND p.aggregate_id = u.aggregate_id
            """;
    /** The first positions of new aggregates; one another writer created meanwhile is not returned. */
    private static final String CREATE = """
            INSERT INTO readmodel.projection_positions (projection, aggregate_id, version, sequence)
            SELECT ?, aggregate_id, version, sequence FROM unnest(?::uuid[], ?::integer[], ?::bigint[]) AS u (aggregate_id, version, sequence)
            ON CONFLICT (projection, aggregate_id) DO NOTHING
            RETURNING aggregate_id
            """;
    private static final String DROP_PLACEHOLDERS = """
            DELETE FROM readmodel.projection_positions WHERE projection = ? AND aggregate_id = ANY (?::uuid[]) AND version = 0
            """;
    /** PostgreSQL's serialization failure: the transaction raced another and is applied again. */
    static final String RACED = "40001";

    private final String projection;
    private final Map<UUID, Integer> versions = new HashMap<>();
    private final Set<UUID> unplaced = new HashSet<>();
    /** The sequence of the last event applied to each aggregate whose position moves. */
    private final Map<UUID, Long> sequences = new HashMap<>();

    private Positions(String projection) {
        this.projection = projection;
    }

    /**
     * Locks the aggregates' positions, in one order so that two transactions over the same aggregates cannot
     * deadlock.
     *
     * @param placeholders whether to create a placeholder for a new aggregate, to hold its lock
     */
    static Positions lock(Connection connection, String projection, Set<UUID> aggregates, boolean placeholders) throws SQLException {
        Positions positions = new Positions(projection);
        UUID[] sorted = aggregates.stream().sorted().toArray(UUID[]::new);
        if (sorted.length == 0) {
            return positions;
        }
        try (PreparedStatement statement = connection.prepareStatement(placeholders ? LOCK_OR_PLACE : LOCK)) {
            statement.setString(1, projection);
            statement.setArray(2, connection.createArrayOf("uuid", sorted));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    positions.versions.put(rows.getObject(1, UUID.class), rows.getInt(2));
                }
            }
        }
        for (UUID aggregate : sorted) {
            if (positions.versions.putIfAbsent(aggregate, 0) == null) {
                positions.unplaced.add(aggregate);
            }
        }
        return positions;
    }

    Set<UUID> aggregates() {
        return versions.keySet();
    }

    /** The version the read model reflects of the aggregate, 0 for none. */
    int version(UUID aggregate) {
        return versions.get(aggregate);
    }

    /** The aggregate's events up to this one are applied (or discarded). */
    void advance(UUID aggregate, int version, long sequence) {
        versions.put(aggregate, version);
        sequences.put(aggregate, sequence);
    }

    /**
     * Writes the advanced positions and creates those of new aggregates; a new aggregate with nothing applied
     * leaves no position behind, nor does a placeholder.
     *
     * @throws SQLException state {@value #RACED} when another writer created a new aggregate's position meanwhile
     */
    void write(Connection connection) throws SQLException {
        UUID[] moved = sequences.keySet().stream().filter(aggregate -> !unplaced.contains(aggregate)).toArray(UUID[]::new);
        if (moved.length > 0) {
            try (PreparedStatement statement = connection.prepareStatement(MOVE)) {
                bind(connection, statement, 1, moved);
                statement.setString(4, projection);
                statement.executeUpdate();
            }
        }
        UUID[] created = sequences.keySet().stream().filter(unplaced::contains).sorted().toArray(UUID[]::new);
        if (created.length > 0) {
            int inserted = 0;
            try (PreparedStatement statement = connection.prepareStatement(CREATE)) {
                statement.setString(1, projection);
                bind(connection, statement, 2, created);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        inserted++;
                    }
                }
            }
            if (inserted < created.length) {
                // another instance applied them (one whose partitions moved, or that has not yet noticed it lost
                // them): applied again, the batch finds their positions and waits for that instance's transaction
                throw new SQLException(projection + ": " + (created.length - inserted)
                        + " new aggregates' positions were created by another writer meanwhile", RACED);
            }
        }
        UUID[] placeholders = versions.entrySet().stream().filter(position -> position.getValue() == 0 && !unplaced.contains(position.getKey()))
                .map(Map.Entry::getKey).toArray(UUID[]::new);
        if (placeholders.length > 0) {
            try (PreparedStatement statement = connection.prepareStatement(DROP_PLACEHOLDERS)) {
                statement.setString(1, projection);
                statement.setArray(2, connection.createArrayOf("uuid", placeholders));
                statement.executeUpdate();
            }
        }
    }

    /** The aggregates, their versions and their sequences, as three arrays from parameter {@code first} on. */
    private void bind(Connection connection, PreparedStatement statement, int first, UUID[] aggregates) throws SQLException {
        statement.setArray(first, connection.createArrayOf("uuid", aggregates));
        statement.setArray(first + 1, connection.createArrayOf("integer", Arrays.stream(aggregates).map(versions::get).toArray()));
        statement.setArray(first + 2, connection.createArrayOf("bigint", Arrays.stream(aggregates).map(sequences::get).toArray()));
    }
}
