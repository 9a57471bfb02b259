package dev.projections.pipelinetools.chaos;

import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.eventwriter.VersionConflictException;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.projection.Projection;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;

/** Whether events flow end to end: a probe through every read model after a fault, and the read models caught up at the end. */
final class ChaosProbe {

    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

    private final EventStore store;
    private final DataSource dataSource;
    private final int shards;
    private final PrintStream out;

    /** @param shards the relays' shards: a probe writes a document through each */
    ChaosProbe(EventStore store, DataSource dataSource, int shards, PrintStream out) {
        this.store = store;
        this.dataSource = dataSource;
        this.shards = shards;
        this.out = out;
    }

    /**
     * Writes a new customer, conversation and a document through each relay shard, and waits until each of
     * their read models has them: the pipeline is flowing end to end again.
     */
    boolean probe(String after) throws Exception {
        List<UUID> documents = IntStream.range(0, shards).mapToObj(this::inShard).toList();
        UUID customer = UUID.randomUUID();
        UUID conversation = UUID.randomUUID();
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        append(store, "customer", customer, "CustomerRegistered", "{\"code\": \"" + customer + "\", \"name\": \"Probe\"}", deadline);
        for (UUID document : documents) {
            append(store, "document", document, "DocumentUploaded", "{\"title\": \"Probe\", \"filename\": \"p.pdf\", "
                    + "\"contentType\": \"application/pdf\", \"sizeBytes\": 1, \"uploadedBy\": \"probe\"}", deadline);
        }
        append(store, "conversation", conversation, "ConversationStarted", "{\"customerId\": \"" + customer + "\", \"userId\": \"probe\"}",
                deadline);
        while (System.nanoTime() < deadline) {
            if (documents.stream().allMatch(document -> present("readmodel.document_views", document)
                    && present("readmodel.semantic_ir_documents", document))
                    && present("readmodel.customers", customer) && present("readmodel.conversation_threads", conversation)) {
                return true;
            }
            Thread.sleep(100);
        }
        say("the probe written " + after + " did not reach every read model within " + RECOVERY_TIMEOUT.toMinutes() + " minutes");
        return false;
    }

    /** A random id of the relay shard's aggregates: the last byte of the id, modulo the shard count, is the shard. */
    private UUID inShard(int shard) {
        UUID random = UUID.randomUUID();
        long low = (random.getLeastSignificantBits() & ~0xFFL) | ((random.getLeastSignificantBits() & 0xFFL) / shards * shards + shard);
        return new UUID(random.getMostSignificantBits(), low);
    }

    private static void append(EventStore store, String type, UUID id, String eventType, String payload, long deadline)
            throws InterruptedException {
        while (true) {
            try {
                store.append(type, id, 0, List.of(NewEvent.of(eventType, EventJson.tree(payload))));
                return;
            } catch (VersionConflictException e) {
                return; // an earlier try was written, its answer lost
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private boolean present(String table, UUID id) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
            statement.setObject(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static final String BEHIND = """
            SELECT count(*) FROM (SELECT aggregate_id, max(event_version) AS version FROM eventstore.events
                                   WHERE aggregate_type = ANY (?) GROUP BY aggregate_id) e
             WHERE NOT EXISTS (SELECT 1 FROM readmodel.projection_positions p
                                WHERE p.projection = ? AND p.aggregate_id = e.aggregate_id AND p.version = e.version)
               AND NOT EXISTS (SELECT 1 FROM readmodel.parked_events k WHERE k.projection = ? AND k.aggregate_id = e.aggregate_id)
            """;

    void awaitCaughtUp() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            Map<String, Long> behind = new LinkedHashMap<>();
            try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(BEHIND)) {
                for (Projection projection : Projections.ALL) {
                    statement.setArray(1, connection.createArrayOf("text", projection.aggregateTypes().toArray()));
                    statement.setString(2, projection.name());
                    statement.setString(3, projection.name());
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        if (rows.getLong(1) > 0) {
                            behind.put(projection.name(), rows.getLong(1));
                        }
                    }
                }
            } catch (SQLException e) {
                behind.put("(database)", -1L);
            }
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the read models did not catch up within 10 minutes; aggregates behind: " + behind);
            }
            say("aggregates not yet current: " + behind);
            Thread.sleep(2_000);
        }
    }

    private void say(String line) {
        out.println("chaos: " + line);
    }
}
