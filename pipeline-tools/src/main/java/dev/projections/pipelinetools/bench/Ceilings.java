package dev.projections.pipelinetools.bench;

import dev.projections.eventcatalogue.EventJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the database itself can take on this machine, with the workload's own rows: batched inserts into
 * a scratch copy of the events table, and batched upserts of document rows into a scratch copy of their
 * read-model table, one connection each. Every other figure is compared with these.
 */
final class Ceilings {

    private static final String SCRATCH = "bench_scratch";
    private static final String UPSERT = """
            INSERT INTO bench_scratch.document_views AS v
                   (id, version, title, filename, content_type, size_bytes, uploaded_by, status, uploaded_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'uploaded', ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, title = excluded.title, updated_at = excluded.updated_at
             WHERE v.version < excluded.version
            """;
    private static final int BATCH = 500;

    private Ceilings() {
    }

    static BenchResults.Ceilings measure(DataSource dataSource, List<BenchWorkload.Event> events) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + SCRATCH + " CASCADE");
            statement.execute("CREATE SCHEMA " + SCRATCH);
            statement.execute("CREATE TABLE bench_scratch.events (LIKE eventstore.events INCLUDING ALL)");
            // its own sequence: the real one's numbers are the relay's and the topics'
            statement.execute("CREATE SEQUENCE bench_scratch.events_sequence");
            statement.execute("ALTER TABLE bench_scratch.events ALTER COLUMN sequence SET DEFAULT nextval('bench_scratch.events_sequence')");
            statement.execute("CREATE TABLE bench_scratch.document_views (LIKE readmodel.document_views INCLUDING ALL)");
        }
        try {
            List<BenchWorkload.Event> uploads = events.stream().filter(event -> event.version() == 1).toList();
            // a first, shorter pass warms the JIT compiler and the server's caches, and is not counted
            BenchWorkload.insertBatched(dataSource, "bench_scratch.events", events.subList(0, Math.min(events.size(), 6000)));
            upsert(dataSource, uploads.subList(0, Math.min(uploads.size(), 2000)), 1);
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE bench_scratch.events, bench_scratch.document_views");
            }
            long started = System.nanoTime();
            BenchWorkload.insertBatched(dataSource, "bench_scratch.events", events);
            double inserts = events.size() / ((System.nanoTime() - started) / 1e9);
            started = System.nanoTime();
            // every row inserted, then every row updated: the two things a projection's upsert does
            upsert(dataSource, uploads, 1);
            upsert(dataSource, uploads, 2);
            double upserts = 2 * uploads.size() / ((System.nanoTime() - started) / 1e9);
            return new BenchResults.Ceilings(inserts, upserts);
        } finally {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + SCRATCH + " CASCADE");
            }
        }
    }

    private static void upsert(DataSource dataSource, List<BenchWorkload.Event> uploads, int version) throws SQLException {
        Timestamp at = Timestamp.from(Instant.now());
        // the workload's uploads share one payload: read once, outside what is measured
        var payload = EventJson.tree(uploads.get(0).payload());
        try (Connection connection = dataSource.getConnection(); PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            connection.setAutoCommit(false);
            for (int i = 0; i < uploads.size(); i++) {
                BenchWorkload.Event event = uploads.get(i);
                upsert.setObject(1, event.aggregateId());
                upsert.setInt(2, version);
                upsert.setString(3, payload.path("title").asText());
                upsert.setString(4, payload.path("filename").asText());
                upsert.setString(5, payload.path("contentType").asText());
                upsert.setLong(6, payload.path("sizeBytes").asLong());
                upsert.setString(7, payload.path("uploadedBy").asText());
                upsert.setTimestamp(8, at);
                upsert.setTimestamp(9, at);
                upsert.addBatch();
                if ((i + 1) % BATCH == 0 || i == uploads.size() - 1) {
                    upsert.executeBatch();
                    connection.commit();
                }
            }
        }
    }
}
