package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.write.StatementWaves;
import dev.projections.projectorstreams.write.DiscardedEvents;
import dev.projections.projectorstreams.write.Parking;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.eventcatalogue.StoredEvents;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Checks a read model against {@code eventstore.events}. For each aggregate it rebuilds the aggregate's
 * rows from its events with the projection itself, inside a transaction it then rolls back, and compares
 * them column by column with the rows there are: a missing or extra row, a row behind its aggregate's last
 * version, a row a deleted aggregate should not have, and a value changed by hand all show. It also lists
 * references into other read models that lead nowhere. The projector should have caught up (no lag), or
 * events in flight show as differences too.
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

    private final Projection projection;
    private final DataSource dataSource;

    public ReadModelVerifier(Projection projection, DataSource dataSource) {
        this.projection = projection;
        this.dataSource = dataSource;
    }

    public Report verify() throws SQLException {
        return verify(aggregates(), true);
    }

    /** Only these aggregates, and no check of references (which spans the whole read model). */
    public Report verify(Collection<UUID> only) throws SQLException {
        return verify(new LinkedHashSet<>(only), false);
    }

    private Report verify(Set<UUID> aggregates, boolean references) throws SQLException {
        List<Difference> differences = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            Set<UUID> parked = Parking.aggregates(connection, projection.name());
            DiscardedEvents discarded = DiscardedEvents.of(connection, projection.name());
            connection.setAutoCommit(false);
            for (UUID aggregate : aggregates) {
                if (parked.contains(aggregate)) {
                    differences.add(new Difference(projection.name(), "parked", aggregate.toString(),
                            "it has events in readmodel.parked_events; its rows stop before them"));
                    continue;
                }
                compare(connection, aggregate, discarded, differences);
            }
        }
        if (references) {
            differences.addAll(danglingReferences());
        }
        return new Report(projection.name(), aggregates.size(), differences);
    }

    /**
     * One aggregate, in a transaction of its own that is always rolled back: nothing it does stays. Events an
     * operator discarded are left out, as the projector leaves them out.
     */
    private void compare(Connection connection, UUID aggregate, DiscardedEvents discarded, List<Difference> differences)
            throws SQLException {
        List<List<String>> actual = rows(connection, aggregate);
        try {
            for (Projection.Table table : projection.tables()) {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.name() + " WHERE "
                        + table.aggregateColumn() + " = ?")) {
                    delete.setObject(1, aggregate);
                    delete.executeUpdate();
                }
            }
            for (EventEnvelope event : StoredEvents.ofAggregate(connection, aggregate, 0)) {
                if (discarded.contains(aggregate, event.sequence())) {
                    continue;
                }
                StatementWaves.EventStatements statements = new StatementWaves.EventStatements();
                projection.apply(event, statements);
                statements.execute(connection);
            }
            List<List<String>> expected = rows(connection, aggregate);
            for (int i = 0; i < projection.tables().size(); i++) {
                describe(projection.tables().get(i).name(), aggregate, actual.get(i), expected.get(i), differences);
            }
        } catch (SQLException | RuntimeException e) {
            differences.add(new Difference(projection.name(), "unappliable", aggregate.toString(),
                    "its events cannot be applied: " + e.getMessage()));
        } finally {
            connection.rollback();
        }
    }

    private void describe(String table, UUID aggregate, List<String> actual, List<String> expected, List<Difference> differences) {
        if (actual.equals(expected)) {
            return;
        }
        String subject = table + " " + aggregate;
        if (expected.isEmpty()) {
            differences.add(new Difference(projection.name(), "extra", subject,
                    actual.size() + " row(s) where its events leave none (a deleted aggregate, or rows without events)"));
        } else if (actual.isEmpty()) {
            differences.add(new Difference(projection.name(), "missing", subject, "no row where its events make " + expected.size()));
        } else if (actual.size() != expected.size()) {
            differences.add(new Difference(projection.name(), "rows", subject, actual.size() + " row(s) where its events make " + expected.size()));
        } else {
            for (int i = 0; i < actual.size(); i++) {
                String columns = differingColumns(EventJson.tree(actual.get(i)), EventJson.tree(expected.get(i)));
                if (!columns.isEmpty()) {
                    differences.add(new Difference(projection.name(), "differs", subject, columns));
                }
            }
        }
    }

    private static String differingColumns(JsonNode actual, JsonNode expected) {
        List<String> columns = new ArrayList<>();
        Iterator<String> names = ((ObjectNode) expected).fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!expected.get(name).equals(actual.get(name))) {
                columns.add(name + " is " + abbreviate(actual.get(name)) + ", its events make it " + abbreviate(expected.get(name)));
            }
        }
        return String.join("; ", columns);
    }

    private static String abbreviate(JsonNode value) {
        String text = String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private List<List<String>> rows(Connection connection, UUID aggregate) throws SQLException {
        List<List<String>> tables = new ArrayList<>();
        for (Projection.Table table : projection.tables()) {
            tables.add(strings(connection, "SELECT row_to_json(t)::text FROM " + table.name() + " t WHERE " + table.aggregateColumn()
                    + " = ? ORDER BY 1", aggregate));
        }
        return tables;
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
