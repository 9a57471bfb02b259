package dev.projections.projectorstreams.write;

import dev.projections.projectorstreams.projection.Statements;
import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a batch of events, run as few JDBC batches as their order allows. Statements of
 * different aggregates touch different rows, so only each aggregate's own order must hold: its n-th
 * statement goes into wave n, and each wave runs as one batch per distinct SQL text. A catch-up of
 * thousands of documents is then a handful of round trips instead of thousands.
 */
public final class StatementWaves {

    /** A parameter of a statement that takes each column as an array ({@link Statements#addColumns}). */
    private static final Pattern ARRAY_PARAMETER = Pattern.compile("\\?::([a-z0-9_ ]+?)\\[]", Pattern.CASE_INSENSITIVE);
    private static final Map<String, List<String>> ELEMENT_TYPES = new ConcurrentHashMap<>();

    /** Rows of one SQL text: one execution per row (a JDBC batch), or one of them all as arrays. */
    private record Rows(boolean asColumns, List<Object[]> rows) {
    }

    private record Step(String sql, Rows rows) {
    }

    /** One event's statements, kept apart until the projection has produced all of them. */
    public static final class EventStatements implements Statements {
        private final List<Step> steps = new ArrayList<>();

        @Override
        public void add(String sql, Object... parameters) {
            steps.add(new Step(sql, new Rows(false, Collections.singletonList(parameters))));
        }

        @Override
        public void addRows(String sql, List<Object[]> rows) {
            if (!rows.isEmpty()) {
                steps.add(new Step(sql, new Rows(false, List.copyOf(rows))));
            }
        }

        @Override
        public void addColumns(String sql, List<Object[]> rows) {
            int columns = elementTypes(sql).size();
            for (Object[] row : rows) {
                if (row.length != columns) {
                    throw new IllegalArgumentException("a row of " + row.length + " values for a statement of " + columns
                            + " arrays: " + sql.strip());
                }
            }
            if (!rows.isEmpty()) {
                steps.add(new Step(sql, new Rows(true, List.copyOf(rows))));
            }
        }

        /** Runs them at once, in order. */
        public void execute(Connection connection) throws SQLException {
            for (Step step : steps) {
                StatementWaves.execute(connection, step.sql(), step.rows());
            }
        }
    }

    /**
     * Runs events' statements under one savepoint: those the database refuses for their data (see
     * {@link SqlFailures#isCausedByData}) are rolled back alone, and their refusal returned; any other
     * failure is thrown.
     *
     * @return null when they ran, else the database's refusal
     */
    public static SQLException refusedAlone(Connection connection, List<EventStatements> events) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            for (EventStatements event : events) {
                event.execute(connection);
            }
            connection.releaseSavepoint(savepoint);
            return null;
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            connection.rollback(savepoint);
            return e;
        }
    }

    private final List<Map<String, Rows>> waves = new ArrayList<>();
    private final Map<UUID, Integer> depth = new HashMap<>();

    /** Queues an event's statements after those queued before for its aggregate. */
    public void add(UUID aggregateId, EventStatements event) {
        int next = depth.getOrDefault(aggregateId, 0);
        for (Step step : event.steps) {
            if (waves.size() <= next) {
                waves.add(new LinkedHashMap<>());
            }
            waves.get(next++).computeIfAbsent(step.sql(), sql -> new Rows(step.rows().asColumns(), new ArrayList<>()))
                    .rows().addAll(step.rows().rows());
        }
        depth.put(aggregateId, next);
    }

    public void execute(Connection connection) throws SQLException {
        for (Map<String, Rows> wave : waves) {
            for (Map.Entry<String, Rows> statement : wave.entrySet()) {
                execute(connection, statement.getKey(), statement.getValue());
            }
        }
    }

    private static void execute(Connection connection, String sql, Rows rows) throws SQLException {
        if (rows.asColumns()) {
            executeColumns(connection, sql, rows.rows());
        } else {
            execute(connection, sql, rows.rows());
        }
    }

    static void execute(Connection connection, String sql, List<Object[]> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (rows.size() == 1) {
                bind(statement, rows.get(0));
                statement.executeUpdate();
                return;
            }
            for (Object[] row : rows) {
                bind(statement, row);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Runs a statement of {@code ?::type[]} parameters once, each bound to one column of the rows. */
    private static void executeColumns(Connection connection, String sql, List<Object[]> rows) throws SQLException {
        List<String> types = elementTypes(sql);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int column = 0; column < types.size(); column++) {
                Object[] values = new Object[rows.size()];
                for (int row = 0; row < values.length; row++) {
                    values[row] = rows.get(row)[column];
                }
                statement.setArray(column + 1, connection.createArrayOf(types.get(column), values));
            }
            statement.executeUpdate();
        }
    }

    /** The element types of a statement's array parameters, in order; every parameter must be one. */
    private static List<String> elementTypes(String sql) {
        return ELEMENT_TYPES.computeIfAbsent(sql, text -> {
            List<String> types = new ArrayList<>();
            Matcher matcher = ARRAY_PARAMETER.matcher(text);
            while (matcher.find()) {
                types.add(matcher.group(1).strip());
            }
            long parameters = text.chars().filter(c -> c == '?').count();
            if (types.isEmpty() || types.size() != parameters) {
                throw new IllegalArgumentException("every parameter of a statement of columns must be an array, ?::type[]: "
                        + text.strip());
            }
            return List.copyOf(types);
        });
    }

    private static void bind(PreparedStatement statement, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }
}
