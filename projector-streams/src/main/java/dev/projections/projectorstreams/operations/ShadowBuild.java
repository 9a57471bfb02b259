package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.ShadowProjection;
import dev.projections.projectorstreams.ReadModelRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A read model rebuilt beside the live one: shadow copies of its tables that a {@link ShadowProjection}
 * fills from the earliest offsets while the live read model keeps serving, a comparison of the two, and
 * the swap that puts the shadow's rows in place in one transaction, so that a reader sees the old rows
 * until it commits and the new ones after, never an empty or partial read model.
 */
public final class ShadowBuild {

    /**
     * How one table of the shadow compares with the live one: rows each has that the other has not, a few of
     * their aggregates, and the differing rows of the first of them, live and shadow.
     */
    public record TableDiff(String table, long liveRows, long shadowRows, long onlyLive, long onlyShadow, List<String> sample,
            List<String> sampleRows) {

        public boolean same() {
            return onlyLive == 0 && onlyShadow == 0;
        }

        @Override
        public String toString() {
            return String.format("%s: %,d rows live, %,d in the shadow; %,d only live, %,d only in the shadow%s", table, liveRows,
                    shadowRows, onlyLive, onlyShadow, sample.isEmpty() ? "" : "; e.g. aggregates " + String.join(", ", sample));
        }
    }

    private static final int SAMPLE = 5;

    private final Projection live;
    private final ShadowProjection shadow;
    private final DataSource dataSource;

    public ShadowBuild(Projection live, DataSource dataSource) {
        this.live = live;
        this.shadow = new ShadowProjection(live);
        this.dataSource = dataSource;
    }

    public ShadowProjection projection() {
        return shadow;
    }

    /** The version the live read model's rows were made by; empty when no projector of it has started yet. */
    public Optional<Integer> liveVersion() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return ReadModelRegistry.version(connection, live.name());
        }
    }

    /**
     * Fresh copies of the live tables' definitions (columns, defaults, checks, indexes, and the foreign keys
     * between them, so that a deletion cascades in the shadow as in the live tables), with no positions or
     * parked events.
     */
    public void prepare() throws SQLException {
        inTransaction(statement -> {
            TableCopies.create(statement.getConnection(), shadow, false);
            Rebuild.forget(statement.getConnection(), shadow.name());
        });
    }

    /** Each table of the shadow against the live one, read in one snapshot. */
    public List<TableDiff> compare() throws SQLException {
        List<TableDiff> diffs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                for (Projection.Table table : live.tables()) {
                    String copy = shadow.copyOf(table.name());
                    String onlyLive = "SELECT row_to_json(t)::jsonb AS r FROM " + table.name() + " t EXCEPT ALL SELECT row_to_json(s)::jsonb FROM "
                            + copy + " s";
                    String onlyShadow = "SELECT row_to_json(s)::jsonb AS r FROM " + copy + " s EXCEPT ALL SELECT row_to_json(t)::jsonb FROM "
                            + table.name() + " t";
                    String aggregate = "r ->> '" + table.aggregateColumn() + "'";
                    List<String> sample = ReadModelVerifier.strings(connection, "SELECT DISTINCT " + aggregate + " FROM (" + onlyLive + " UNION ALL " + onlyShadow
                            + ") d ORDER BY 1 LIMIT " + SAMPLE);
                    List<String> sampleRows = sample.isEmpty() ? List.of() : ReadModelVerifier.strings(connection, "SELECT 'live   ' || r::text FROM (" + onlyLive
                            + ") d WHERE " + aggregate + " = '" + sample.get(0) + "' UNION ALL SELECT 'shadow ' || r::text FROM (" + onlyShadow
                            + ") d WHERE " + aggregate + " = '" + sample.get(0) + "' LIMIT " + (2 * SAMPLE));
                    diffs.add(new TableDiff(table.name(), count(connection, "SELECT count(*) FROM " + table.name()),
                            count(connection, "SELECT count(*) FROM " + copy), count(connection, "SELECT count(*) FROM (" + onlyLive + ") d"),
                            count(connection, "SELECT count(*) FROM (" + onlyShadow + ") d"), sample, sampleRows));
                }
            } finally {
                connection.rollback();
            }
        }
        return diffs;
    }

    /**
     * Puts the shadow's rows, positions and parked events in place of the live ones, sets the read model's
     * version to the shadow's, and drops the copies, in one transaction. The live read model's projectors must be stopped, and its consumer group given
     * the shadow's offsets, for what follows the swap to continue from where the shadow was.
     */
    public void swap() throws SQLException {
        inTransaction(statement -> {
            for (Projection.Table table : live.tables()) {
                statement.execute("DELETE FROM " + table.name());
            }
            List<Projection.Table> mainFirst = new ArrayList<>(live.tables());
            Collections.reverse(mainFirst);
            for (Projection.Table table : mainFirst) {
                statement.execute("INSERT INTO " + table.name() + " SELECT * FROM " + shadow.copyOf(table.name()));
            }
            Connection connection = statement.getConnection();
            Rebuild.forget(connection, live.name());
            ReadModelRegistry.setVersion(connection, live);
            for (String table : List.of("readmodel.projection_positions", "readmodel.parked_events")) {
                try (PreparedStatement move = connection.prepareStatement("UPDATE " + table + " SET projection = ? WHERE projection = ?")) {
                    move.setString(1, live.name());
                    move.setString(2, shadow.name());
                    move.executeUpdate();
                }
            }
            dropCopies(statement);
        });
    }

    /** Drops the copies and what the shadow projection kept, as when a shadow build is abandoned. */
    public void drop() throws SQLException {
        inTransaction(statement -> {
            dropCopies(statement);
            Rebuild.forget(statement.getConnection(), shadow.name());
        });
    }

    private void dropCopies(Statement statement) throws SQLException {
        for (Projection.Table table : live.tables()) {
            statement.execute("DROP TABLE IF EXISTS " + shadow.copyOf(table.name()));
        }
    }

    private interface Work {
        void run(Statement statement) throws SQLException;
    }

    private void inTransaction(Work work) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                work.run(statement);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
