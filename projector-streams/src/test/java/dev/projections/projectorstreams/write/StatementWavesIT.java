package dev.projections.projectorstreams.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.embeddedservices.SharedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StatementWavesIT {

    private static final String INSERT_ITEMS = """
            INSERT INTO items (aggregate_id, position, label, details, at)
            SELECT * FROM unnest(?::uuid[], ?::integer[], ?::text[], ?::jsonb[], ?::timestamptz[])
            """;

    @Test
    void givenTwoAggregatesRowsAsColumns_whenTheWavesRun_thenOneExecutionInsertsEveryRowWithItsNullsAndJson() throws SQLException {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        Timestamp at = Timestamp.from(Instant.parse("2026-11-27T10:00:00.123456Z"));
        StatementWaves waves = new StatementWaves();
        StatementWaves.EventStatements one = new StatementWaves.EventStatements();
        one.addColumns(INSERT_ITEMS, List.of(new Object[] {first, 0, "pressure", "{\"unit\": \"bar\"}", at},
                new Object[] {first, 1, null, null, at}));
        StatementWaves.EventStatements other = new StatementWaves.EventStatements();
        other.addColumns(INSERT_ITEMS, List.<Object[]>of(new Object[] {second, 0, "it's \"quoted\", {braced}", "[1, 2.5]", at}));
        waves.add(first, one);
        waves.add(second, other);

        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement sql = connection.createStatement()) {
            createItems(sql);
            try {
                waves.execute(connection);

                assertThat(rows(sql, "SELECT value FROM executions")).containsExactly("1");
                assertThat(rows(sql, "SELECT aggregate_id || ' ' || position || ' ' || coalesce(label, 'null') || ' ' || coalesce(details::text, 'null')"
                        + " || ' ' || (at = '2026-11-27T10:00:00.123456Z') FROM items ORDER BY aggregate_id = '" + second + "', position"))
                        .containsExactly(first + " 0 pressure {\"unit\": \"bar\"} true", first + " 1 null null true",
                                second + " 0 it's \"quoted\", {braced} [1, 2.5] true");
            } finally {
                sql.execute("DISCARD TEMP");
            }
        }
    }

    @Test
    void givenAStatementWithAParameterThatIsNoArray_whenAddedAsColumns_thenItIsRefusedNamingTheStatement() {
        StatementWaves.EventStatements statements = new StatementWaves.EventStatements();

        assertThatThrownBy(() -> statements.addColumns("INSERT INTO items (aggregate_id, position) SELECT ?, * FROM unnest(?::integer[])",
                List.<Object[]>of(new Object[] {UUID.randomUUID(), 1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("every parameter of a statement of columns must be an array, ?::type[]: "
                        + "INSERT INTO items (aggregate_id, position) SELECT ?, * FROM unnest(?::integer[])");
    }

    @Test
    void givenARowWithAValueTooFew_whenAddedAsColumns_thenItIsRefusedWithBothCounts() {
        StatementWaves.EventStatements statements = new StatementWaves.EventStatements();

        assertThatThrownBy(() -> statements.addColumns(INSERT_ITEMS, List.<Object[]>of(new Object[] {UUID.randomUUID(), 0, "label", null})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a row of 4 values for a statement of 5 arrays: INSERT INTO items");
    }

    /** A temporary table of this session, and a count of the statements that inserted into it. */
    private static void createItems(Statement sql) throws SQLException {
        sql.execute("CREATE TEMPORARY TABLE items (aggregate_id uuid, position integer, label text, details jsonb, at timestamptz)");
        sql.execute("CREATE TEMPORARY TABLE executions (value integer)");
        sql.execute("INSERT INTO executions VALUES (0)");
        sql.execute("CREATE FUNCTION pg_temp.count_execution() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN UPDATE executions SET value = value + 1; RETURN NULL; END $$");
        sql.execute("CREATE TRIGGER counted AFTER INSERT ON items FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.count_execution()");
    }

    private static List<String> rows(Statement sql, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
