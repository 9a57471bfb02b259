package dev.projections.projectorstreams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The statements of a batch of events, run as few JDBC batches as their order allows. Statements of
 * different aggregates touch different rows, so only each aggregate's own order must hold: its n-th
 * statement goes into wave n, and each wave runs as one batch per distinct SQL text. A catch-up of
 * thousands of documents is then a handful of round trips instead of thousands.
 */
final class StatementWaves {

    private record Step(String sql, List<Object[]> rows) {
    }

    /** One event's statements, kept apart until the projection has produced all of them. */
    static final class EventStatements implements Statements {
        private final List<Step> steps = new ArrayList<>();

        @Override
        public void add(String sql, Object... parameters) {
            steps.add(new Step(sql, Collections.singletonList(parameters)));
        }

        @Override
        public void addRows(String sql, List<Object[]> rows) {
            if (!rows.isEmpty()) {
                steps.add(new Step(sql, List.copyOf(rows)));
            }
        }

        /** Runs them at once, in order. */
        void execute(Connection connection) throws SQLException {
            for (Step step : steps) {
                StatementWaves.execute(connection, step.sql(), step.rows());
            }
        }
    }

    private final List<Map<String, List<Object[]>>> waves = new ArrayList<>();
    private final Map<UUID, Integer> depth = new HashMap<>();

    /** Queues an event's statements after those queued before for its aggregate. */
    void add(UUID aggregateId, EventStatements event) {
        int next = depth.getOrDefault(aggregateId, 0);
        for (Step step : event.steps) {
            if (waves.size() <= next) {
                waves.add(new LinkedHashMap<>());
            }
            waves.get(next++).computeIfAbsent(step.sql(), sql -> new ArrayList<>()).addAll(step.rows());
        }
        depth.put(aggregateId, next);
    }

    boolean isEmpty() {
        return waves.isEmpty();
    }

    void execute(Connection connection) throws SQLException {
        for (Map<String, List<Object[]>> wave : waves) {
            for (Map.Entry<String, List<Object[]>> statement : wave.entrySet()) {
                execute(connection, statement.getKey(), statement.getValue());
            }
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

    private static void bind(PreparedStatement statement, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }
}
