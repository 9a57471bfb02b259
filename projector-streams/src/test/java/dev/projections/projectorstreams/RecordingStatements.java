package dev.projections.projectorstreams;

import dev.projections.projectorstreams.projection.Statements;
import java.util.ArrayList;
import java.util.List;

/** Takes a projection's statements without running them: the SQL of each, once per row. */
public final class RecordingStatements implements Statements {

    private final List<String> sql = new ArrayList<>();

    @Override
    public void add(String statement, Object... parameters) {
        sql.add(statement);
    }

    @Override
    public void addRows(String statement, List<Object[]> rows) {
        rows.forEach(row -> sql.add(statement));
    }

    @Override
    public void addColumns(String statement, List<Object[]> rows) {
        rows.forEach(row -> sql.add(statement));
    }

    public List<String> sql() {
        return sql;
    }
}
