package dev.projections.pipelinetools.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongToDoubleFunction;
import javax.sql.DataSource;

/**
 * The bench's documents, each uploaded, converted (1.4 kB of markdown in 5 sections) and extracted (one
 * semantic-IR item of each kind): the document and semantic-IR read models' busiest mix. Events are
 * committed straight into {@code eventstore.events}, as a writer that already validated them would.
 */
final class BenchWorkload {

    static final int EVENTS_PER_DOCUMENT = 3;
    static final String INSERT = """
            INSERT INTO %s (id, aggregate_id, aggregate_type, event_type, event_version, payload, metadata)
            VALUES (?, ?, 'document', ?, ?, ?::jsonb, ?::jsonb)
            """;
    private static final int BATCH = 500;
    /** -1 from {@link ThreadMXBean#getCurrentThreadCpuTime} where the JVM cannot say, which counts as 0. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One event of the workload, its payload already JSON. */
    record Event(UUID id, UUID aggregateId, String type, int version, String payload, String metadata) {
    }

    private final String uploaded;
    private final String converted;
    private final String extracted;
    private int nextDocument;

    BenchWorkload() {
        this.uploaded = EventJson.toText(EventJson.MAPPER.createObjectNode().put("title", "Pump maintenance manual")
                .put("filename", "pump-maintenance-manual.pdf").put("contentType", "application/pdf").put("sizeBytes", 1_250_000)
                .put("uploadedBy", "alice"));
        ObjectNode conversion = EventJson.MAPPER.createObjectNode();
        StringBuilder markdown = new StringBuilder("# Pump maintenance manual\n\n");
        ArrayNode sections = conversion.putArray("sections");
        for (int s = 1; s <= 5; s++) {
            markdown.append("## Section ").append(s).append("\n\n")
                    .append("Inspect the seals, bearings and impeller of the pump every 500 hours of service. ".repeat(3)).append("\n\n");
            sections.addObject().put("heading", "Section " + s).put("level", s == 1 ? 1 : 2).put("content", "Inspection " + s);
        }
        conversion.put("markdownContent", markdown.toString());
        conversion.putObject("metadata").put("pages", 12);
        this.converted = EventJson.toText(conversion);
        ObjectNode ir = EventJson.MAPPER.createObjectNode();
        ObjectNode formula = ir.putArray("formulas").addObject().put("name", "Heat flow").put("expression", "q = k * A * dT / d");
        formula.putObject("variables").put("k", "conductivity").put("A", "area");
        ir.putArray("definitions").addObject().put("term", "impeller").put("definition", "the rotating part of the pump")
                .put("context", "section 2");
        ObjectNode table = ir.putArray("tables").addObject().put("name", "Parameters").put("rowCount", 2).put("columnCount", 2);
        ArrayNode rows = table.putArray("tableData");
        rows.addArray().add("pressure").add(4.5);
        rows.addArray().add("flow").add(120);
        ir.putArray("crossReferences").addObject().put("target", "ISO 9906").put("referenceType", "standard").put("location", "p. 2");
        this.extracted = EventJson.toText(ir);
    }

    /** The events of the next {@code documents} documents, each document's in version order. */
    List<Event> documents(int documents) {
        List<Event> events = new ArrayList<>(documents * EVENTS_PER_DOCUMENT);
        for (int d = 0; d < documents; d++) {
            UUID aggregate = UUID.randomUUID();
            String metadata = "{\"correlation_id\":\"bench-" + (nextDocument++) + "\"}";
            events.add(new Event(UUID.randomUUID(), aggregate, "DocumentUploaded", 1, uploaded, metadata));
            events.add(new Event(UUID.randomUUID(), aggregate, "DocumentConverted", 2, converted, metadata));
            events.add(new Event(UUID.randomUUID(), aggregate, "SemanticIrExtracted", 3, extracted, metadata));
        }
        return events;
    }

    /** Inserts the events in batches on one connection, a transaction per batch. */
    static void insertBatched(DataSource dataSource, String table, List<Event> events) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT.formatted(table))) {
            connection.setAutoCommit(false);
            for (int i = 0; i < events.size(); i++) {
                bind(insert, events.get(i));
                insert.addBatch();
                if ((i + 1) % BATCH == 0 || i == events.size() - 1) {
                    insert.executeBatch();
                    connection.commit();
                }
            }
        }
    }

    /**
     * What committing at a rate took: the seconds from the first scheduled commit to the last, and the CPU
     * seconds of the writers' threads and of their database sessions (0 where they cannot be read).
     */
    record RateRun(double seconds, double threadCpuSeconds, double sessionCpuSeconds) {
    }

    /**
     * Commits the events one per transaction at {@code rate} events a second in all, from {@code writers}
     * connections; each writer owns whole documents, so that an aggregate's events commit in version order.
     * A writer that falls behind its schedule writes at once until it is back on it.
     *
     * @param sessionCpu the CPU seconds a database session (by its backend's pid) has used so far
     */
    static RateRun insertAtRate(DataSource dataSource, List<Event> events, int rate, int writers, LongToDoubleFunction sessionCpu)
            throws Exception {
        long start = System.nanoTime() + 50_000_000L;
        long interval = 1_000_000_000L / rate;
        AtomicLong last = new AtomicLong(start);
        DoubleAdder threadCpu = new DoubleAdder();
        DoubleAdder sessionsCpu = new DoubleAdder();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        int documents = events.size() / EVENTS_PER_DOCUMENT;
        for (int w = 0; w < Math.min(writers, documents); w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                try (Connection connection = dataSource.getConnection();
                        PreparedStatement insert = connection.prepareStatement(INSERT.formatted("eventstore.events"))) {
                    connection.setAutoCommit(true);
                    // each append commits synchronously, as the event-writer's do (a stronger server setting is kept)
                    try (Statement synchronous = connection.createStatement()) {
                        synchronous.execute("SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'");
                    }
                    long backend = backendPid(connection);
                    double sessionStart = sessionCpu.applyAsDouble(backend);
                    long threadStart = THREADS.getCurrentThreadCpuTime();
                    try {
                        int slot = 0;
                        for (int d = writer; d < documents; d += writers) {
                            for (int e = 0; e < EVENTS_PER_DOCUMENT; e++) {
                                // the writers' slots interleave: together they keep the one rate
                                long due = start + ((long) slot++ * writers + writer) * interval;
                                long wait = due - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                                bind(insert, events.get(d * EVENTS_PER_DOCUMENT + e));
                                insert.executeUpdate();
                            }
                        }
                        last.accumulateAndGet(System.nanoTime(), Math::max);
                        threadCpu.add(Math.max(0, THREADS.getCurrentThreadCpuTime() - threadStart) / 1e9);
                        sessionsCpu.add(sessionCpu.applyAsDouble(backend) - sessionStart);
                    } finally {
                        try (Statement reset = connection.createStatement()) {
                            // the pooled connection gets the server's default back
                            reset.execute("RESET synchronous_commit");
                        } catch (SQLException broken) {
                            // the connection is broken, and the pool drops it; what broke it is the failure to report
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "bench-writer-" + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return new RateRun((last.get() - start) / 1e9, threadCpu.sum(), sessionsCpu.sum());
    }

    private static long backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The event store's last sequence, 0 when it is empty. */
    static long lastSequence(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT coalesce(max(sequence), 0) FROM eventstore.events")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void bind(PreparedStatement insert, Event event) throws SQLException {
        insert.setObject(1, event.id());
        insert.setObject(2, event.aggregateId());
        insert.setString(3, event.type());
        insert.setInt(4, event.version());
        insert.setString(5, event.payload());
        insert.setString(6, event.metadata());
    }
}
