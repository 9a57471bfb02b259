package dev.projections.pipelinecli.chaos;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.eventwriter.VersionConflictException;
import dev.projections.migrations.Migrations;
import dev.projections.projectorstreams.Projection;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.ReadModelVerifier;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Faults across the deployment's real processes while events are written: a PostgreSQL server and a
 * Kafka broker process it restarts, two relays and the projectors as {@code bin/pipeline} processes it
 * kills with -9, and writers on hot aggregates with a poison event in a thousand. It then compares every
 * read model with what {@code eventstore.events} makes of it.
 */
public final class ChaosRun {

    /** What a run does. */
    /** @param sessionTimeout the projectors' consumer session timeout; null for the client's default (45 s) */
    public record Options(long events, int faults, int writers, int rate, int documentProjectors, Duration sessionTimeout, long seed) {
    }

    enum Fault {
        RELAY_KILL("kill -9 of a relay"),
        PROJECTOR_KILL("kill -9 of a projector"),
        BROKER_RESTART("broker kill -9 and restart"),
        POSTGRES_RESTART("PostgreSQL restart");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

    private final Options options;
    private final PrintStream out;
    private final Random random;
    private final Map<Fault, List<Double>> recoveries = new EnumMap<>(Fault.class);
    private final List<String> unrecovered = new ArrayList<>();
    private DataSource pool;

    public ChaosRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed());
        for (Fault fault : Fault.values()) {
            recoveries.put(fault, new ArrayList<>());
        }
    }

    /** @return 0 when every read model equals its reference and exactly the poison events are parked */
    public int run() throws Exception {
        Path directory = Files.createTempDirectory("pipeline-chaos");
        Path logs = Files.createDirectories(directory.resolve("logs"));
        say("processes' logs in " + logs);
        int kafkaPort = freePort();
        EmbeddedPostgres postgres = EmbeddedPostgres.start(0, directory.resolve("postgres"));
        int postgresPort = postgres.port();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(DatabaseSettings.URL, postgres.jdbcUrl());
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:" + kafkaPort);
        settings.put("metrics-port", "0");
        DatabaseSettings database = DatabaseSettings.from(Settings.of(settings, Map.of()));
        List<Spawned> relays = new ArrayList<>();
        List<Spawned> projectors = new ArrayList<>();
        Spawned broker = new Spawned("broker", Map.of(), logs, "broker", "--port", Integer.toString(kafkaPort), "--data-dir",
                directory.resolve("kafka").toString());
        try (HikariDataSource dataSource = database.pool("chaos", options.writers() + 4)) {
            pool = dataSource;
            Migrations.migrate(dataSource);
            broker.start();
            awaitLogged(broker, "broker ready", Duration.ofMinutes(2));
            for (int i = 1; i <= 2; i++) {
                relays.add(new Spawned("relay-" + i, settings, logs, "relay"));
            }
            for (Projection projection : Projections.ALL) {
                int instances = projection.name().equals("document") ? options.documentProjectors() : 1;
                for (int i = 1; i <= instances; i++) {
                    Map<String, String> own = new LinkedHashMap<>(settings);
                    own.put(ProjectorConfig.STATE_DIR, directory.resolve("streams-" + projection.name() + "-" + i).toString());
                    if (options.sessionTimeout() != null) {
                        // a killed instance's partitions wait this long for it before they move
                        own.put("kafka-client-session-timeout-ms", Long.toString(options.sessionTimeout().toMillis()));
                        own.put("kafka-client-heartbeat-interval-ms", Long.toString(options.sessionTimeout().toMillis() / 3));
                    }
                    projectors.add(new Spawned("projector-" + projection.name() + "-" + i, own, logs, "projector", projection.name()));
                }
            }
            for (Spawned process : concat(relays, projectors)) {
                process.start();
            }
            say("started PostgreSQL, a broker, " + relays.size() + " relays and " + projectors.size() + " projectors");

            EventStore store = new EventStore(dataSource);
            ChaosWriters writers = new ChaosWriters(store, dataSource, options.rate());
            writers.start(options.writers(), options.seed());
            probe(store, writers, "before the first fault");

            List<Fault> plan = plan();
            for (int i = 0; i < plan.size(); i++) {
                Thread.sleep(1_000 + random.nextInt(3_000));
                Fault fault = plan.get(i);
                long at = System.nanoTime();
                switch (fault) {
                    case RELAY_KILL -> restart(relays.get(random.nextInt(relays.size())));
                    case PROJECTOR_KILL -> restart(projectors.get(random.nextInt(projectors.size())));
                    case BROKER_RESTART -> {
                        broker.kill();
                        Thread.sleep(1_000);
                        broker.start();
                        awaitLogged(broker, "broker ready", Duration.ofMinutes(2));
                    }
                    case POSTGRES_RESTART -> {
                        postgres.close();
                        Thread.sleep(1_000);
                        postgres = startPostgres(postgresPort, directory.resolve("postgres"));
                    }
                }
                boolean recovered = probe(store, writers, fault.label);
                double seconds = (System.nanoTime() - at) / 1e9;
                if (recovered) {
                    recoveries.get(fault).add(seconds);
                } else {
                    unrecovered.add(fault.label + " (fault " + (i + 1) + ")");
                }
                say(String.format("fault %d/%d: %s, events flowing again after %.1f s; %,d events acknowledged", i + 1, plan.size(),
                        fault.label, seconds, writers.acknowledgedCount()));
            }
            while (writers.acknowledgedCount() < options.events()) {
                Thread.sleep(1_000);
                say(String.format("writing: %,d of %,d events acknowledged", writers.acknowledgedCount(), options.events()));
            }
            writers.stop();
            long stoppedWriting = System.nanoTime();
            say("writers stopped; waiting for every read model to catch up");
            awaitCaughtUp(dataSource);
            double caughtUp = (System.nanoTime() - stoppedWriting) / 1e9;
            Map<String, Integer> exits = new LinkedHashMap<>();
            for (Spawned process : concat(relays, projectors)) {
                int exited = process.exitsOnItsOwn();
                if (exited > 0) {
                    exits.put(process.name(), exited);
                }
            }
            return report(dataSource, writers, caughtUp, exits);
        } finally {
            for (Spawned process : concat(relays, projectors)) {
                process.stop(Duration.ofSeconds(30));
            }
            broker.stop(Duration.ofSeconds(30));
            postgres.close();
        }
    }

    /** At least one fault of each kind first, then kinds at random, projector kills the likeliest. */
    private List<Fault> plan() {
        List<Fault> plan = new ArrayList<>(List.of(Fault.values()));
        Collections.shuffle(plan, random);
        Fault[] weighted = {Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.RELAY_KILL,
            Fault.RELAY_KILL, Fault.BROKER_RESTART, Fault.POSTGRES_RESTART};
        while (plan.size() < options.faults()) {
            plan.add(weighted[random.nextInt(weighted.length)]);
        }
        return plan;
    }

    /** As an operator would after a failed start: once more, a little later. */
    private EmbeddedPostgres startPostgres(int port, Path dataDirectory) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return EmbeddedPostgres.start(port, dataDirectory);
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    throw e;
                }
                say("PostgreSQL did not start (" + e.getMessage() + "); starting it again");
                Thread.sleep(2_000);
            }
        }
    }

    private static void restart(Spawned process) throws Exception {
        process.kill();
        Thread.sleep(1_000);
        process.start();
    }

    /**
     * Writes a new document, customer and conversation, and waits until each of their read models has
     * them: the pipeline is flowing end to end again.
     */
    private boolean probe(EventStore store, ChaosWriters writers, String after) throws Exception {
        UUID document = UUID.randomUUID();
        UUID customer = UUID.randomUUID();
        UUID conversation = UUID.randomUUID();
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        append(store, "customer", customer, "CustomerRegistered", "{\"code\": \"" + customer + "\", \"name\": \"Probe\"}", deadline);
        append(store, "document", document, "DocumentUploaded", "{\"title\": \"Probe\", \"filename\": \"p.pdf\", "
                + "\"contentType\": \"application/pdf\", \"sizeBytes\": 1, \"uploadedBy\": \"probe\"}", deadline);
        append(store, "conversation", conversation, "ConversationStarted", "{\"customerId\": \"" + customer + "\", \"userId\": \"probe\"}",
                deadline);
        while (System.nanoTime() < deadline) {
            if (present("readmodel.document_views", document) && present("readmodel.semantic_ir_documents", document)
                    && present("readmodel.customers", customer) && present("readmodel.conversation_threads", conversation)) {
                return true;
            }
            Thread.sleep(100);
        }
        say("the probe written " + after + " did not reach every read model within " + RECOVERY_TIMEOUT.toMinutes() + " minutes");
        return false;
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
        try (Connection connection = pool.getConnection();
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

    private void awaitCaughtUp(DataSource dataSource) throws Exception {
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

    private int report(DataSource dataSource, ChaosWriters writers, double caughtUp, Map<String, Integer> exits) throws Exception {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Map<String, Integer> checked = new LinkedHashMap<>();
        Set<UUID> parked = new HashSet<>();
        List<String> shown = new ArrayList<>();
        for (Projection projection : Projections.ALL) {
            ReadModelVerifier.Report report = new ReadModelVerifier(projection, dataSource).verify();
            checked.put(projection.name(), report.aggregates());
            for (ReadModelVerifier.Difference difference : report.differences()) {
                if (difference.kind().equals("parked") && projection.name().equals("document")) {
                    parked.add(UUID.fromString(difference.subject()));
                } else {
                    kinds.merge(difference.kind(), 1, Integer::sum);
                    if (shown.size() < 20) {
                        shown.add(difference.toString());
                    }
                }
            }
        }
        Set<UUID> poisoned = ids(dataSource, """
                SELECT aggregate_id FROM eventstore.events
                 WHERE event_type = 'DocumentConverted' AND jsonb_typeof(payload -> 'sections') <> 'array'""");
        Set<UUID> stored = ids(dataSource, "SELECT id FROM eventstore.events");
        long lost = writers.acknowledged().stream().filter(id -> !stored.contains(id)).count();
        long parkedEvents = count(dataSource, "SELECT count(*) FROM readmodel.parked_events");
        long parkedElsewhere = count(dataSource, "SELECT count(*) FROM readmodel.parked_events WHERE projection <> 'document'");
        long events = count(dataSource, "SELECT count(*) FROM eventstore.events");

        out.println();
        out.println("chaos summary");
        out.printf("  events: %,d in eventstore.events; %,d acknowledged to %d writers on hot aggregates (%,d version conflicts, "
                + "%,d tries again while PostgreSQL was away); %,d poison events%n", events, writers.acknowledgedCount(), options.writers(),
                writers.conflicts(), writers.retries(), poisoned.size());
        int faults = recoveries.values().stream().mapToInt(List::size).sum() + unrecovered.size();
        out.printf("  faults: %d (projectors' session.timeout.ms %s)%n", faults,
                options.sessionTimeout() == null ? "45 s, the default" : options.sessionTimeout().toSeconds() + " s");
        for (Map.Entry<Fault, List<Double>> entry : recoveries.entrySet()) {
            List<Double> seconds = new ArrayList<>(entry.getValue());
            seconds.sort(Double::compare);
            out.printf("    %-28s %3d, events flowing again after p50 %5.1f s, max %5.1f s%n", entry.getKey().label, seconds.size(),
                    seconds.isEmpty() ? 0 : seconds.get(seconds.size() / 2), seconds.isEmpty() ? 0 : seconds.get(seconds.size() - 1));
        }
        unrecovered.forEach(fault -> out.println("    NOT RECOVERED: " + fault));
        out.printf("  processes that exited by themselves: %s%n", exits.isEmpty() ? "0" : exits);
        out.printf("  caught up %.1f s after the writers stopped%n", caughtUp);
        out.printf("  acknowledged writes missing from eventstore.events: %d%n", lost);
        out.printf("  read models against eventstore.events (%s aggregates checked): lost rows %d, doubled rows %d, differing rows %d%n",
                checked, kinds.getOrDefault("missing", 0), kinds.getOrDefault("extra", 0) + kinds.getOrDefault("rows", 0),
                kinds.getOrDefault("differs", 0) + kinds.getOrDefault("unappliable", 0) + kinds.getOrDefault("dangling reference", 0));
        shown.forEach(line -> out.println("    " + line));
        boolean exactlyPoisoned = parked.equals(poisoned) && parkedElsewhere == 0;
        out.printf("  parked: %d events of %d aggregates, %s%n", parkedEvents, parked.size(),
                exactlyPoisoned ? "exactly the poisoned ones" : "NOT the poisoned ones (" + poisoned.size() + " poisoned)");
        boolean clean = lost == 0 && kinds.isEmpty() && exactlyPoisoned && unrecovered.isEmpty() && exits.isEmpty();
        out.println(clean ? "chaos: every read model equals the events; nothing lost" : "chaos: FAILED");
        return clean ? 0 : 1;
    }

    private static Set<UUID> ids(DataSource dataSource, String sql) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (Connection connection = dataSource.getConnection(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static long count(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void awaitLogged(Spawned process, String line, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!process.logged(line)) {
            if (!process.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " did not print '" + line + "'; see " + process.log());
            }
            Thread.sleep(100);
        }
    }

    private static List<Spawned> concat(List<Spawned> first, List<Spawned> second) {
        List<Spawned> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void say(String line) {
        out.println("chaos: " + line);
    }
}
