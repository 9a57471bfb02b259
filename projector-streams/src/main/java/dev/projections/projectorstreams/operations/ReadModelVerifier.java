package dev.projections.projectorstreams.operations;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.StoredEvents;
import dev.projections.projectorstreams.ShadowProjection;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.write.DiscardedEvents;
import dev.projections.projectorstreams.write.Parking;
import dev.projections.projectorstreams.write.StatementWaves;
import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Checks a read model against {@code eventstore.events}. Aggregate by aggregate, a few hundred at a time, it
 * applies their events with the projection itself into temporary copies of the read model's tables, and
 * compares what they make, column by column, with the rows there are: a missing or extra row, a row behind its
 * aggregate's last version, a row a deleted aggregate should not have, and a value changed by hand all show.
 * It writes nothing of the read model, so it locks none of its rows, and the projectors go on meanwhile. It
 * also lists references into other read models that lead nowhere. The projector should have caught up (no
 * lag), or events in flight show as differences too.
 */
public final class ReadModelVerifier {

    /** One thing that differs, about one aggregate or row. */
    public record Difference(String readModel, String kind, String subject, String detail) {

        @Override
        public String toString() {
            return readModel + " " + subject + ": " + kind + ": " + detail;
        }
    }

    /** What a verification found. */
    public record Report(String readModel, int aggregates, List<Difference> differences) {
    }

    private static final int MAX_DANGLING_LISTED = 20;
    private static final int BATCH = 500;

    private final Projection projection;
    private final ShadowProjection scratch;
    private final DataSource dataSource;

    public ReadModelVerifier(Projection projection, DataSource dataSource) {
        this.projection = projection;
        this.scratch = new ShadowProjection(projection, "pg_temp");
        this.dataSource = dataSource;
    }

    /** Told, batch by batch, how many of the aggregates are checked. */
    public interface Progress {
        void checked(long aggregates, long of);
    }

    /** Every aggregate, and the references. */
    public Report verify(Progress progress) throws SQLException {
        return verify(aggregates(), true, progress);
    }

    /** Only these aggregates, and no check of references (which spans the whole read model). */
    public Report verify(Collection<UUID> only) throws SQLException {
        return verify(new LinkedHashSet<>(only), false, (checked, of) -> { });
    }

    private Report verify(Set<UUID> aggregates, boolean references, Progress progress) throws SQLException {
        List<Difference> differences = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            Set<UUID> parked = Parking.aggregates(connection, projection.name());
            DiscardedEvents discarded = DiscardedEvents.of(connection, projection.name());
            connection.setAutoCommit(false);
            TableCopies.create(connection, scratch, true);
            connection.commit();
            List<UUID> batch = new ArrayList<>(BATCH);
            long checked = 0;
            for (Iterator<UUID> next = aggregates.iterator(); next.hasNext(); ) {
                UUID aggregate = next.next();
                if (parked.contains(aggregate)) {
                    differences.add(new Difference(projection.name(), "parked", aggregate.toString(),
                            "it has events in readmodel.parked_events; its rows stop before them"));
                } else {
                    batch.add(aggregate);
                }
                checked++;
                if (batch.size() == BATCH || !next.hasNext()) {
                    compare(connection, batch, discarded, differences);
                    // the copies empty at each commit
                    connection.commit();
                    batch.clear();
                    progress.checked(checked, aggregates.size());
                }
            }
        }
        if (references) {
            differences.addAll(danglingReferences());
        }
        return new Report(projection.name(), aggregates.size(), differences);
    }

    /**
     * The batch's events applied into the copies, as the projection applies them one by one, those an operator
     * discarded left out as the projector leaves them out; then the copies' rows against the live ones.
     */
    private void compare(Connection connection, List<UUID> batch, DiscardedEvents discarded, List<Difference> differences)
            throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        Map<UUID, List<StatementWaves.EventStatements>> statements = new HashMap<>();
        Set<UUID> refused = new HashSet<>();
        for (EventEnvelope event : StoredEvents.ofAggregates(connection, batch)) {
            if (!discarded.contains(event.aggregateId(), event.sequence()) && !refused.contains(event.aggregateId())) {
                StatementWaves.EventStatements eventStatements = new StatementWaves.EventStatements();
                try {
                    scratch.apply(event, eventStatements);
                    statements.computeIfAbsent(event.aggregateId(), id -> new ArrayList<>()).add(eventStatements);
                } catch (RuntimeException e) {
                    differences.add(unappliable(event.aggregateId(), e.getMessage()));
                    refused.add(event.aggregateId());
                    statements.remove(event.aggregateId());
                }
            }
        }
        Savepoint before = connection.setSavepoint();
        try {
            StatementWaves waves = new StatementWaves();
            statements.forEach((aggregate, list) -> list.forEach(eventStatements -> waves.add(aggregate, eventStatements)));
            waves.execute(connection);
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            // one aggregate's rows refused: each aggregate alone, to name those whose events cannot be applied
            connection.rollback(before);
            applyOneByOne(connection, statements, refused, differences);
        }
        Map<UUID, List<List<String>>> expected = rows(connection, scratch, batch);
        Map<UUID, List<List<String>>> actual = rows(connection, projection, batch);
        for (UUID aggregate : batch) {
            for (int i = 0; !refused.contains(aggregate) && i < projection.tables().size(); i++) {
                RowDifferences.describe(projection.name(), projection.tables().get(i).name(), aggregate, actual.get(aggregate).get(i),
                        expected.get(aggregate).get(i), differences);
            }
        }
    }

    private void applyOneByOne(Connection connection, Map<UUID, List<StatementWaves.EventStatements>> statements, Set<UUID> refused,
            List<Difference> differences) throws SQLException {
        for (Map.Entry<UUID, List<StatementWaves.EventStatements>> aggregate : statements.entrySet()) {
            SQLException refusal = StatementWaves.refusedAlone(connection, aggregate.getValue());
            if (refusal != null) {
                differences.add(unappliable(aggregate.getKey(), refusal.getMessage()));
                refused.add(aggregate.getKey());
            }
        }
    }

    private Difference unappliable(UUID aggregate, String why) {
        return new Difference(projection.name(), "unappliable", aggregate.toString(), "its events cannot be applied: " + why);
    }

    /** For each aggregate, each table's rows of it as JSON text, in one order: the live ones, or the copies'. */
    private static Map<UUID, List<List<String>>> rows(Connection connection, Projection tablesOf, List<UUID> aggregates) throws SQLException {
        Map<UUID, List<List<String>>> rows = new HashMap<>();
        List<Projection.Table> tables = tablesOf.tables();
        for (UUID aggregate : aggregates) {
            List<List<String>> perTable = new ArrayList<>();
            tables.forEach(table -> perTable.add(new ArrayList<>()));
            rows.put(aggregate, perTable);
        }
        for (int i = 0; i < tables.size(); i++) {
            Projection.Table table = tables.get(i);
            try (PreparedStatement statement = connection.prepareStatement("SELECT t." + table.aggregateColumn() + ", row_to_json(t)::text FROM "
                    + table.name() + " t WHERE t." + table.aggregateColumn() + " = ANY (?) ORDER BY 2")) {
                statement.setArray(1, connection.createArrayOf("uuid", aggregates.toArray()));
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.get(result.getObject(1, UUID.class)).get(i).add(result.getString(2));
                    }
                }
            }
        }
        return rows;
    }

    /** Every aggregate of the model's types in the event store, and every main row, even one without events. */
    private Set<UUID> aggregates() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Set<UUID> aggregates = new LinkedHashSet<>();
            try (PreparedStatement statement = connection.prepareStatement("""
                    SELECT aggregate_id FROM eventstore.events WHERE aggregate_type = ANY (?) AND event_version = 1
                     ORDER BY sequence""")) {
                statement.setArray(1, connection.createArrayOf("text", projection.aggregateTypes().toArray()));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        aggregates.add(rows.getObject(1, UUID.class));
                    }
                }
            }
            for (String id : strings(connection, "SELECT id::text FROM " + projection.mainTable() + " ORDER BY id")) {
                aggregates.add(UUID.fromString(id));
            }
            return aggregates;
        }
    }

    private List<Difference> danglingReferences() throws SQLException {
        List<Difference> differences = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Projection.Reference reference : projection.references()) {
                String dangling = " FROM " + reference.table() + " r WHERE r." + reference.column() + " IS NOT NULL AND NOT EXISTS"
                        + " (SELECT 1 FROM " + reference.targetTable() + " t WHERE t.id = r." + reference.column() + ")";
                long count = Long.parseLong(strings(connection, "SELECT count(*)" + dangling).get(0));
                for (String row : strings(connection, "SELECT r.id || ' -> ' || r." + reference.column() + dangling + " ORDER BY 1 LIMIT "
                        + MAX_DANGLING_LISTED)) {
                    differences.add(new Difference(projection.name(), "dangling reference", reference.table() + "." + reference.column(),
                            row + " has no row in " + reference.targetTable()));
                }
                if (count > MAX_DANGLING_LISTED) {
                    differences.add(new Difference(projection.name(), "dangling reference", reference.table() + "." + reference.column(),
                            (count - MAX_DANGLING_LISTED) + " more"));
                }
            }
        }
        return differences;
    }

    static List<String> strings(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }
}
